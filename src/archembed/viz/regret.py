"""Search plots: simple regret against queries or simulated time, and the CDF of final regret."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from archembed.viz.figure import new_figure, save_figure


def plot_regret_curves(
    curves: dict[str, tuple[np.ndarray, np.ndarray]],
    path: str | os.PathLike[str],
    xlabel: str = "queries",
    title: str = "",
) -> Path:
    """Mean regret (line) and its standard error (band) per run.

    ``curves[label] = (x, values)`` with ``values`` of shape (seeds, len(x)); NaNs are ignored.
    The y axis is symmetric-log so curves that reach zero regret stay visible.
    """
    figure = new_figure()
    ax = figure.add_subplot()
    for label, (x, values) in curves.items():
        seen = ~np.isnan(values).all(axis=0)
        x, values = x[seen], values[:, seen]
        mean = np.nanmean(values, axis=0)
        count = np.maximum(np.sum(~np.isnan(values), axis=0), 1)
        err = np.nanstd(values, axis=0) / np.sqrt(count)
        ax.plot(x, mean, label=f"{label} (n={values.shape[0]})")
        ax.fill_between(x, np.maximum(mean - err, 0), mean + err, alpha=0.2)
    ax.set_yscale("symlog", linthresh=0.01)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("simple regret (validation)")
    if xlabel != "queries":
        ax.set_xscale("log")
    ax.set_title(title, fontsize="small")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return save_figure(figure, path)


def plot_regret_cdf(
    finals: dict[str, np.ndarray], path: str | os.PathLike[str], title: str = ""
) -> Path:
    """Empirical CDF over seeds of the final simple regret, one step curve per run."""
    figure = new_figure()
    ax = figure.add_subplot()
    for label, values in finals.items():
        data = np.sort(np.asarray(values, dtype=float)[~np.isnan(values)])
        if len(data):
            ax.step(data, np.arange(1, len(data) + 1) / len(data), where="post", label=label)
    ax.set_xscale("symlog", linthresh=0.01)
    ax.set_xlabel("final simple regret (validation)")
    ax.set_ylabel("fraction of seeds")
    ax.set_ylim(0, 1.02)
    ax.set_title(title, fontsize="small")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return save_figure(figure, path)
