"""Plots of predictor evaluations: precision at the top K, predicted against true values."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archembed.viz.figure import new_figure, save_figure


def plot_precision_at_k(summary: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """P@K (K = top shares of the test split) per predictor, at each one's largest fraction;
    one panel per target."""
    columns = [c for c in summary.columns if c.startswith("p@") and c.endswith("_mean")]
    shares = [float(c[2:].split("%")[0]) for c in columns]
    targets = list(dict.fromkeys(summary["target"]))
    figure = new_figure(5.0 * len(targets), 4.0)
    for index, target in enumerate(targets):
        axes = figure.add_subplot(1, len(targets), index + 1)
        rows = summary[summary["target"] == target]
        for encoder, group in rows.groupby("encoder", sort=False):
            best = group.loc[group["fraction"].idxmax()]
            means = [best[c] for c in columns]
            stds = [np.nan_to_num(best[c.replace("_mean", "_std")]) for c in columns]
            axes.errorbar(shares, means, yerr=stds, marker="o", capsize=3, label=encoder)
        axes.set_xlabel("K (% of test architectures)")
        axes.set_ylabel("precision at top K")
        axes.set_title(f"{target}, largest train fraction")
        axes.set_ylim(0, 1)
        axes.legend(fontsize="small")
    return save_figure(figure, path)


def plot_predicted_vs_true(
    records: Sequence[dict[str, Any]],
    y_test: np.ndarray,
    targets: Sequence[str],
    path: str | os.PathLike[str],
) -> Path:
    """Scatter of predicted against true test values, one panel per predictor (first seed,
    largest fraction, last target); ranking-loss scores are on their own scale."""
    truth = y_test.reshape(len(y_test), -1)[:, -1]
    chosen: dict[str, dict[str, Any]] = {}
    for record in records:
        if "predictions" not in record or record["target"] != targets[-1]:
            continue
        current = chosen.get(record["encoder"])
        if current is None or record["fraction"] > current["fraction"]:
            chosen[record["encoder"]] = record
    n_cols = min(3, max(1, len(chosen)))
    n_rows = max(1, math.ceil(len(chosen) / n_cols))
    figure = new_figure(4.0 * n_cols, 3.5 * n_rows)
    for index, (encoder, record) in enumerate(chosen.items()):
        axes = figure.add_subplot(n_rows, n_cols, index + 1)
        axes.scatter(truth, record["predictions"], s=3, alpha=0.4)
        axes.set_title(
            f"{encoder}, n={record['n_train']}: tau {record['kendall_tau']:.3f}", fontsize="small"
        )
        axes.set_xlabel(f"true {targets[-1]}")
        axes.set_ylabel("predicted")
    return save_figure(figure, path)
