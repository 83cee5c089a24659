"""Table 2 protocol (size <-> topology transfer): split sizes, disjointness, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from archembed.errors import ConfigError
from archembed.experiments.space_transfer import (
    principal_singular_values,
    space_split,
    transfer_runs,
)


@pytest.mark.parametrize("space", ["nats_sss", "nb201"])
def test_split_sizes_are_exact_and_disjoint(space):
    train, test = space_split(500, 300, 120, seed=3, space=space)
    assert len(train) == 300 and len(test) == 120
    assert len(np.union1d(train, test)) == 420
    assert train.max() < 500 and test.min() >= 0


def test_splits_are_deterministic_per_seed_and_space():
    first = space_split(1000, 100, 50, seed=1, space="nb201")
    again = space_split(1000, 100, 50, seed=1, space="nb201")
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    other_seed = space_split(1000, 100, 50, seed=2, space="nb201")
    other_space = space_split(1000, 100, 50, seed=1, space="nats_sss")
    assert not np.array_equal(first[0], other_seed[0])
    assert not np.array_equal(first[0], other_space[0])


def test_split_larger_than_the_features_is_a_user_error():
    with pytest.raises(ConfigError, match="lower --n-train or --n-test"):
        space_split(100, 90, 20, seed=0, space="nats_sss")


def _domains() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    X_size, X_top = rng.normal(size=(120, 10)), rng.normal(size=(150, 10))
    return {"nats_sss": (X_size, X_size[:, 0] * 3), "nb201": (X_top, X_top[:, 0] * 3)}


def test_transfer_runs_cover_the_four_pairs_and_repeat_exactly():
    rows, first = transfer_runs(_domains(), n_train=80, n_test=30, seeds=[0, 1])
    pairs = [(r["source"], r["target"]) for r in rows]
    assert sorted(pairs) == [
        ("size", "size"),
        ("size", "topology"),
        ("topology", "size"),
        ("topology", "topology"),
    ]
    assert all(len(r["runs"]) == 2 for r in rows)
    assert all(len(truth) == 30 == len(pred) for truth, pred in first.values())
    # the label is the first feature in both spaces, so every pair ranks well
    assert min(r["kendall_tau"] for r in rows) > 0.5
    again, _ = transfer_runs(_domains(), n_train=80, n_test=30, seeds=[0, 1])
    assert again == rows


def test_principal_singular_values_average_over_inits():
    features = np.zeros((1, 2, 3, 2), dtype=np.float32)
    features[0, 0, 0, 0] = 2.0
    features[0, 1, 1, 1] = 4.0
    np.testing.assert_allclose(principal_singular_values(features), [3.0])
