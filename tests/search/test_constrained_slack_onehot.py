"""Constrained BO with the slacks on one-hot: the objective's embedding and the slacks' one-hot
encoding side by side, each model reading only its own columns."""

import numpy as np
import pytest

from archembed.encoders import ENCODERS
from archembed.encoders.precomputed import PrecomputedEncoder
from archembed.errors import ConfigError
from archembed.search import make_strategy
from archembed.search.constrained_bo import LinearSlackGPs, SideBySide, SplitGPs
from archembed.search.mobo import ColumnGPs
from archembed.spaces import get_space
from archembed.spaces.restricted import RestrictedSpace


@pytest.fixture(scope="module")
def problem():
    """300 NB201 cells; an accuracy unrelated to the operations, embedded by itself (a perfect
    objective embedding that says nothing about latency); an additive latency, capped at its
    median."""
    base = get_space("nb201")
    graphs = base.enumerate()
    rng = np.random.default_rng(5)
    space = RestrictedSpace(base, [graphs[i] for i in rng.choice(len(graphs), 300, replace=False)])
    cells = space.enumerate()
    ops = sorted({op for g in cells for op in space.edge_ops(g)})
    cost = rng.uniform(0.0, 2.0, size=(6, len(ops)))
    latency = np.array(
        [sum(cost[e, ops.index(op)] for e, op in enumerate(space.edge_ops(g))) for g in cells]
    )
    accuracy = rng.uniform(60.0, 70.0, size=len(cells))
    ids = [space.identity(g) for g in cells]
    embedding = PrecomputedEncoder(space, ids, accuracy.reshape(-1, 1))
    return space, embedding, accuracy, np.median(latency) - latency


def test_side_by_side_puts_the_second_encoding_after_the_split(problem):
    space, embedding, accuracy, _ = problem
    onehot = ENCODERS.get("onehot")(space)
    inputs = SideBySide(embedding, onehot)
    assert inputs.split is None
    X = inputs.transform(space.enumerate()[:7])
    assert inputs.split == 1 and X.dtype == np.float32
    np.testing.assert_allclose(X[:, 0], accuracy[:7], rtol=1e-6)
    np.testing.assert_array_equal(X[:, 1:], onehot.transform(space.enumerate()[:7]))


def test_split_gps_model_the_slack_on_its_own_columns_only(problem):
    space, embedding, accuracy, slack = problem
    inputs = SideBySide(embedding, ENCODERS.get("onehot")(space))
    X = inputs.transform(space.enumerate()).astype(np.float64)
    gps = SplitGPs(
        inputs,
        ColumnGPs(ard=True, fit_maxiter=20, refit_every=5),
        LinearSlackGPs(ard=True, fit_maxiter=20, refit_every=5, linear_from=0),
    )
    Y = np.column_stack([accuracy, slack])
    mean, std = gps.fit(X[:60], Y[:60], np.random.default_rng(0)).predict(X)
    assert mean.shape == std.shape == (len(X), 2)
    assert np.abs(mean[:, 1] - slack).max() < 1e-3  # additive in the one-hot operations
    assert np.corrcoef(mean[60:, 0], accuracy[60:])[0, 1] > 0.9  # read from the embedding
    assert gps.objective.gps[0].train_x_.shape[1] == 1


def search(problem, queries: int, **params) -> tuple[list[int], int]:
    """The rows constrained BO asks for, and the row of its incumbent."""
    space, embedding, accuracy, slack = problem
    strategy = make_strategy(
        "constrained_bo",
        space,
        np.random.default_rng(1),
        embedding,
        n_init=6,
        fit_maxiter=20,
        refit_every=6,
        **params,
    )
    row = {space.identity(g): i for i, g in enumerate(space.enumerate())}
    asked: list[int] = []
    while len(asked) < queries:
        graphs = strategy.ask(1)
        index = [row[space.identity(g)] for g in graphs]
        strategy.tell(graphs, accuracy[index].reshape(-1, 1), slack[index].reshape(-1, 1))
        asked.extend(index)
    return asked, row[space.identity(strategy.incumbent())]


@pytest.mark.slow
def test_slack_onehot_learns_the_cap_an_embedding_cannot_see(problem):
    _, _, accuracy, slack = problem
    feasible = slack >= 0
    blind, _ = search(problem, 40)
    asked, best = search(problem, 40, slack_onehot=True, linear_slack=True)
    assert (~feasible[asked]).sum() < (~feasible[blind]).sum() / 2
    assert feasible[asked[30:]].all()
    assert accuracy[best] == accuracy[feasible].max()


def test_slack_onehot_takes_only_a_boolean(problem):
    space, embedding, _, _ = problem
    with pytest.raises(ConfigError, match="slack_onehot must be true or false"):
        make_strategy("constrained_bo", space, np.random.default_rng(0), embedding, slack_onehot=2)
