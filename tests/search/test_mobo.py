"""qLogNEHVI, qNParEGO and constrained BO on small synthetic NB201 problems with known fronts."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archembed.encoders import ENCODERS
from archembed.errors import ConfigError
from archembed.search import make_strategy, pareto
from archembed.search.constrained_bo import ConstrainedBO, normal_scores
from archembed.search.mobo import shortlist
from archembed.spaces import get_space
from archembed.spaces.restricted import RestrictedSpace

FAST = {"n_init": 6, "q": 2, "fit_maxiter": 20, "refit_every": 6, "mc_samples": 16}
MULTI = ("qlognehvi", "qnparego")


@pytest.fixture(scope="module")
def cells():
    """400 NB201 cells drawn at random, their one-hot encoder, and two synthetic objectives.

    "accuracy" rewards 3x3 convolutions and skips; "latency" charges 3 per 3x3 and 1 per 1x1
    convolution: both higher-is-better columns once latency is negated, a real trade-off.
    """
    base = get_space("nb201")
    graphs = base.enumerate()
    pick = np.random.default_rng(0).choice(len(graphs), 400, replace=False)
    space = RestrictedSpace(base, [graphs[i] for i in pick])
    ops = [space.edge_ops(g) for g in space.enumerate()]
    accuracy = np.array([o.count("nor_conv_3x3") + 0.3 * o.count("skip_connect") for o in ops])
    latency = np.array([3.0 * o.count("nor_conv_3x3") + o.count("nor_conv_1x1") for o in ops])
    scores = np.stack([accuracy, -latency], axis=1)
    return space, ENCODERS.get("onehot")(space), scores


def row_of(space):
    position = {space.identity(g): i for i, g in enumerate(space.enumerate())}
    return lambda graphs: np.array([position[space.identity(g)] for g in graphs])


def drive(strategy, space, scores, queries, slack=None):
    """Ask/tell ``queries`` cells; the rows asked, in order."""
    rows, where = [], row_of(space)
    while len(rows) < queries:
        graphs = strategy.ask(min(strategy.batch_size, queries - len(rows)))
        index = where(graphs)
        strategy.tell(graphs, scores[index], None if slack is None else slack[index])
        rows.extend(index.tolist())
    return rows


def hv_ratio(found, everything):
    """Hypervolume of ``found`` over the true front's, both normalised by the whole table."""
    low, high = everything.min(axis=0), everything.max(axis=0)
    reference = np.full(everything.shape[1], 1.1)

    def volume(points):
        return pareto.hypervolume((high - points) / (high - low), reference)

    return volume(found) / volume(everything)


@pytest.mark.slow
@pytest.mark.parametrize("name", MULTI)
def test_multi_objective_bo_learns_the_front(cells, name):
    space, encoder, scores = cells
    strategy = make_strategy(name, space, np.random.default_rng(3), encoder, **FAST)
    rows = drive(strategy, space, scores, 30)
    early = hv_ratio(scores[rows[:6]], scores)
    final = hv_ratio(scores[rows], scores)
    assert len(set(rows)) == 30
    assert final > early
    assert final >= 0.9  # 30 random cells reach 0.86 on average (0.91 at the 90th percentile)


@pytest.mark.slow
@pytest.mark.parametrize("name", MULTI)
def test_same_seed_same_queries_and_resume_after_interruption(cells, name):
    space, encoder, scores = cells

    def fresh(seed):
        return make_strategy(name, space, np.random.default_rng(seed), encoder, **FAST)

    whole = drive(fresh(5), space, scores, 16)
    assert drive(fresh(5), space, scores, 16) == whole
    assert drive(fresh(6), space, scores, 16) != whole
    interrupted = fresh(5)
    first = drive(interrupted, space, scores, 10)
    resumed = pickle.loads(pickle.dumps(interrupted))
    assert first + drive(resumed, space, scores, 6) == whole


@pytest.mark.slow
def test_constrained_multi_objective_search_finds_the_feasible_front(cells):
    space, encoder, scores = cells
    slack = (6.0 + scores[:, 1:]).reshape(-1, 1)  # latency <= 6
    feasible = slack[:, 0] >= 0
    strategy = make_strategy("qlognehvi", space, np.random.default_rng(1), encoder, **FAST)
    rows = np.array(drive(strategy, space, scores, 30, slack))
    found = scores[rows[feasible[rows]]]
    assert hv_ratio(found, scores[feasible]) >= 0.9


def test_constrained_bo_finds_the_best_feasible_cell(cells):
    space, encoder, scores = cells
    accuracy = scores[:, :1]
    slack = (6.0 + scores[:, 1:]).reshape(-1, 1)
    feasible = slack[:, 0] >= 0
    assert accuracy[feasible].max() < accuracy.max()  # the cap excludes the best cell
    params = {k: v for k, v in FAST.items() if k != "mc_samples"}
    strategy = make_strategy("constrained_bo", space, np.random.default_rng(2), encoder, **params)
    drive(strategy, space, accuracy, 30, slack)
    best = row_of(space)([strategy.incumbent()])[0]
    assert feasible[best]
    assert accuracy[best, 0] == accuracy[feasible].max()


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50))
def test_normal_scores_keep_the_order_and_tame_outliers(values):
    values = np.array(values)
    warped = normal_scores(values)
    order = np.argsort(values, kind="stable")
    assert np.all(np.diff(warped[order]) >= 0)  # monotone; ties share a score
    assert np.abs(warped).max() <= 3.1  # at most 50 ranks: no value is far out
    if len(np.unique(values)) == len(values):
        assert warped.sum() == pytest.approx(0.0, abs=1e-9)  # symmetric about zero


def test_constrained_bo_models_warped_objective_and_raw_slacks(cells):
    space, encoder, _ = cells
    graphs = space.enumerate()[:4]
    accuracy = np.array([[10.0], [90.0], [91.0], [90.5]])  # one collapsed cell, three close
    slack = np.array([[1.0], [-1.0], [0.5], [0.2]])
    warped = ConstrainedBO(space, np.random.default_rng(0), encoder)
    warped.tell(graphs, accuracy, slack)
    targets = warped._targets()
    assert np.argsort(targets[:, 0]).tolist() == [0, 1, 3, 2]
    assert np.diff(np.sort(targets[:, 0])).min() > 0.5  # the collapsed cell no longer dwarfs
    assert targets[:, 1].tolist() == slack[:, 0].tolist()
    raw = ConstrainedBO(space, np.random.default_rng(0), encoder, warp=False)
    raw.tell(graphs, accuracy, slack)
    assert raw._targets().tolist() == np.column_stack([accuracy, slack]).tolist()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-5, 5), st.floats(-3, 3), st.floats(-3, 3)), min_size=1, max_size=12
    )
)
def test_constrained_incumbent_is_feasible_whenever_one_was_observed(cells, rows):
    space, encoder, _ = cells
    strategy = ConstrainedBO(space, np.random.default_rng(0), encoder)
    graphs = space.enumerate()[: len(rows)]
    values = np.array(rows)
    strategy.tell(graphs, values[:, :1], values[:, 1:])
    best = graphs.index(strategy.incumbent())
    feasible = (values[:, 1:] >= 0).all(axis=1)
    if feasible.any():
        assert feasible[best]
        assert values[best, 0] == values[feasible, 0].max()
    else:
        assert values[best, 1:].min() == values[:, 1:].min(axis=1).max()


def test_bad_parameters_and_objective_counts_are_config_errors(cells):
    space, encoder, scores = cells
    rng = np.random.default_rng(0)
    with pytest.raises(ConfigError, match="shortlist"):
        make_strategy("qlognehvi", space, rng, encoder, shortlist=0)
    with pytest.raises(ConfigError, match="encoder"):
        make_strategy("qnparego", space, rng)
    strategy = make_strategy("constrained_bo", space, rng, encoder)
    graphs = strategy.ask(2)
    with pytest.raises(ConfigError, match="one objective"):
        strategy.tell(graphs, scores[:2])


def test_shortlist_drops_cells_that_cannot_improve_the_front():
    front = np.array([[1.0, 0.0], [0.0, 1.0]])
    mean = np.array([[2.0, 2.0], [0.5, 0.5], [-1.0, -1.0], [3.0, 3.0]])
    std = np.zeros_like(mean)
    order = shortlist(np.column_stack([mean, [1, 1, 1, -1]]), np.zeros((4, 3)), front, 2, 4, 2.0)
    assert order[0] == 0  # cell 3 would be best but is surely infeasible
    assert order[-1] == 3
    assert list(shortlist(mean, std, front, 2, 2, 2.0)) == [3, 0]
