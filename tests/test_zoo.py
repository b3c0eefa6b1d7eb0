import pytest

from keras_gen import zoo
from tests.conftest import load_script


def test_list_names_every_entry_with_a_description():
    entries = zoo.list()
    assert {"gan", "dcgan"} <= set(entries)
    assert all(isinstance(d, str) and d for d in entries.values())


def test_build_returns_a_compiled_model_with_the_entrys_defaults():
    model = zoo.build("dcgan")
    assert model.compiled
    assert model.latent_dim == 64 and model.ema == 0.999  # tuned for small digit sets (zoo/dcgan)
    assert float(model.generator_optimizer.learning_rate) == pytest.approx(4e-4)
    assert float(model.discriminator_optimizer.beta_1) == pytest.approx(0.5)
    wgan = zoo.build("wgan", data_shape=(2,), hidden_units=(8,), latent_dim=2)
    assert float(wgan.discriminator_optimizer.learning_rate) == pytest.approx(5e-5)  # the paper's RMSProp


def test_unknown_name_suggests_close_matches():
    with pytest.raises(KeyError, match="Did you mean 'dcgan'"):
        zoo.build("dcgn")


def test_unknown_option_lists_the_valid_ones():
    with pytest.raises(TypeError, match=r"Unknown option\(s\) \['latent_size'\].*latent_dim=64"):
        zoo.build("dcgan", latent_size=10)


def test_register_rejects_a_second_entry_with_the_same_name():
    with pytest.raises(ValueError, match="already registered"):
        zoo.register("dcgan", "another")(lambda: None)


def test_every_cards_generated_tables_match_its_entry_and_presets():
    """The cards' options and presets tables are written from the entries' declared options and the
    presets' metadata, so they cannot drift."""
    assert load_script("zoo_cards").main(["--check"]) == 0
