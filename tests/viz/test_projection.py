"""Reusable 2-D embedding plots and the arch2vec evaluation figures."""

from __future__ import annotations

import numpy as np
import pytest

from archembed.errors import ConfigError
from archembed.spaces import get_space
from archembed.viz.neighbours import plot_cell_sequence
from archembed.viz.projection import plot_embedding_2d, project_2d
from archembed.viz.smoothness import plot_smoothness


def test_tsne_separates_two_clusters_and_writes_png(tmp_path) -> None:
    rng = np.random.default_rng(0)
    data = np.vstack([rng.normal(0, 0.1, (40, 5)), rng.normal(5, 0.1, (40, 5))])
    colour = np.repeat([0.0, 1.0], 40)
    coords = plot_embedding_2d(data, colour, tmp_path / "map.png", seed=0)
    assert coords.shape == (80, 2)
    centre_gap = np.linalg.norm(coords[:40].mean(0) - coords[40:].mean(0))
    assert centre_gap > 3 * coords[:40].std(0).max()
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"
    assert project_2d(data, "pca").shape == (80, 2)
    with pytest.raises(ConfigError):
        project_2d(data, "mds")
    with pytest.raises(ConfigError):
        plot_embedding_2d(data, colour[:5], tmp_path / "bad.png")


def test_smoothness_and_sequence_plots(tmp_path) -> None:
    result = {
        "steps": 3,
        "spearman_edit_vs_l2": 0.5,
        "by_edit_distance": [
            {"edit_distance": 1, "pairs": 3, "l2_mean": 0.2, "l2_std": 0.1},
            {"edit_distance": 2, "pairs": 3, "l2_mean": 0.5, "l2_std": 0.1},
        ],
        "walk": {
            "edit_to_start": [0, 1, 2, 1],
            "l2_to_start": [0, 0.2, 0.4, 0.3],
            "l2_step": [0.2, 0.2, 0.1],
        },
    }
    assert plot_smoothness(result, tmp_path / "s.png").is_file()
    graphs = get_space("nb201").sample(3, np.random.default_rng(0))
    path = plot_cell_sequence([*graphs, None], tmp_path / "seq.png", ["a", "b", "c", "d"])
    assert path.read_bytes()[:4] == b"\x89PNG"
