"""Every custom layer of keras-gen, registered for `.keras` loading when keras_gen is imported."""

from keras_gen.layers.clusters import Clusters
from keras_gen.layers.labels import OneHot, OneHotPlanes
from keras_gen.layers.masked import GatedActivation, MaskedConv2D, causal_mask
from keras_gen.layers.recurrent import RowLSTM
from keras_gen.layers.spectral import SpectralNormalization

__all__ = ["Clusters", "GatedActivation", "MaskedConv2D", "OneHot", "OneHotPlanes", "RowLSTM", "SpectralNormalization", "causal_mask"]
