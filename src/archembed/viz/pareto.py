"""Pareto figures of two-objective runs: median attainment surfaces against the true front, and
how the cells found for one device fare on another.

A run's *attained set* is its feasible queried cells. For two objectives, the attainment
function of a set gives, at every value of the second objective (e.g. latency), the best first
objective (e.g. accuracy) among its cells at or below that value. The *median attainment
surface* of a strategy is the level reached by at least half of its seeds at each point
(Fonseca and Fleming's empirical attainment function at 50 %): a front you can expect one run
in two to match or beat. The true front comes from the full table
(:class:`~archembed.search.multiobjective.MultiObjective`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from itertools import cycle
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from archembed.viz.figure import new_figure, save_figure
from archembed.viz.regret import STYLES

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from archembed.search.multiobjective import MultiObjective

ZOOM_QUANTILE = 0.25
"""The attainment plot's y axis starts at this quantile of the true front's first objective
(the cheapest front cells of NB201 are degenerate, 10 % accuracy, and would squash the rest)."""
GRID_POINTS = 400
"""Points on the second objective's axis where attainment is evaluated and drawn."""


def attainment(points: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Best first objective (maximised) of ``points`` ``(n, 2)`` whose second objective
    (minimised) is at most each value of ``grid``; -inf where none is."""
    if len(points) == 0:
        return np.full(len(grid), -np.inf)
    order = np.argsort(points[:, 1], kind="stable")
    best = np.maximum.accumulate(points[order, 0])
    at = np.searchsorted(points[order, 1], grid, side="right") - 1
    return np.where(at >= 0, best[np.maximum(at, 0)], -np.inf)


def median_attainment(sets: Sequence[np.ndarray], grid: np.ndarray) -> np.ndarray:
    """The level every ``grid`` point reaches in at least half of ``sets`` (one per seed)."""
    levels = np.sort(np.stack([attainment(s, grid) for s in sets]), axis=0)
    return levels[len(sets) - 1 - (len(sets) - 1) // 2]


def raw_points(objective: MultiObjective, graphs_native: Sequence[str]) -> np.ndarray:
    """``(first objective, second objective)`` raw values of cells given by native strings."""
    space = objective.space
    rows = objective.rows([space.from_native(a) for a in graphs_native])
    names = [o.metric for o in objective.objectives[:2]]
    return np.stack([objective.raw[name][rows] for name in names], axis=1)


def true_front(objective: MultiObjective) -> np.ndarray:
    """Raw ``(first, second)`` objective values of the feasible non-dominated cells, by x."""
    from archembed.search.pareto import non_dominated

    names = [o.metric for o in objective.objectives[:2]]
    raw = np.stack([objective.raw[name] for name in names], axis=1)[objective.feasible]
    front = raw[non_dominated(np.column_stack([-raw[:, 0], raw[:, 1]]))]
    return front[np.argsort(front[:, 1], kind="stable")]


def plot_attainment(
    surfaces: Mapping[str, Sequence[np.ndarray]],
    front: np.ndarray,
    path: str | os.PathLike[str],
    title: str,
    labels: tuple[str, str],
) -> Path:
    """Median attainment surface of each run (its seeds' attained sets) against ``front``."""
    figure = new_figure(6.5, 4.5)
    ax = figure.subplots()
    draw_attainment(ax, surfaces, front, labels)
    ax.set_title(
        f"{title}\n(y axis from the true front's {ZOOM_QUANTILE:.0%} quantile)", fontsize=9
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, fontsize=8, frameon=False)
    return save_figure(figure, path)


def draw_attainment(
    ax: Axes,
    surfaces: Mapping[str, Sequence[np.ndarray]],
    front: np.ndarray,
    labels: tuple[str, str],
) -> None:
    """Draw the true front and each run's median attainment surface on ``ax``, zoomed on the
    front's upper part (from its :data:`ZOOM_QUANTILE` quantile of the first objective)."""
    every = np.concatenate([front, *[s for sets in surfaces.values() for s in sets if len(s)]])
    grid = np.linspace(every[:, 1].min(), every[:, 1].max(), GRID_POINTS)
    ax.step(front[:, 1], front[:, 0], where="post", color="black", lw=2.2, label="true front")
    ax.plot(front[:, 1], front[:, 0], "k.", ms=5)
    for (label, sets), (colour, line, _) in zip(surfaces.items(), cycle(STYLES)):
        level = median_attainment(sets, grid)
        shown = np.isfinite(level)
        ax.step(grid[shown], level[shown], where="post", color=colour, ls=line, lw=1.5,
                label=f"{label} (median of {len(sets)} seeds)")  # fmt: skip
    low = np.quantile(front[:, 0], ZOOM_QUANTILE)
    ax.set_ylim(low, front[:, 0].max() + 0.1 * (front[:, 0].max() - low))
    span = front[-1, 1] - front[0, 1]
    ax.set_xlim(front[0, 1] - 0.05 * span, front[-1, 1] + 0.15 * span)
    ax.set_xlabel(labels[1])
    ax.set_ylabel(labels[0])
    ax.grid(alpha=0.3)


def cross_device(
    found: Mapping[str, Sequence[Sequence[str]]], targets: Mapping[str, MultiObjective]
) -> dict[str, dict[str, tuple[float, float]]]:
    """Mean and std over seeds of each run's hypervolume ratio on every target objective.

    ``found`` maps a run label to its seeds' feasible cells (native strings); each target is
    the same accuracy objective against another device's latency. A front found for device A
    is worth on device B the hypervolume ratio of its cells under B's true front (cells B has
    no valid measurement for, such as Edge TPU's uncompiled ones, count as not found).
    """
    table: dict[str, dict[str, tuple[float, float]]] = {}
    for label, seeds in found.items():
        table[label] = {}
        for device, objective in targets.items():
            ratios = []
            for cells in seeds:
                graphs = [objective.space.from_native(a) for a in cells]
                rows = objective.rows([g for g in graphs if objective.space.is_valid(g)])
                keep = rows[objective.feasible[rows]]
                ratios.append(objective.truth_set.measure(objective.scores[keep])["hv_ratio"])
            table[label][device] = (float(np.mean(ratios)), float(np.std(ratios)))
    return table


def plot_cross_device(
    table: Mapping[str, Mapping[str, tuple[float, float]]],
    path: str | os.PathLike[str],
    title: str,
) -> Path:
    """Grouped bars: each run's mean hypervolume ratio (± std) on every device."""
    figure = new_figure(7.0, 4.0)
    ax = figure.subplots()
    devices = list(next(iter(table.values())))
    width = 0.8 / max(len(table), 1)
    x = np.arange(len(devices))
    for i, ((label, row), (colour, _, _)) in enumerate(zip(table.items(), cycle(STYLES))):
        means = np.array([row[d][0] for d in devices])
        spreads = np.array([row[d][1] for d in devices])
        ax.bar(x + i * width, means, width, yerr=spreads, color=colour, label=label, capsize=2)
    ax.set_xticks(x + width * (len(table) - 1) / 2, devices, rotation=20, fontsize=8)
    ax.set_ylabel("hypervolume ratio on the device")
    lowest = min(m - s for row in table.values() for m, s in row.values())
    ax.set_ylim(max(0.0, lowest - 0.02), 1.0)
    ax.set_title(f"{title}\nbar: mean over seeds; whisker: ± std", fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=8, frameon=False)
    return save_figure(figure, path)


def plot_study_device(
    panels: Mapping[str, tuple[dict[str, tuple[np.ndarray, np.ndarray]], Mapping, np.ndarray]],
    path: str | os.PathLike[str],
    title: str,
    latency: str,
) -> Path:
    """One device of a study: per dataset (column), hypervolume ratio against queries (top,
    mean over seeds ± its standard error) and the median attainment surfaces against the true
    front (bottom).

    ``panels[dataset] = (curves, surfaces, front)`` as :func:`draw_mean_bands` and
    :func:`draw_attainment` take them; every panel has the same runs in the same order.
    """
    from archembed.viz.regret import draw_mean_bands

    figure = new_figure(5.0 * len(panels), 8.5)
    axes = figure.subplots(2, len(panels), squeeze=False)
    for column, (dataset, (curves, surfaces, front)) in enumerate(panels.items()):
        top, bottom = axes[0, column], axes[1, column]
        bands = draw_mean_bands(top, curves, upper=1.0, standard_error=True)
        settled = [(mean - std)[len(x) // 5 :] for x, mean, std in bands]
        top.set_ylim(max(0.0, min(float(np.nanmin(v)) for v in settled) - 0.01), 1.0)
        top.margins(x=0.0)
        top.set_title(dataset, fontsize=10)
        top.set_xlabel("queries")
        top.set_ylabel("hypervolume ratio")
        top.grid(alpha=0.3)
        draw_attainment(bottom, surfaces, front, ("validation accuracy (%)", latency))
    handles, names = axes[0, 0].get_legend_handles_labels()
    handles.insert(0, axes[1, 0].get_lines()[0])
    names.insert(0, "true front (bottom row)")
    figure.legend(handles, names, loc="outside lower center", ncols=4, fontsize=8, frameon=False)
    figure.suptitle(
        f"{title}\ntop: mean over seeds, band ± standard error of the mean\nbottom: median "
        f"attainment surface after the last query (y from the front's {ZOOM_QUANTILE:.0%} "
        "quantile)",
        fontsize=10,
    )
    return save_figure(figure, path)
