"""Figures of the size <-> topology transfer (contrastive paper, Figures 7 and 8)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from archembed.predictors.metrics import kendall_tau
from archembed.viz.figure import new_figure, save_figure


def plot_predicted_grid(
    pairs: Mapping[tuple[str, str], tuple[np.ndarray, np.ndarray]],
    names: Mapping[str, str],
    path: str | os.PathLike[str],
) -> Path:
    """Figure 8: predicted against true accuracy, one panel per (source, target) pair."""
    spaces = list(dict.fromkeys(s for s, _ in pairs))
    figure = new_figure(3.6 * len(spaces), 3.4 * len(spaces))
    for i, source in enumerate(spaces):
        for j, target in enumerate(spaces):
            truth, predicted = pairs[(source, target)]
            axes = figure.add_subplot(len(spaces), len(spaces), i * len(spaces) + j + 1)
            axes.scatter(truth, predicted, s=2, alpha=0.4)
            tau = kendall_tau(truth, predicted)
            axes.set_title(f"{names[source]} -> {names[target]}: tau {tau:.2f}", fontsize="small")
            axes.set_xlabel(f"true accuracy ({names[target]}, %)")
            axes.set_ylabel("predicted")
    return save_figure(figure, path)


def plot_singular_values(
    found: Mapping[str, tuple[np.ndarray, np.ndarray]], path: str | os.PathLike[str]
) -> Path:
    """Figure 7: principal singular value of the Jacobian features against accuracy."""
    figure = new_figure(6.0, 4.0)
    axes = figure.add_subplot(1, 1, 1)
    for name, (sigma, accuracy) in found.items():
        axes.scatter(sigma, accuracy, s=2, alpha=0.4, label=f"{name} space ({len(sigma)} cells)")
    axes.set_xscale("log")
    axes.set_xlabel("principal singular value of the projected Jacobians (mean over inits)")
    axes.set_ylabel("CIFAR-10 accuracy (%)")
    axes.legend(markerscale=4, fontsize="small")
    return save_figure(figure, path)
