import numpy as np
import pytest

from archembed.benchmarks.protocols import search_protocol
from archembed.errors import ConfigError
from archembed.search import make_strategy
from archembed.search.budget import Budget
from archembed.search.loop import run_search
from archembed.search.objectives import BenchmarkObjective, FunctionObjective
from archembed.spaces import get_space
from archembed.spaces.restricted import RestrictedSpace


def test_time_budget_stops_when_simulated_seconds_are_spent():
    space = get_space("nb201")

    def train(graphs):
        return np.arange(len(graphs), dtype=float), np.full(len(graphs), 30.0)

    objective = FunctionObjective(
        train, RestrictedSpace(space, space.enumerate()[:500]), has_cost=True
    )
    strategy = make_strategy("random", objective.space, np.random.default_rng(0))
    trajectory, _ = run_search(strategy, objective, Budget(seconds=100), np.random.default_rng(0))
    assert len(trajectory) == 4  # 30 s each: 90 s < 100 s, the 4th query ends at 120 s
    assert trajectory["elapsed"].tolist() == [30.0, 60.0, 90.0, 120.0]


def test_budget_and_objective_errors():
    with pytest.raises(ConfigError):
        Budget()
    with pytest.raises(ConfigError):
        Budget(queries=0)
    space = get_space("nb201")
    objective = FunctionObjective(
        lambda graphs: [1.0], RestrictedSpace(space, space.sample(5, np.random.default_rng(0)))
    )
    strategy = make_strategy("random", objective.space, np.random.default_rng(0))
    with pytest.raises(ConfigError, match="finite scores"):
        run_search(strategy, objective, Budget(4), np.random.default_rng(0), batch_size=2)
    with pytest.raises(ConfigError, match="time budget"):
        run_search(strategy, objective, Budget(seconds=5), np.random.default_rng(0))


def test_nb201_protocol_reports_test_of_the_validation_incumbent(nb201_bench):
    search, test = search_protocol("nb201", "cifar10-valid")
    objective = BenchmarkObjective(nb201_bench, search, test)
    assert objective.space.size == 15625
    assert objective.optimum == pytest.approx(91.61, abs=0.01)
    assert objective.test_optimum == pytest.approx(94.37, abs=0.01)
    strategy = make_strategy("random", objective.space, np.random.default_rng(0))
    trajectory, _ = run_search(strategy, objective, Budget(50), np.random.default_rng(0))
    best = trajectory.loc[trajectory["val"].idxmax()]
    last = trajectory.iloc[-1]
    assert last["incumbent_val"] == best["val"]
    assert last["incumbent_test"] == best["test"]  # test of the validation winner, not max test
    assert (trajectory["regret"] >= 0).all() and trajectory["regret"].is_monotonic_decreasing


def test_noisy_objective_draws_training_seeds(nb201_bench):
    search, test = search_protocol("nb201", "cifar10-valid")
    objective = BenchmarkObjective(nb201_bench, search, test, noise=True)
    graphs = objective.space.sample(200, np.random.default_rng(0))
    observed = objective.evaluate(graphs, np.random.default_rng(1)).scores
    mean = objective.truth(graphs)["val"]
    assert not np.allclose(observed, mean)
    rows = [objective.space.index(g) for g in graphs]
    per_seed = objective.per_seed[rows]
    assert all(value in row for value, row in zip(observed, per_seed))
