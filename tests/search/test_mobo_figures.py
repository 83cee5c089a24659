"""Attainment surfaces and the cross-device view on hand-made sets and the NB201 fronts."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from archembed.search.multiobjective import MultiObjective, parse_objectives
from archembed.viz.pareto import (
    attainment,
    cross_device,
    median_attainment,
    plot_attainment,
    plot_cross_device,
    plot_study_device,
    true_front,
)
from archembed.viz.regret import draw_mean_bands

# (accuracy: maximised, latency: minimised)
FAST_WEAK = np.array([[60.0, 1.0], [80.0, 3.0]])
SLOW_STRONG = np.array([[70.0, 2.0], [90.0, 4.0]])
GRID = np.array([0.5, 1.0, 2.0, 3.0, 4.0, 5.0])


def test_attainment_is_the_best_first_objective_within_each_second_objective_budget():
    assert attainment(FAST_WEAK, GRID).tolist() == [-np.inf, 60, 60, 80, 80, 80]
    assert attainment(np.zeros((0, 2)), GRID).tolist() == [-np.inf] * len(GRID)


def test_median_attainment_is_reached_by_at_least_half_of_the_runs():
    third = np.array([[50.0, 1.0]])
    median = median_attainment([FAST_WEAK, SLOW_STRONG, third], GRID)
    assert median.tolist() == [-np.inf, 50, 60, 70, 80, 80]
    assert median_attainment([SLOW_STRONG], GRID).tolist() == attainment(SLOW_STRONG, GRID).tolist()


@pytest.fixture(scope="module")
def edge_gpu(nb201_bench):
    return MultiObjective(
        nb201_bench, "cifar10-valid", parse_objectives(["val_acc:max", "edgegpu_latency:min"])
    )


def test_true_front_of_the_table_is_non_dominated_and_sorted(edge_gpu):
    front = true_front(edge_gpu)
    assert np.all(np.diff(front[:, 1]) >= 0)
    assert np.all(np.diff(front[:, 0]) > 0)  # slower front cells must be more accurate
    assert front[:, 0].max() == edge_gpu.raw["val_acc"].max()


def test_the_whole_front_scores_one_on_its_own_device_and_figures_are_written(edge_gpu, tmp_path):
    best = edge_gpu.truth_set.front
    rows = [i for i, p in enumerate(edge_gpu.truth_set.normalise(edge_gpu.scores)) if
            (np.abs(best - p).sum(axis=1) < 1e-12).any()]  # fmt: skip
    cells = [edge_gpu.space.to_native(edge_gpu.space.enumerate()[i]) for i in rows]
    table = cross_device({"oracle": [cells], "one cell": [cells[:1]]}, {"edgegpu": edge_gpu})
    assert table["oracle"]["edgegpu"][0] == pytest.approx(1.0)
    assert table["one cell"]["edgegpu"][0] < 1.0
    assert plot_cross_device(table, tmp_path / "bars.png", "t").stat().st_size > 0
    surfaces = {"oracle": [edge_gpu.raw["val_acc"][rows, None].repeat(2, 1)]}
    surfaces["oracle"][0][:, 1] = edge_gpu.raw["edgegpu_latency"][rows]
    path = plot_attainment(surfaces, true_front(edge_gpu), tmp_path / "a.png", "t", ("y", "x"))
    assert path.stat().st_size > 0


def test_study_figure_draws_one_column_per_dataset_with_standard_error_bands(tmp_path):
    curves = {
        "flat": (np.arange(1, 4), np.array([[0.5, 0.6, 0.7], [0.7, 0.8, 0.9]])),
        "one seed": (np.arange(1, 4), np.array([[0.2, 0.4, 0.6]])),
    }
    surfaces = {"flat": [FAST_WEAK, SLOW_STRONG], "one seed": [FAST_WEAK]}
    front = np.array([[70.0, 1.0], [95.0, 4.0]])
    panels = {"a": (curves, surfaces, front), "b": (curves, surfaces, front)}
    path = plot_study_device(panels, tmp_path / "study.png", "t", "latency (ms)")
    assert path.stat().st_size > 0
    ax = Figure().subplots()
    (_, mean, half), (_, _, single) = draw_mean_bands(ax, curves, standard_error=True)
    assert mean.tolist() == pytest.approx([0.6, 0.7, 0.8])
    assert half.tolist() == pytest.approx([0.1] * 3)  # sample std 0.1414 / sqrt(2 seeds)
    assert single.tolist() == [0.0, 0.0, 0.0]  # one seed has no spread to show
