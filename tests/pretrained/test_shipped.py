"""The models shipped in the package: files, cards, metrics, loading by name."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pytest

import archembed as ae
from archembed.errors import UnknownNameError
from archembed.pretrained import (
    NAMES,
    file_digests,
    from_pretrained,
    load_card,
    model_size,
    pretrained_path,
    resolve_model,
)
from archembed.pretrained.build import card_metrics, embedding_sample

MAX_BYTES = 4 * 1024 * 1024
"""A shipped model stays a few MB at most."""


@cache
def shipped(name: str):
    """One shipped model, loaded once per test session."""
    return from_pretrained(name)


@pytest.mark.parametrize("name", NAMES)
def test_shipped_files_have_the_digests_and_size_of_their_card(name):
    card = load_card(name)
    assert card["name"] == name
    assert file_digests(pretrained_path(name)) == card["files"]
    assert 10_000 < model_size(name) < MAX_BYTES
    store = " --features STORE" if card["encoder"] == "contrastive" else ""
    assert card["rebuild"] == f"python -m archembed.pretrained.build {name}{store} --out DIR"


@pytest.mark.parametrize("name", NAMES)
def test_shipped_config_is_the_cards_recipe_and_seed(name):
    card = load_card(name)
    config = json.loads((pretrained_path(name) / "config.json").read_text())
    if card["encoder"] == "contrastive":  # a table of the embeddings, with the trained encoder
        assert (config["encoder"], config["space"]) == ("embedding-table", card["space"])
        table = config["params"]
        assert (table["dim"], table["dtype"]) == tuple(
            card["table"][k] for k in ("components", "dtype")
        )
        portable = {"features": [], "partial": False, "device": "cpu"}
        assert table["source_params"] == {**card["recipe"], "seed": card["seed"], **portable}
        return
    assert (config["encoder"], config["space"]) == (card["encoder"], card["space"])
    if card["encoder"] == "nao":  # a locality-pretrained controller records its pretraining
        trained = config["params"]["pretraining"]
        set_in_card = {k: v for k, v in card["recipe"].items() if v is not None}  # None: default
        assert {k: trained[k] for k in set_in_card} == set_in_card
        assert trained["seed"] == card["seed"] and trained["method"] == "locality"
    else:
        assert config["params"] == {**card["recipe"], "seed": card["seed"]}


@pytest.mark.parametrize(
    "name", [n for n in NAMES if n not in ("arch2vec-nasbench_graph", "contrastive-nb201")]
)
def test_shipped_model_reaches_the_metrics_of_its_card(name):
    card = load_card(name)
    measured = card_metrics(shipped(name), card)
    assert measured == pytest.approx(card["metrics"], abs=2e-3)  # another CPU's rounding


@pytest.mark.parametrize("name", NAMES)
def test_shipped_model_embeds_a_sample_as_its_card_says(name):
    expected = np.asarray(load_card(name)["embedding_sample"])
    np.testing.assert_allclose(embedding_sample(shipped(name)), expected, atol=2e-6)
    assert expected.shape[0] == 8 and np.isfinite(expected).all()


def test_from_pretrained_embeds_every_nb201_cell():
    model = ae.from_pretrained("arch2vec-nb201")
    assert model.space.name == "nb201"
    graphs = ae.load_space("nb201").enumerate()
    embeddings = model.transform(graphs)
    assert embeddings.shape == (15_625, 16) and np.isfinite(embeddings).all()
    assert len(np.unique(embeddings.round(4), axis=0)) > 15_000  # cells are told apart


def test_an_unknown_name_lists_the_shipped_models():
    with pytest.raises(UnknownNameError) as caught:
        ae.from_pretrained("arch2vec-nb999")
    assert all(name in str(caught.value) for name in NAMES)
    with pytest.raises(UnknownNameError):
        resolve_model("pretrained:")


def test_resolve_model_maps_only_the_prefix():
    assert resolve_model("pretrained:locality-nb201") == str(pretrained_path("locality-nb201"))
    assert resolve_model("runs/a2v") == "runs/a2v"
    assert resolve_model("onehot") == "onehot"
