"""Recipes of contrastive and locality pretraining: computed from the space, overridable, and
the ``default`` recipe is exactly the configuration the encoders had before recipes existed."""

from __future__ import annotations

import pytest
from tests.feature_stores import random_store

from archembed.encoders.contrastive import ContrastiveConfig, ContrastiveEncoder
from archembed.encoders.locality import LocalityConfig
from archembed.encoders.nao import NAOEncoder
from archembed.errors import ConfigError, UnknownNameError
from archembed.nets.feature_store import FeatureStore
from archembed.spaces.base import get_space

BEFORE_RECIPES = {
    "embed_dim": 256,
    "hidden": 128,
    "layers": 2,
    "temperature": 0.1,
    "batch_size": 512,
    "epochs": 30,
    "lr": 1e-3,
    "holdout": 0.1,
    "seed": 0,
}
"""The contrastive encoder's defaults before recipes (and `pretrain contrastive`'s)."""


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> FeatureStore:
    space = get_space("nb201")
    graphs = space.enumerate()[:12]
    return random_store(tmp_path_factory.mktemp("recipes") / "store", graphs)


def test_default_contrastive_recipe_is_the_configuration_before_recipes(store) -> None:
    assert ContrastiveConfig.recipe("default").to_dict() == BEFORE_RECIPES | {"lr_decay": 1.0}
    paths = [store.directory]
    recipe = ContrastiveEncoder.from_recipe("default", paths, progress=False)
    assert recipe.config() == ContrastiveEncoder.from_stores(paths, progress=False).config()


def test_paper_contrastive_recipe_is_the_official_training_and_decays_the_lr(store) -> None:
    paper = ContrastiveConfig.recipe("paper")
    assert (paper.hidden, paper.embed_dim, paper.layers) == (256, 256, 4)
    assert (paper.batch_size, paper.epochs, paper.lr, paper.lr_decay) == (1024, 30, 5e-5, 0.95)
    encoder = ContrastiveEncoder.from_recipe(
        "paper", [store.directory], epochs=3, batch_size=4, holdout=0.0, progress=False
    ).fit()
    assert len(encoder.history_) == 3
    assert encoder.config()["lr_decay"] == 0.95


def test_contrastive_overrides_win_and_run_options_pass_through(store) -> None:
    fast = ContrastiveEncoder.from_recipe(
        "fast", [store.directory], epochs=5, seed=3, partial=True, progress=False
    )
    assert (fast.epochs, fast.seed, fast.partial) == (5, 3, True)
    assert (fast.embed_dim, fast.hidden, fast.layers) == (32, 32, 1)
    with pytest.raises(ConfigError, match="temperature"):
        ContrastiveConfig.recipe("fast", temperature=0.0)
    with pytest.raises(ConfigError, match="unknown contrastive option 'depth'"):
        ContrastiveConfig.recipe("fast", depth=3)
    with pytest.raises(UnknownNameError, match="default, paper, fast"):
        ContrastiveEncoder.from_recipe("official", [store.directory])


def test_default_locality_recipe_is_the_configuration_before_recipes() -> None:
    assert LocalityConfig.recipe("default", "nb101") == LocalityConfig()
    controller = NAOEncoder.from_recipe("default", "nb201")
    assert controller.config() == NAOEncoder("nb201").config()
    assert controller.locality == LocalityConfig()


@pytest.mark.parametrize(
    ("space", "anchors", "max_edits"),
    [("nb201", 15_625, 1), ("nb101", 423_624, 3), ("darts", LocalityConfig.anchors, 3)],
)
def test_paper_locality_recipe_is_computed_from_the_space(space, anchors, max_edits) -> None:
    config = LocalityConfig.recipe("paper", space)
    assert (config.anchors, config.max_edits) == (anchors, max_edits)
    assert (config.positives + 1) * config.anchors_per_batch == 512  # official batch of cells
    assert (config.loss, config.lambda_e, config.epochs) == ("margin", 1.0, 2)


def test_locality_overrides_go_to_the_controller_or_the_pretraining() -> None:
    controller = NAOEncoder.from_recipe("paper", "nb201", epochs=1, lr=0.01, max_edits=2, seed=4)
    assert (controller.hidden, controller.lr, controller.seed) == (16, 0.01, 4)
    assert controller.epochs == NAOEncoder("nb201").epochs  # fit epochs untouched
    assert (controller.locality.epochs, controller.locality.max_edits) == (1, 2)
    assert controller.locality.seed == 4
    with pytest.raises(ConfigError, match="unknown locality option 'depth'"):
        NAOEncoder.from_recipe("paper", "nb201", depth=2)
    with pytest.raises(UnknownNameError, match="unknown locality recipe 'official'"):
        LocalityConfig.recipe("official", "nb201")


def test_a_locality_recipe_pretrains_from_python() -> None:
    controller = NAOEncoder.from_recipe("fast", "nb201", anchors=16, anchors_per_batch=8)
    controller.pretrain(progress=False)
    assert [row["epoch"] for row in controller.pretraining["history"]] == [1]
    assert controller.pretraining["anchors"] == 16
    assert controller.transform(get_space("nb201").enumerate()[:3]).shape == (3, 16)
