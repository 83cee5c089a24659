"""arch2vec configs and recipes: computed from the space, overridable, frozen, on the CLI."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from tests.cli.fuzzing import assert_input_error, invoke

from archembed.cli.models import ARCH2VEC_RECIPES
from archembed.encoders.arch2vec import RECIPES, Arch2Vec, Arch2VecConfig
from archembed.encoders.arch2vec.data import graph_batch
from archembed.encoders.arch2vec.training import TrainingRun
from archembed.errors import ConfigError, UnknownNameError
from archembed.nn.training import EpochRandom
from archembed.spaces import get_space


def test_official_recipe_derives_the_loss_scaling_from_the_space() -> None:
    nb201 = Arch2VecConfig.recipe("official", "nb201")
    assert (nb201.adj_weight, nb201.kl_weight) == (7 / 16, 1 / (32 * 8))  # 0.4375, 0.0039
    nb101 = Arch2VecConfig.recipe("official", get_space("nb101"))
    assert nb101.adj_weight == pytest.approx(0.4286, abs=1e-4)
    assert nb101.kl_weight == pytest.approx(0.00446, abs=1e-5)
    assert (nb201.batch_size, nb201.decoder_dropout, nb201.stochastic_epochs) == (32, 0.3, 1)
    assert (nb201.op_loss, nb201.grad_clip) == ("sigmoid", 5.0)
    assert (nb201.data_order, nb201.latent_stats) == ("fixed", "last-epoch")


def test_overrides_win_and_the_kl_scaling_follows_the_batch_size() -> None:
    config = Arch2VecConfig.recipe("official", "nb201", batch_size=64, grad_clip=None)
    assert config.batch_size == 64 and config.grad_clip is None
    assert config.kl_weight == 1 / (64 * 8)
    assert Arch2VecConfig.recipe("official", "nb201", kl_weight=0.01).kl_weight == 0.01


def test_default_plain_paper_and_fast_recipes() -> None:
    assert Arch2VecConfig.recipe("plain", "nb201") == Arch2VecConfig(adj_offset=None)
    # the default is the recipe that searched best where it was measured (NB201), else plain
    official = Arch2VecConfig.recipe("official", "nb201")
    assert Arch2VecConfig.recipe("default", "nb201") == official
    assert Arch2VecConfig.recipe("default", "nb101") == Arch2VecConfig.recipe("plain", "nb101")
    paper = Arch2VecConfig.recipe("paper", "nb101")
    assert (paper.batch_size, paper.epochs, paper.lr) == (32, 8, 1e-3)
    fast = Arch2Vec.from_recipe("fast", "nb201")
    assert fast.n_epochs <= 2 and fast.settings.hidden == (32, 32)
    assert set(RECIPES) == set(ARCH2VEC_RECIPES)  # the CLI's help lists the recipes


def test_config_is_frozen_validated_and_readable_from_the_model() -> None:
    config = Arch2VecConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.lr = 0.1  # type: ignore[misc]
    with pytest.raises(UnknownNameError, match="official, paper, dag, fast"):
        Arch2VecConfig.recipe("best", "nb201")
    with pytest.raises(ConfigError, match="unknown arch2vec option 'lrate'"):
        Arch2VecConfig.recipe("official", "nb201", lrate=0.1)
    model = Arch2Vec("nb201", config, epochs=3)
    assert model.epochs == 3 and model.config()["epochs"] == 3
    model.kl_weight = 0.01
    assert model.settings.kl_weight == 0.01
    with pytest.raises(ConfigError, match="kl_weight"):
        model.kl_weight = -1.0


def test_fixed_order_reuses_epoch_zero_and_eval_mode_follows_stochastic_epochs() -> None:
    space = get_space("nb201")
    graphs = space.enumerate()[:100]
    with pytest.raises(ConfigError, match="data order"):
        Arch2Vec(space, data_order="sorted")
    for order, equal in (("fixed", True), ("reshuffle", False)):
        encoder = Arch2Vec(space, hidden=(8,), data_order=order, stochastic_epochs=1)
        model = encoder.new_model()
        data = graph_batch(*space.tensors(graphs))
        run = TrainingRun(encoder, model, data, None, graphs, set())
        epochs = []
        for epoch in range(2):
            indices = [item[0] for item in run.batches(EpochRandom(0, epoch))]
            epochs.append(np.concatenate(indices))
            assert model.training == (epoch == 0)
        assert np.array_equal(epochs[0], epochs[1]) == equal
        assert sorted(epochs[0].tolist()) == list(range(100))


def test_cli_recipe_flags_override_and_unknown_recipe_is_one_line(tmp_path) -> None:
    assert_input_error(
        ["pretrain", "arch2vec", "--space", "nb201", "--recipe", "best", "--out", str(tmp_path)],
        "unknown arch2vec recipe 'best'; choose one of: default, plain, official, paper, dag, fast",
    )
    out = tmp_path / "model"
    args = ["pretrain", "arch2vec", "--space", "nb201", "--recipe", "official", "--samples"]
    result = invoke([*args, "40", "--epochs", "1", "--batch-size", "16", "--out", str(out)])
    assert result.code == 0, result.stderr
    saved = json.loads((out / "config.json").read_text())["params"]
    params = Arch2Vec.from_config(get_space("nb201"), saved).settings
    assert (params.batch_size, params.epochs, params.decoder_dropout) == (16, 1, 0.3)
    assert params.kl_weight == 1 / (16 * 8)  # the official scaling at the given batch size
