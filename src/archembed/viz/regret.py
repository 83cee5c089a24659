"""Search plots: simple regret against queries or simulated time, and the CDF of final regret.

Axes are linear and say their units. The band around a mean curve is mean ± std over seeds
(population std, the ± of the report's tables), cut at 0 because a regret cannot be negative.
A regret within :data:`ZERO_TOLERANCE` of zero (floating-point residue of ``optimum - value``)
is drawn as 0 and tick labels print plain numbers. Each run keeps one colour, line style and
marker in every plot, and legends sit below the axes, never on the curves.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from archembed.viz.figure import new_figure, save_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

ZERO_TOLERANCE = 1e-9
"""Regrets closer to zero than this are exactly zero (they come from float round-off)."""
STYLES = (
    ("tab:blue", "-", "o"),
    ("tab:orange", "--", "s"),
    ("tab:green", "-.", "^"),
    ("tab:red", ":", "D"),
    ("tab:purple", "-", "v"),
    ("tab:brown", "--", "P"),
    ("tab:pink", "-.", "X"),
    ("tab:gray", ":", "*"),
)
"""(colour, line style, marker) per run, in order; distinct even in grey-scale print."""
SPLITS = {"val": "validation", "valid": "validation", "train": "training", "test": "test"}
SCORES = {"acc": "accuracy", "rocauc": "ROC-AUC"}
BAND_TITLE = "line: mean over seeds; band: mean ± std (as in the tables)"
START_SHARE = 0.1
"""The share of the x range where every strategy is still in its initial design."""


def regret_label(metric: str, scale: float) -> str:
    """Axis label of ``metric``'s regret: "validation accuracy regret (percentage points)".

    ``scale`` is the largest absolute value of the metric: accuracies and ROC-AUCs up to 1 are
    fractions (a regret of 0.01 is one percentage point), larger ones percentages.
    """
    split, _, score = metric.partition("_")
    if score not in SCORES:
        return f"{metric} regret (units of {metric})"
    unit = "percentage points" if scale > 1.0 else "fraction: 0.01 = 1 percentage point"
    return f"{SPLITS.get(split, split)} {SCORES[score]} regret ({unit})"


def zero_clipped(values: np.ndarray) -> np.ndarray:
    """``values`` as floats with round-off residue around zero set to exactly 0."""
    data = np.asarray(values, dtype=float)
    return np.where(np.abs(data) < ZERO_TOLERANCE, 0.0, data)


def plot_regret_curves(
    curves: dict[str, tuple[np.ndarray, np.ndarray]],
    path: str | os.PathLike[str],
    xlabel: str = "queries",
    title: str = "",
    ylabel: str = "simple regret",
) -> Path:
    """Write :func:`regret_curves_figure` as a PNG."""
    return save_figure(regret_curves_figure(curves, xlabel, title, ylabel), path)


def regret_curves_figure(
    curves: dict[str, tuple[np.ndarray, np.ndarray]],
    xlabel: str = "queries",
    title: str = "",
    ylabel: str = "simple regret",
) -> Figure:
    """Mean regret over seeds (line) and mean ± std (band) per run, on linear axes.

    ``curves[label] = (x, values)`` with ``values`` of shape (seeds, len(x)); NaNs (a seed not
    yet started or already finished at that x) are ignored.
    """
    figure = new_figure(7.0, 5.0)
    ax = figure.add_subplot()
    bands = draw_mean_bands(ax, curves)
    ax.margins(x=0.0)
    _zoom_past_start(ax, [(x, mean + std) for x, mean, std in bands])
    _finish(figure, ax, xlabel, ylabel.replace(" (", "\n(", 1), title, BAND_TITLE)
    return figure


def draw_mean_bands(
    ax: Axes,
    curves: dict[str, tuple[np.ndarray, np.ndarray]],
    upper: float = np.inf,
    standard_error: bool = False,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Draw each run's mean over seeds and a band (cut to [0, ``upper``]) on ``ax``: mean ± std,
    or mean ± the standard error of the mean where many runs would hide each other.

    Returns each run's ``(x, mean, half-width of the band)`` so a caller can choose the y range.
    """
    bands = []
    for (label, (x, values)), (colour, line, _) in zip(curves.items(), _styles()):
        data = zero_clipped(values)
        seen = ~np.isnan(data).all(axis=0)
        x, data = np.asarray(x)[seen], data[:, seen]
        mean, std = np.nanmean(data, axis=0), np.nanstd(data, axis=0)
        if standard_error:
            seeds = (~np.isnan(data)).sum(axis=0)
            spread = np.nanstd(data, axis=0, ddof=1) if len(data) > 1 else np.zeros_like(mean)
            std = spread / np.sqrt(seeds)
        ax.plot(x, mean, color=colour, linestyle=line, label=f"{label} ({len(data)} seeds)")
        low, high = np.maximum(mean - std, 0.0), np.minimum(mean + std, upper)
        ax.fill_between(x, low, high, color=colour, alpha=0.15, linewidth=0)
        bands.append((x, mean, std))
    return bands


def _zoom_past_start(ax: Axes, tops: list[tuple[np.ndarray, np.ndarray]]) -> None:
    """Start the y axis at 0 and, when the first tenth of the x range reaches far higher than
    the rest, end it above the rest (saying so), so the differences that matter stay visible."""
    late, full = 0.0, 0.0
    for x, top in tops:
        if len(x):
            start = x.min() + START_SHARE * (x.max() - x.min())
            late = max(late, float(np.nanmax(top[x >= start])))
            full = max(full, float(np.nanmax(top)))
    if late > 0 and full > 1.5 * late:
        ax.set_ylim(0.0, 1.1 * late)
        ax.text(
            0.99,
            0.98,
            f"y axis cut: early values reach {plain_number(full)}",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize="x-small",
            color="0.35",
        )
    else:
        ax.set_ylim(bottom=0.0)


def plot_regret_cdf(
    finals: dict[str, np.ndarray],
    path: str | os.PathLike[str],
    title: str = "",
    xlabel: str = "final simple regret",
) -> Path:
    """Write :func:`regret_cdf_figure` as a PNG."""
    return save_figure(regret_cdf_figure(finals, title, xlabel), path)


def regret_cdf_figure(
    finals: dict[str, np.ndarray], title: str = "", xlabel: str = "final simple regret"
) -> Figure:
    """Empirical CDF over seeds of the final regret: one step curve per run, a marker per seed."""
    figure = new_figure(7.0, 5.0)
    ax = figure.add_subplot()
    sorted_finals = {label: np.sort(_finite(values)) for label, values in finals.items()}
    right = max((float(v[-1]) for v in sorted_finals.values() if len(v)), default=0.0)
    right = right if right > 0 else 1.0
    for (label, values), (colour, line, marker) in zip(sorted_finals.items(), _styles()):
        n = len(values)
        if not n:
            continue
        xs = np.concatenate([values[:1], values, [right]])
        ys = np.concatenate([[0.0], np.arange(1, n + 1) / n, [1.0]])
        ax.step(
            xs,
            ys,
            where="post",
            color=colour,
            linestyle=line,
            marker=marker,
            markevery=slice(1, n + 1),
            markerfacecolor="none",
            label=f"{label} ({n} seeds)",
        )
    ax.set_xlim(-0.03 * right, 1.03 * right)
    ax.set_ylim(0.0, 1.02)
    _finish(figure, ax, xlabel, "fraction of seeds with at most this regret", title, "")
    return figure


def plain_number(value: float) -> str:
    """A tick label without exponents or round-off digits: 0, 0.004, 250,000."""
    number = float(f"{zero_clipped(value):.4g}") + 0.0  # + 0.0 turns -0.0 into 0.0
    if number.is_integer():
        return f"{int(number):,}"
    return np.format_float_positional(number, trim="-")


def _finite(values: np.ndarray) -> np.ndarray:
    data = zero_clipped(values)
    return data[~np.isnan(data)]


def _styles() -> Iterator[tuple[str, str, str]]:
    """The run styles in order, repeating when there are more runs than styles."""
    while True:
        yield from STYLES


def _finish(
    figure: Figure, ax: Axes, xlabel: str, ylabel: str, title: str, legend_title: str
) -> None:
    """Labels, plain-number ticks, a light grid and a legend below the axes."""
    from matplotlib.ticker import FuncFormatter

    plain = FuncFormatter(lambda value, _: plain_number(value))
    ax.xaxis.set_major_formatter(plain)
    ax.yaxis.set_major_formatter(plain)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize="small")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        figure.legend(
            loc="outside lower center",
            ncols=1,
            fontsize="small",
            title=legend_title or None,
            title_fontsize="small",
            frameon=False,
        )
