"""Plots of latent smoothness: distance along a random walk, and L2 per edit distance."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from archembed.viz.figure import new_figure, save_figure


def plot_smoothness(result: dict[str, Any], path: str | os.PathLike[str], title: str = "") -> Path:
    """Two panels from :func:`archembed.evaluation.smoothness.smoothness`: the walk (edit and L2
    distance to its start per step) and mean +- std L2 distance per edit distance."""
    figure = new_figure(10.0, 4.0)
    walk_axes, edit_axes = figure.subplots(1, 2)
    walk = result["walk"]
    steps = np.arange(len(walk["edit_to_start"]))
    walk_axes.plot(steps, walk["edit_to_start"], color="tab:blue", lw=1, label="edit distance")
    walk_axes.set_xlabel("random-walk step")
    walk_axes.set_ylabel("edit distance to start", color="tab:blue")
    twin = walk_axes.twinx()
    twin.plot(steps, walk["l2_to_start"], color="tab:orange", lw=1, label="L2 distance")
    twin.set_ylabel("L2 distance to start (latent)", color="tab:orange")
    rows = result["by_edit_distance"]
    edits = [r["edit_distance"] for r in rows]
    means = np.array([r["l2_mean"] for r in rows])
    stds = np.array([r["l2_std"] for r in rows])
    edit_axes.plot(edits, means, marker="o", ms=3)
    edit_axes.fill_between(edits, means - stds, means + stds, alpha=0.25)
    edit_axes.set_xlabel("edit distance")
    edit_axes.set_ylabel("L2 distance in latent space")
    edit_axes.set_title(f"Spearman {result['spearman_edit_vs_l2']:.3f} over walk pairs")
    figure.suptitle(title or f"latent smoothness along a {result['steps']}-step random walk")
    return save_figure(figure, path)
