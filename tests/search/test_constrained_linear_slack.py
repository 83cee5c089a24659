"""The additive latency model of constrained BO: Bayesian linear regression plus a residual GP."""

import numpy as np
import pytest

from archembed.encoders import ENCODERS
from archembed.errors import ConfigError
from archembed.search import make_strategy
from archembed.search.constrained_bo import BayesianLinear, LinearSlackGPs
from archembed.spaces import get_space
from archembed.spaces.restricted import RestrictedSpace


@pytest.fixture(scope="module")
def additive():
    """300 NB201 cells, their one-hot embeddings and a latency that is a random cost per
    (edge, operation) summed over the six edges, as FPGA and Eyeriss latencies are."""
    base = get_space("nb201")
    graphs = base.enumerate()
    rng = np.random.default_rng(3)
    space = RestrictedSpace(base, [graphs[i] for i in rng.choice(len(graphs), 300, replace=False)])
    ops = sorted({op for g in space.enumerate() for op in space.edge_ops(g)})
    cost = rng.uniform(0.0, 2.0, size=(6, len(ops)))
    latency = np.array(
        [
            sum(cost[e, ops.index(op)] for e, op in enumerate(space.edge_ops(g)))
            for g in space.enumerate()
        ]
    )
    encoder = ENCODERS.get("onehot")(space)
    return space, encoder, encoder.transform(space.enumerate()).astype(np.float64), latency


def test_bayesian_linear_learns_an_additive_latency_exactly(additive):
    _, _, X, latency = additive
    model = BayesianLinear().fit(X[:60], latency[:60])
    mean, std = model.predict(X)
    assert np.abs(mean - latency).max() < 1e-6
    assert std.max() < 1e-3


def test_bayesian_linear_is_uncertain_where_the_data_says_nothing(additive):
    _, _, X, latency = additive
    few = BayesianLinear().fit(X[:8], latency[:8])
    mean, std = few.predict(X)
    train, rest = std[:8], std[8:]
    assert rest.mean() > 10 * train.mean()  # unseen operations keep the prior's spread
    inside = np.abs(mean[8:] - latency[8:]) <= 3 * rest
    assert inside.mean() > 0.8  # and that spread covers the truth


def test_bayesian_linear_estimates_the_noise_of_non_additive_targets(additive):
    _, _, X, latency = additive
    noisy = latency + np.random.default_rng(0).normal(0.0, 0.3, len(latency))
    model = BayesianLinear().fit(X[:200], noisy[:200])
    mean, _ = model.predict(X[200:])
    assert np.abs(mean - latency[200:]).mean() < 0.3  # averages the noise out


def test_linear_slack_gps_predict_the_slack_and_leave_the_objective_to_the_gp(additive):
    _, _, X, latency = additive
    accuracy = -((X[:, :10] - 0.5) ** 2).sum(axis=1)
    Y = np.column_stack([accuracy, 4.0 - latency])
    gps = LinearSlackGPs(ard=True, fit_maxiter=20, refit_every=5, linear_from=1)
    mean, std = gps.fit(X[:50], Y[:50], np.random.default_rng(0)).predict(X)
    assert np.abs(mean[:, 1] - Y[:, 1]).max() < 1e-3
    assert std[50:, 1].max() < 0.05
    assert len(gps.linear) == 1 and std[50:, 0].min() > std[50:, 1].max()


@pytest.mark.slow
def test_constrained_bo_with_linear_slack_stops_querying_infeasible_cells(additive):
    space, encoder, _, latency = additive
    slack = (np.median(latency) - latency).reshape(-1, 1)
    accuracy = latency.reshape(-1, 1)  # the slower the better: the cap binds
    strategy = make_strategy(
        "constrained_bo",
        space,
        np.random.default_rng(1),
        encoder,
        n_init=6,
        fit_maxiter=20,
        refit_every=6,
        linear_slack=True,
    )
    row = {space.identity(g): i for i, g in enumerate(space.enumerate())}
    asked = []
    while len(asked) < 60:
        graphs = strategy.ask(1)
        index = [row[space.identity(g)] for g in graphs]
        strategy.tell(graphs, accuracy[index], slack[index])
        asked.extend(index)
    late = np.array(asked[40:])
    assert (slack[late, 0] >= 0).all()
    best = row[space.identity(strategy.incumbent())]
    assert accuracy[best, 0] == accuracy[slack[:, 0] >= 0].max()


def test_linear_slack_takes_only_a_boolean(additive):
    space, encoder, _, _ = additive
    with pytest.raises(ConfigError, match="linear_slack must be true or false"):
        make_strategy("constrained_bo", space, np.random.default_rng(0), encoder, linear_slack=1)
