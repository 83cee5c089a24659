"""The shipped contrastive-nb201 model: a table of every NB201 cell's embedding plus the
trained contrastive encoder; used wherever a model is named, without a feature store."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from tests.cli.fuzzing import assert_input_error, invoke
from tests.feature_stores import random_store

import archembed as ae
from archembed.encoders.contrastive import ContrastiveEncoder
from archembed.encoders.table import ids_digest
from archembed.io import set_data_dir
from archembed.predictors.models import check_predictors, parse_spec
from archembed.pretrained import NAMES, pretrained_path
from archembed.pretrained.build import card_metrics, recipe_card
from archembed.pretrained.build import main as build_main

NAME = "contrastive-nb201"
NB201 = ae.load_space("nb201")
shipped = pytest.mark.skipif(
    NAME not in NAMES,
    reason=f"{NAME} has a card but no model files yet: build them as docs/guides/pretrained.md says",
)


@pytest.fixture(scope="module")
def model():
    return ae.from_pretrained(NAME)


@shipped
def test_it_embeds_every_nb201_cell_in_seconds(model):
    card = recipe_card(NAME)
    started = time.process_time()
    loaded = ae.from_pretrained(NAME)
    X = loaded.transform(NB201.enumerate())
    assert time.process_time() - started < 10  # CPU seconds: a table lookup, no features
    assert X.shape == (15_625, card["table"]["components"]) and X.dtype == np.float32
    assert np.isfinite(X).all()
    assert len(np.unique(X, axis=0)) > 15_000  # cells are told apart


@shipped
def test_the_table_rows_follow_the_spaces_enumeration(model):
    config = json.loads((pretrained_path(NAME) / "config.json").read_text())
    assert config["params"]["ids_sha256"] == ids_digest(
        [NB201.identity(g) for g in NB201.enumerate()]
    )
    assert config["params"]["dtype"] == recipe_card(NAME)["table"]["dtype"] == "float16"


@shipped
def test_the_trained_encoder_ships_with_the_table(model):
    card = recipe_card(NAME)
    source = model.source_model()
    assert isinstance(source, ContrastiveEncoder) and source.features == []
    assert (source.n_points_, source.in_dim_) == (64, 128)
    assert source.embed_dim == card["recipe"]["embed_dim"]
    assert len(source.history_) == card["recipe"]["epochs"]
    assert source.history_[-1]["loss"] == card["metrics"]["train_loss"]
    assert source.history_[-1]["heldout_loss"] == card["metrics"]["heldout_loss"]
    assert model.basis_.shape == (card["table"]["components"], card["recipe"]["embed_dim"])


@shipped
def test_other_architectures_are_one_clear_error(model, tmp_path):
    nb101 = ae.load_space("nb101").sample(1, np.random.default_rng(0))
    with pytest.raises(ae.UserError, match="not in this table of the 15625 nb201") as caught:
        model.transform(nb101)
    assert "\n" not in str(caught.value)
    args = ["embed", f"pretrained:{NAME}", "--space", "nb101", "--out", tmp_path / "e.parquet"]
    assert_input_error(args, "cannot embed 'nb101'")
    assert not any(tmp_path.iterdir())


@shipped
def test_embed_writes_the_table(model, tmp_path):
    import pandas as pd

    out = tmp_path / "nb201.parquet"
    result = invoke(["embed", f"pretrained:{NAME}", "--out", out, "--quiet", "--json"])
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["encoder"] == "contrastive"
    table = pd.read_parquet(out)
    assert len(table) == 15_625
    graphs = [NB201.from_native(text) for text in table["native"][:5]]
    np.testing.assert_array_equal(np.stack(table["embedding"][:5]), model.transform(graphs))


@shipped
def test_predictors_take_it_as_the_contrastive_model():
    spec = parse_spec("contrastive+gp")
    check_predictors([spec], NB201, {}, {"contrastive": f"{pretrained_path(NAME)}"})


@shipped
def test_the_card_metrics_are_reproduced_from_the_table(model, data_root):
    card = recipe_card(NAME)
    assert card_metrics(model, card) == pytest.approx(card["metrics"], abs=2e-3)


def test_rebuild_needs_the_cards_feature_store(tmp_path, capsys):
    out = tmp_path / "model"
    assert build_main([NAME, "--out", str(out)]) == 2
    assert "--features STORE" in capsys.readouterr().err
    store = random_store(tmp_path / "store", NB201.enumerate()[:10])
    assert build_main([NAME, "--features", str(store.directory), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "other features" in error
    assert not out.exists()


def test_rebuild_without_a_data_directory_fails_before_training(tmp_path, capsys, monkeypatch):
    import archembed.pretrained.build as build

    monkeypatch.setattr(build, "check_store", lambda card, features: None)
    monkeypatch.delenv("ARCHEMBED_DATA", raising=False)
    monkeypatch.setattr(build, "train", lambda *args: pytest.fail("trained without data"))
    previous = set_data_dir(None)
    try:
        out = tmp_path / "model"
        assert build_main([NAME, "--features", str(tmp_path), "--out", str(out)]) == 2
    finally:
        set_data_dir(previous)
    assert capsys.readouterr().err.startswith("error: no data directory")
    assert not out.exists()


@shipped
def test_run_files_name_it():
    from archembed.experiments.config import parse_config

    spec = {"name": "c", "model": f"pretrained:{NAME}"}
    config = parse_config(
        {
            "name": "x",
            "benchmarks": ["nb201/cifar10-valid"],
            "strategies": ["bo"],
            "encoders": [spec],
        }
    )
    assert config.encoders[0].model == pretrained_path(NAME)


@shipped
@pytest.mark.slow
def test_search_runs_with_it(data_root, tmp_path):
    out = tmp_path / "run"
    args = ["search", "--benchmark", "nb201/cifar10-valid", "--strategy", "bo"]
    args += ["--encoder", f"pretrained:{NAME}", "--queries", "12", "--seeds", "1", "--threads", "1"]
    result = invoke([*args, "--out", out, "--quiet", "--json"])
    assert result.code == 0, result.stderr
    (summary,) = out.glob("*/summary.json")
    assert json.loads(summary.read_text())["queries"] == 12


def test_a_trained_model_must_have_the_cards_recipe_and_store(tmp_path):
    from archembed.errors import ConfigError
    from archembed.pretrained.build import trained_model

    store = random_store(tmp_path / "store", NB201.enumerate()[:40])
    fast = ContrastiveEncoder.from_recipe("fast", [store.directory], epochs=1, progress=False)
    fast.fit().save(tmp_path / "fast")
    card = recipe_card(NAME)
    with pytest.raises(ConfigError, match="recipe and seed"):
        trained_model(card, tmp_path / "fast", store.directory)
    recipe = {k: v for k, v in fast.config().items() if k in card["recipe"]}
    same = {**card, "recipe": recipe}
    assert trained_model(same, tmp_path / "fast", store.directory).history_ == fast.history_
    with pytest.raises(ConfigError, match="was trained on"):
        trained_model(same, tmp_path / "fast", tmp_path / "elsewhere")
