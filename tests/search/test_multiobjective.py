"""Multi-objective and constrained search on NB201 x HW-NAS-Bench: specs, truth, strategies."""

import numpy as np
import pandas as pd
import pytest

from archembed.errors import ConfigError
from archembed.search import make_strategy
from archembed.search.budget import Budget
from archembed.search.loop import run_search
from archembed.search.multiobjective import (
    MultiObjective,
    parse_constraint,
    parse_objectives,
)

ACC_LATENCY = parse_objectives("val_acc:max,edgegpu_latency:min")


@pytest.fixture(scope="module")
def acc_latency(nb201_bench):
    return MultiObjective(nb201_bench, "cifar10-valid", ACC_LATENCY)


def test_specs_parse_and_reject_mistakes():
    assert [o.label() for o in ACC_LATENCY] == ["val_acc:max", "edgegpu_latency:min"]
    assert parse_objectives(["cifar10/fpga_latency:min"])[0].metric == "cifar10/fpga_latency"
    spec = parse_constraint(" pixel3_latency <= 4 ")
    assert (spec.metric, spec.op, spec.bound) == ("pixel3_latency", "<=", 4.0)
    assert spec.slack(np.array([3.0, 5.0])).tolist() == [1.0, -1.0]
    assert parse_constraint("val_acc>=90").slack(np.array([91.0])).tolist() == [1.0]
    for bad in ("val_acc", "val_acc:up", "val_acc:max,val_acc:min", ""):
        with pytest.raises(ConfigError, match="objective"):
            parse_objectives(bad)
    for bad in ("latency<4", "latency<=nan", "latency<=", "<=3"):
        with pytest.raises(ConfigError, match="constraint"):
            parse_constraint(bad)


def test_true_front_of_nb201_edge_gpu_is_computed_from_the_data(acc_latency, data_root):
    """An independent sweep over the table: sort by latency, keep each new accuracy maximum."""
    acc = pd.read_csv(data_root / "nb201/nb201_cifar10-valid_200ep.csv")["validation accuracy"]
    hw = pd.read_csv(data_root / "nb201/nb201_hw_cifar10.csv")
    assert len(acc) == len(hw) == acc_latency.space.size == 15625
    values = np.sort(acc.to_numpy())
    assert acc_latency.raw["val_acc"].max() == values[-1]
    table = np.column_stack([acc_latency.raw["val_acc"], acc_latency.raw["edgegpu_latency"]])
    order = np.lexsort((-table[:, 0], table[:, 1]))
    best, front = -np.inf, set()
    for row in table[order]:
        if row[0] > best:
            best = row[0]
            front.add(tuple(row))
    truth = acc_latency.truth_set
    assert len(truth.front) == len(front) == 24
    found = {tuple(p) for p in truth.front}
    scores = np.array([[a, -lat] for a, lat in front])
    assert found == {tuple(p) for p in truth.normalise(scores)}
    assert sorted(hw["edgegpu_latency"])[0] == pytest.approx(table[:, 1].min())
    measured = truth.measure(np.array(sorted(scores.tolist())))
    assert measured == {"hv_ratio": pytest.approx(1.0), "igd_plus": 0.0, "front_share": 1.0}


def test_invalid_edge_tpu_entries_are_masked(nb201_bench):
    objective = MultiObjective(
        nb201_bench, "cifar10", parse_objectives("test_acc:max,edgetpu_latency:min")
    )
    assert objective.space.size == 15625 - 4699  # cells that did not compile: -1
    assert objective.raw["edgetpu_latency"].min() > 0


def test_constraints_are_enforced_and_counted(nb201_bench):
    objective = MultiObjective(
        nb201_bench,
        "cifar10-valid",
        parse_objectives("val_acc:max"),
        [parse_constraint("edgegpu_latency<=3")],
    )
    feasible = objective.raw["edgegpu_latency"] <= 3
    assert objective.optimum == objective.raw["val_acc"][feasible].max()
    assert objective.optimum < objective.raw["val_acc"].max()  # the cap excludes the best cell
    for name in ("random", "nsga2", "evolution"):
        strategy = make_strategy(name, objective.space, np.random.default_rng(1))
        trajectory, _ = run_search(strategy, objective, Budget(60), np.random.default_rng(1))
        ok = trajectory["metric.edgegpu_latency"] <= 3
        assert (trajectory["feasible"] == ok).all()
        assert trajectory["infeasible"].iloc[-1] == (~ok).sum()
        incumbent = trajectory["incumbent_val"].iloc[-1]
        assert incumbent == trajectory.loc[ok, "metric.val_acc"].max()
        assert trajectory["regret"].iloc[-1] == pytest.approx(objective.optimum - incumbent)


def test_free_metric_constraints_prune_the_space_up_front(nb201_bench):
    objective = MultiObjective(
        nb201_bench,
        "cifar10-valid",
        ACC_LATENCY,
        [parse_constraint("edgegpu_latency<=3")],
        free=["edgegpu_latency"],
    )
    assert objective.space.size == int((objective.raw["edgegpu_latency"] <= 3).sum())
    assert objective.feasible.all()
    with pytest.raises(ConfigError, match="free metric 'params'"):
        MultiObjective(nb201_bench, "cifar10-valid", ACC_LATENCY, free=["params"])


@pytest.mark.parametrize("name", ["random", "nsga2"])
def test_strategies_are_reproducible_and_measured_against_the_truth(acc_latency, name):
    def run(seed):
        strategy = make_strategy(name, acc_latency.space, np.random.default_rng(seed))
        return run_search(strategy, acc_latency, Budget(40), np.random.default_rng(seed))[0]

    first, again, other = run(3), run(3), run(4)
    pd.testing.assert_frame_equal(first, again)
    assert first["arch"].tolist() != other["arch"].tolist()
    assert first["arch"].is_unique
    hv = first["hv_ratio"].to_numpy()
    assert (np.diff(hv) >= 0).all() and 0 < hv[-1] <= 1
    assert (np.diff(first["igd_plus"].to_numpy()) <= 1e-12).all()


def test_single_objective_strategies_refuse_several_objectives(acc_latency):
    strategy = make_strategy("evolution", acc_latency.space, np.random.default_rng(0))
    with pytest.raises(ConfigError, match="optimises one objective"):
        run_search(strategy, acc_latency, Budget(5), np.random.default_rng(0))


def test_unknown_metric_and_impossible_constraint_are_config_errors(nb201_bench):
    with pytest.raises(ConfigError, match="nope"):
        MultiObjective(nb201_bench, "cifar10-valid", parse_objectives("nope:max"))
    with pytest.raises(ConfigError, match="meets the constraints"):
        MultiObjective(
            nb201_bench, "cifar10-valid", ACC_LATENCY, [parse_constraint("edgegpu_latency<=0.1")]
        )
