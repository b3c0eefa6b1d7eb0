"""The zoo's model families, one module each. Importing this package registers every class for
`.keras` loading and every zoo entry."""

from keras_gen.models import capabilities
from keras_gen.models.autoencoder import Autoencoder, DenoisingAutoencoder, SparseAutoencoder
from keras_gen.models.autoregressive import AutoregressiveModel
from keras_gen.models.base import GenerativeModel
from keras_gen.models.capabilities import Encoder, ExactLikelihood, LatentDecoder, LatentVariableModel, Sampler
from keras_gen.models.gan import GAN, SNGAN, WGAN, WGANGP
from keras_gen.models.kde import KDE
from keras_gen.models.pixelcnn import PixelCNN
from keras_gen.models.pixelrnn import PixelRNN
from keras_gen.models.vae import VAE

__all__ = [
    "GAN", "KDE", "SNGAN", "VAE", "WGAN", "WGANGP", "Autoencoder", "AutoregressiveModel", "DenoisingAutoencoder",
    "Encoder", "ExactLikelihood", "GenerativeModel", "LatentDecoder", "LatentVariableModel", "PixelCNN", "PixelRNN",
    "Sampler", "SparseAutoencoder", "capabilities",
]
