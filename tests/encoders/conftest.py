"""Encoder tests train small torch models: one intra-op thread avoids oversubscribing CI cores."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from archembed.threads import torch_threads


@pytest.fixture(scope="module", autouse=True)
def _single_torch_thread():
    with torch_threads(1):
        yield


@pytest.fixture(scope="session")
def nb201_labelled_split(nb201_bench) -> Callable[..., tuple[Any, ...]]:
    """NB201 cifar10-valid cells at 200 epochs, permuted by ``seed``: training graphs and
    targets, then test graphs and targets (the next ``n_test`` cells)."""

    def split(seed: int, n_train: int, n_test: int) -> tuple[Any, ...]:
        graphs, y = nb201_bench.labels("cifar10-valid", "val_acc", 200)
        order = np.random.default_rng(seed).permutation(len(graphs))
        train, test = order[:n_train], order[n_train : n_train + n_test]
        return [graphs[i] for i in train], y[train], [graphs[i] for i in test], y[test]

    return split
