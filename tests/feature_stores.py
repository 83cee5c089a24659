"""A small feature store of random sets, for tests of the contrastive encoder and experiments."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from archembed.graph import ArchGraph
from archembed.nets.feature_store import FeatureStore
from archembed.spaces.base import get_space


def random_store(
    directory: Path,
    graphs: Sequence[ArchGraph],
    seed: int = 0,
    n_inits: int = 2,
    space_name: str = "nb201",
    params: dict | None = None,
) -> FeatureStore:
    """``graphs`` (cells of ``space_name``) with ``n_inits`` inits x 4 points x 3 random values
    each, written; ``params`` added to the store's parameters."""
    space = get_space(space_name)
    store = FeatureStore.create(
        directory,
        space_name,
        [space.identity(g) for g in graphs],
        [space.to_native(g) for g in graphs],
        n_inits=n_inits,
        n_points=4,
        dim=3,
        params={"k": 3, **(params or {})},
    )
    values = (
        np.random.default_rng(seed).normal(size=(len(graphs), n_inits, 4, 3)).astype(np.float32)
    )
    store.write(np.arange(len(graphs)), values)
    return store
