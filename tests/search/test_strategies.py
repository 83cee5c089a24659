import numpy as np
import pytest
import torch
from tests.nb201_search import all_nb201_cells

from archembed.encoders import ENCODERS
from archembed.encoders.precomputed import precompute
from archembed.errors import ConfigError
from archembed.search import STRATEGIES, make_strategy
from archembed.search.acquisition import log_expected_improvement, top_k
from archembed.search.budget import Budget
from archembed.search.loop import run_search
from archembed.search.objectives import FunctionObjective
from archembed.spaces import get_space
from archembed.spaces.candidates import CandidatePool
from archembed.spaces.restricted import RestrictedSpace

EMBEDDING_STRATEGIES = ["bo", "dngo", "reinforce"]
FAST = {
    "bo": {"n_init": 5, "q": 10, "fit_maxiter": 20},
    "dngo": {"n_init": 5, "q": 10, "epochs": 100},
}


@pytest.fixture(scope="module")
def nb201():
    return all_nb201_cells()


def conv_count(space):
    """Synthetic objective with a known optimum: number of 3x3 convolutions (max 6)."""

    def score(graphs):
        return [float(sum(op == "nor_conv_3x3" for op in space.edge_ops(g))) for g in graphs]

    return score


@pytest.mark.parametrize("name", ["random", "evolution", "local", *EMBEDDING_STRATEGIES])
def test_strategy_runs_without_duplicates_and_improves(nb201, name):
    encoder = precompute(ENCODERS.get("onehot")(nb201.base), nb201)
    objective = FunctionObjective(conv_count(nb201.base), nb201)
    found = []
    for seed in range(2):
        strategy = make_strategy(
            name, nb201, np.random.default_rng(seed), encoder, **FAST.get(name, {})
        )
        trajectory, timings = run_search(strategy, objective, Budget(35), np.random.default_rng(0))
        assert len(trajectory) == 35
        assert trajectory["arch"].is_unique
        assert trajectory["incumbent_score"].is_monotonic_increasing
        assert timings["strategy_seconds"] <= timings["total_seconds"]
        found.append(trajectory["incumbent_score"].iloc[-1])
    # a random cell has 1.2 convolutions on average (6 x 1/5)
    assert min(found) >= 3


def test_model_based_strategies_beat_random_on_a_smooth_objective(nb201):
    encoder = precompute(ENCODERS.get("onehot")(nb201.base), nb201)
    objective = FunctionObjective(conv_count(nb201.base), nb201)

    def mean_best(name, **params):
        best = []
        for seed in range(3):
            strategy = make_strategy(name, nb201, np.random.default_rng(seed), encoder, **params)
            trajectory, _ = run_search(strategy, objective, Budget(30), np.random.default_rng(0))
            best.append(trajectory["incumbent_score"].iloc[-1])
        return np.mean(best)

    assert mean_best("bo", n_init=5, q=5, fit_maxiter=20) > mean_best("random")
    assert mean_best("bo", n_init=5, refit_every=1, fit_maxiter=20) > mean_best("random")


def test_bo_reoptimises_hyperparameters_every_refit_every_observations(nb201, monkeypatch):
    from archembed.predictors.gp import GPPredictor

    encoder = precompute(ENCODERS.get("onehot")(nb201.base), nb201)
    objective = FunctionObjective(conv_count(nb201.base), nb201)
    optimised_at = []
    original = GPPredictor.fit

    def recording_fit(self, X, y):
        if self.optimise:
            optimised_at.append(len(y))
        return original(self, X, y)

    monkeypatch.setattr(GPPredictor, "fit", recording_fit)
    strategy = make_strategy(
        "bo", nb201, np.random.default_rng(0), encoder, n_init=5, refit_every=4, fit_maxiter=10
    )
    run_search(strategy, objective, Budget(20), np.random.default_rng(0))
    assert optimised_at == [5, 9, 13, 17]
    with pytest.raises(ConfigError, match="refit_every"):
        make_strategy("bo", nb201, np.random.default_rng(0), encoder, refit_every=0)


def test_make_strategy_rejects_unknown_parameters_and_missing_encoders(nb201):
    rng = np.random.default_rng(0)
    with pytest.raises(ConfigError, match="'populaton_size'"):
        make_strategy("evolution", nb201, rng, populaton_size=10)
    with pytest.raises(ConfigError, match="encoder"):
        make_strategy("bo", nb201, rng)
    with pytest.raises(ConfigError, match="sample_size"):
        make_strategy("evolution", nb201, rng, population_size=5, sample_size=10)
    assert {"random", "evolution", "local", "bo", "dngo", "reinforce"} <= set(STRATEGIES.names())


def test_log_ei_matches_botorch_and_ranks_far_below_the_incumbent():
    from botorch.acquisition.analytic import _log_ei_helper

    mean = np.array([0.0, 1.0, -3.0, -40.0, 2.5])
    std = np.array([1.0, 0.5, 1.0, 1.0, 2.0])
    ours = log_expected_improvement(mean, std, best=1.0)
    u = torch.as_tensor((mean - 1.0) / std)
    reference = (_log_ei_helper(u) + torch.log(torch.as_tensor(std))).numpy()
    np.testing.assert_allclose(ours, reference, rtol=1e-6, atol=1e-8)
    assert np.isfinite(ours).all() and ours[3] < ours[2]
    collapsed = log_expected_improvement(np.array([0.0, -1.0, -2.0]), np.zeros(3), best=1.0)
    assert np.isfinite(collapsed).all() and collapsed[0] > collapsed[1] > collapsed[2]
    assert top_k(np.array([0.1, 3.0, 2.0, -1.0]), 2).tolist() == [1, 2]


def test_candidate_pool_samples_and_mutates_when_the_space_is_large(monkeypatch, nb201):
    import archembed.spaces.candidates as candidates

    monkeypatch.setattr(candidates, "MAX_ENUMERATE", 100)
    encoder = ENCODERS.get("onehot")(nb201.base)
    pool = CandidatePool(nb201, encoder, np.random.default_rng(0), sample_size=50, mutations=10)
    assert not pool.exhaustive
    incumbent = nb201.sample(1, np.random.default_rng(1))[0]
    pool.mark_seen([incumbent])
    graphs, X = pool.candidates([incumbent])
    keys = {nb201.identity(g) for g in graphs}
    assert nb201.identity(incumbent) not in keys
    assert any(g in nb201.neighbours(incumbent) for g in graphs)
    np.testing.assert_array_equal(X, encoder.transform(graphs))


def test_precomputed_encoder_matches_its_inner_encoder(nb201):
    inner = ENCODERS.get("path")(nb201.base)
    table = precompute(inner, nb201)
    sample = nb201.sample(20, np.random.default_rng(3))
    np.testing.assert_array_equal(table.transform(sample), inner.transform(sample))


def test_restricted_space_stays_inside_its_list():
    space = get_space("nb201")
    subset = space.sample(200, np.random.default_rng(0))
    restricted = RestrictedSpace(space, subset)
    ids = {space.identity(g) for g in subset}
    assert all(space.identity(g) in ids for g in restricted.sample(50, np.random.default_rng(1)))
    for graph in subset[:20]:
        assert all(space.identity(n) in ids for n in restricted.neighbours(graph))


def test_restricted_neighbours_are_remembered_and_handed_out_as_copies():
    space = get_space("nb201")
    subset = space.enumerate()[:3000]
    restricted = RestrictedSpace(space, subset)
    ids = {space.identity(g) for g in subset}
    graph = next(g for g in subset if restricted.neighbours(g))
    expected = [g for g in space.neighbours(graph) if space.identity(g) in ids]
    first = restricted.neighbours(graph)
    assert [space.identity(g) for g in first] == [space.identity(g) for g in expected]
    first.clear()
    again = restricted.neighbours(graph)
    assert [space.identity(g) for g in again] == [space.identity(g) for g in expected]
