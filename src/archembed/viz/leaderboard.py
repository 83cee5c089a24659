"""The leaderboard's plot: Kendall tau against the training share, one line per predictor."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archembed.viz.figure import new_figure, save_figure


def plot_kendall_tau(
    rows: Sequence[dict[str, Any]],
    title: str,
    path: str | os.PathLike[str],
    share_of: str = "the training pool",
) -> Path:
    """Mean Kendall tau (error bars: std over runs) against the training share (of
    ``share_of``), on a log axis, from :func:`archembed.predictors.leaderboard.summarise` rows."""
    figure = new_figure(6.5, 4.5)
    axes = figure.add_subplot(1, 1, 1)
    for predictor in dict.fromkeys(row["predictor"] for row in rows):
        mine = sorted((r for r in rows if r["predictor"] == predictor), key=lambda r: r["share"])
        shares = [100 * r["share"] for r in mine]
        means = [r["kendall_tau"]["mean"] for r in mine]
        stds = [r["kendall_tau"]["std"] or 0.0 for r in mine]
        axes.errorbar(shares, means, yerr=stds, marker="o", capsize=3, label=predictor)
    axes.set_xscale("log")
    ticks = sorted({round(100 * r["share"], 1) for r in rows})
    axes.set_xticks(ticks, [f"{t:g}%" for t in ticks])
    axes.minorticks_off()
    axes.set_xlabel(f"training cells (% of {share_of})")
    axes.set_ylabel("Kendall tau on the test cells")
    axes.set_title(title, fontsize="medium")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="small")
    return save_figure(figure, path)
