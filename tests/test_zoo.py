import pytest

from keras_gen import zoo


def test_list_names_every_entry_with_a_description():
    entries = zoo.list()
    assert {"gan", "dcgan"} <= set(entries)
    assert all(isinstance(d, str) and d for d in entries.values())


def test_build_returns_a_compiled_model_with_paper_defaults():
    model = zoo.build("dcgan")
    assert model.compiled
    assert model.latent_dim == 100
    assert float(model.generator_optimizer.learning_rate) == pytest.approx(2e-4)
    assert float(model.discriminator_optimizer.beta_1) == pytest.approx(0.5)


def test_unknown_name_suggests_close_matches():
    with pytest.raises(KeyError, match="Did you mean 'dcgan'"):
        zoo.build("dcgn")


def test_unknown_option_lists_the_valid_ones():
    with pytest.raises(TypeError, match=r"Unknown option\(s\) \['latent_size'\].*latent_dim=100"):
        zoo.build("dcgan", latent_size=10)


def test_register_rejects_a_second_entry_with_the_same_name():
    with pytest.raises(ValueError, match="already registered"):
        zoo.register("dcgan", "another")(lambda: None)


def test_every_cards_options_table_matches_its_entry():
    """The cards' tables are written from the entries' declared options, so they cannot drift."""
    import importlib.util
    import os

    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "scripts", "zoo_cards.py")
    spec = importlib.util.spec_from_file_location("zoo_cards", path)
    cards = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cards)
    assert cards.main(["--check"]) == 0
