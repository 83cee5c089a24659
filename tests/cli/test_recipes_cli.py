"""`pretrain locality --recipe` and `pretrain contrastive --recipe` train with the recipe's
settings, and an option given on the command line overrides the recipe's value."""

from __future__ import annotations

import json

from tests.feature_stores import random_store
from typer.testing import CliRunner

from archembed.cli import app
from archembed.encoders.base import load_encoder
from archembed.spaces.base import get_space

QUIET = ["--threads", "1", "--quiet", "--json"]


def test_locality_recipe_with_overrides(data_root, tmp_path) -> None:
    args = ["pretrain", "locality", "--space", "nb201", "--recipe", "paper", "--out"]
    small = ["--anchors", "32", "--anchors-per-batch", "8", "--epochs", "1", *QUIET]
    done = CliRunner().invoke(app, [*args, str(tmp_path / "m"), *small])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["recipe"] == "paper"
    model = load_encoder(tmp_path / "m")
    assert model.hidden == 16  # the recipe's controller
    settings = model.pretraining
    assert (settings["anchors"], settings["anchors_per_batch"]) == (32, 8)  # overridden
    assert (settings["max_edits"], settings["lambda_e"], settings["positives"]) == (1, 1.0, 7)


def test_contrastive_recipe_with_overrides(tmp_path) -> None:
    space = get_space("nb201")
    graphs = space.enumerate()[:24]
    random_store(tmp_path / "store", graphs)
    args = ["pretrain", "contrastive", "--features", str(tmp_path / "store"), "--recipe", "fast"]
    done = CliRunner().invoke(app, [*args, "--epochs", "1", "--out", str(tmp_path / "m"), *QUIET])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert (summary["recipe"], summary["epochs"]) == ("fast", 1)
    model = load_encoder(tmp_path / "m")
    assert (model.embed_dim, model.hidden, model.batch_size) == (32, 32, 128)
    assert model.transform(graphs[:3]).shape == (3, 32)
