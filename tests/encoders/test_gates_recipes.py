"""GATES / TA-GATES configs: frozen dataclasses with recipes computed from the space."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from archembed.encoders.gates import GATES
from archembed.encoders.gates_config import RECIPES, GatesConfig, TAGatesConfig
from archembed.encoders.tagates import TAGATES
from archembed.errors import ConfigError, UnknownNameError
from archembed.spaces import get_space
from archembed.spaces.generic import GenericSpace

RUNTIME = ("space", "seed", "device", "threads", "hidden")
"""Parameters a config leaves out (``hidden``: None there, resolved by the estimator)."""


@pytest.mark.parametrize(("config", "estimator"), [(GatesConfig, GATES), (TAGatesConfig, TAGATES)])
@pytest.mark.parametrize("space", ["nb201", "nb101"])
def test_default_recipe_is_the_constructor_defaults(config, estimator, space):
    """``default`` keeps today's numbers: it is exactly what ``GATES(space)`` builds."""
    chosen = get_space(space)
    recipe = config.recipe("default", chosen)
    params = estimator(chosen).get_params(deep=False)
    assert recipe.to_dict() == {k: v for k, v in params.items() if k not in RUNTIME} | {
        "hidden": None
    }
    assert recipe.build(chosen).get_params(deep=False) == params


def test_paper_recipe_is_the_tagates_nb201_configuration():
    paper = TAGatesConfig.recipe("paper", get_space("nb201"))
    assert (paper.batch_size, paper.epochs, paper.schedule, paper.min_steps) == (
        512,
        200,
        "constant",
        0,
    )
    assert (paper.symmetry, paper.update_ops, paper.detach_update) == ("add", "conv", True)
    assert (paper.steps, paper.step_size, paper.backward_dim) == (4, 0.1, 128)


def test_paper_recipe_adapts_to_a_space_without_networks_or_convolutions():
    space = GenericSpace(["gat", "sage", "skip"], 6, name="tiny-gnn")
    paper = TAGatesConfig.recipe("paper", space)
    assert (paper.symmetry, paper.update_ops) == ("none", "all")
    assert GatesConfig.recipe("paper", space).batch_size == 512


def test_fast_recipe_trains_a_small_model_quickly():
    space = get_space("nb201")
    fast = TAGatesConfig.recipe("fast", space)
    assert fast.hidden == (32,) * 4 and fast.steps == 2 and fast.min_steps == 0
    graphs = space.sample(40, np.random.default_rng(0))
    y = np.array([g.ops.count("nor_conv_3x3") for g in graphs], dtype=float)
    model = fast.build(space, seed=0).fit(graphs, y)
    assert np.asarray(model.predict(graphs)).shape == (40,)


def test_configs_are_frozen_and_overrides_are_checked():
    config = GatesConfig.recipe("default", get_space("nb201"), epochs=7)
    assert config.epochs == 7
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.epochs = 3  # type: ignore[misc]
    with pytest.raises(UnknownNameError, match="recipe"):
        GatesConfig.recipe("official", get_space("nb201"))
    with pytest.raises(ConfigError, match="unknown gates option 'steps'"):
        GatesConfig.recipe("default", get_space("nb201"), steps=3)
    with pytest.raises(ConfigError, match="dropout"):
        TAGatesConfig.recipe("fast", get_space("nb201"), dropout=1.5)
    assert set(RECIPES) == {"default", "paper", "fast"}
