"""Table 2 protocol (size <-> topology transfer): split sizes, disjointness, determinism."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from archembed.errors import ConfigError
from archembed.experiments.space_transfer import (
    fitted_forest,
    forest_predictions,
    principal_singular_values,
    size_split,
    space_split,
    table2_report,
    training_size_runs,
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


@pytest.mark.parametrize(("space", "n_archs"), [("nats_sss", 32_768), ("nb201", 15_625)])
def test_the_paper_sizes_are_the_default_and_fit_every_cell_of_each_space(space, n_archs):
    defaults = inspect.signature(table2_report).parameters
    n_train, n_test = defaults["n_train"].default, defaults["n_test"].default
    assert (n_train, n_test) == (10_000, 3_000)
    train, test = space_split(n_archs, n_train, n_test, seed=9, space=space)
    assert len(np.unique(train)) == n_train and len(np.unique(test)) == n_test
    assert not np.intersect1d(train, test).size
    assert max(train.max(), test.max()) < n_archs


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


def test_size_splits_share_the_test_cells_and_nest_the_training_cells():
    test, (small, large) = size_split(400, [50, 200], 100, seed=4, space="nats_sss")
    assert len(test) == 100 and (len(small), len(large)) == (50, 200)
    assert np.array_equal(small, large[:50])
    assert not np.intersect1d(test, large).size
    again, _ = size_split(400, [10, 300], 100, seed=4, space="nats_sss")
    assert np.array_equal(test, again)
    with pytest.raises(ConfigError, match="lower --n-train or --n-test"):
        size_split(400, [50, 301], 100, seed=4, space="nats_sss")


def test_training_size_runs_pair_every_size_with_the_same_forest_seeds():
    rows = training_size_runs(_domains(), sizes=[10, 80], n_test=30, seeds=[0, 1])
    assert sorted({(r["n_train"], r["source"], r["target"]) for r in rows}) == sorted(
        (n, s, t) for n in (10, 80) for s in ("size", "topology") for t in ("size", "topology")
    )
    assert all(len(r["runs"]) == 2 for r in rows)
    tau = {(r["n_train"], r["source"], r["target"]): r["kendall_tau"] for r in rows}
    assert tau[(80, "size", "size")] > 0.5
    assert training_size_runs(_domains(), sizes=[10, 80], n_test=30, seeds=[0, 1]) == rows


def test_principal_singular_values_average_over_inits():
    features = np.zeros((1, 2, 3, 2), dtype=np.float32)
    features[0, 0, 0, 0] = 2.0
    features[0, 1, 1, 1] = 4.0
    np.testing.assert_allclose(principal_singular_values(features), [3.0])


def _per_init(domains: dict, noise: float = 0.1) -> dict:
    """Two noisy inits per cell around each cell's features: (n, 2, d)."""
    rng = np.random.default_rng(1)
    return {
        s: (X[:, None, :] + noise * rng.normal(size=(len(X), 2, X.shape[1])), y)
        for s, (X, y) in domains.items()
    }


def test_per_init_rows_train_on_every_init_and_average_the_predictions():
    X, y = _per_init(_domains())["nats_sss"]
    model = fitted_forest(X, y, seed=0)
    drawn = {tree.tree_.weighted_n_node_samples[0] for tree in model.model_.estimators_}
    assert drawn == {2 * len(X)}  # every tree's bootstrap draws n x inits rows
    per_row = model.predict(X.reshape(-1, X.shape[-1])).reshape(len(X), 2)
    np.testing.assert_allclose(forest_predictions(model, X), per_row.mean(axis=1))
    rows, first = transfer_runs(_per_init(_domains()), n_train=80, n_test=30, seeds=[0])
    assert min(r["kendall_tau"] for r in rows) > 0.5
    assert all(len(pred) == 30 for _, pred in first.values())


def test_a_split_seed_keeps_one_split_for_every_run():
    fixed, first = transfer_runs(_domains(), n_train=80, n_test=30, seeds=[3], split_seed=7)
    _, drawn = transfer_runs(_domains(), n_train=80, n_test=30, seeds=[7])
    _, other = transfer_runs(_domains(), n_train=80, n_test=30, seeds=[3])
    for pair, (truth, _) in first.items():
        assert np.array_equal(truth, drawn[pair][0])
        assert not np.array_equal(truth, other[pair][0])
    again, _ = transfer_runs(_domains(), n_train=80, n_test=30, seeds=[3], split_seed=7)
    assert again == fixed
