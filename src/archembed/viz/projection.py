"""2-D maps of embeddings (t-SNE via scikit-learn, optionally UMAP) coloured by a value.

Reusable by every encoder: pass any ``(n, d)`` embedding matrix and one value per row
(accuracy, a cluster label, a latency).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from archembed.errors import ConfigError
from archembed.viz.figure import new_figure, save_figure

PROJECTIONS = ("tsne", "umap", "pca")


def project_2d(embeddings: np.ndarray, method: str = "tsne", seed: int = 0) -> np.ndarray:
    """``(n, 2)`` coordinates of ``embeddings`` by t-SNE, UMAP (needs umap-learn) or PCA."""
    data = np.asarray(embeddings, dtype=np.float64)
    if data.ndim != 2 or len(data) < 3:
        raise ConfigError(f"need an (n, d) matrix with n >= 3 to project, got {data.shape}")
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30.0, (len(data) - 1) / 3))
        return TSNE(2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(data)
    if method == "umap":
        try:
            import umap
        except ImportError:
            raise ConfigError("UMAP needs umap-learn: pip install 'archembed[umap]'") from None
        return umap.UMAP(n_components=2, random_state=seed).fit_transform(data)
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(2, random_state=seed).fit_transform(data)
    raise ConfigError(f"unknown projection {method!r}; use one of {PROJECTIONS}")


def plot_embedding_2d(
    embeddings: np.ndarray,
    colour: np.ndarray,
    path: str | os.PathLike[str],
    method: str = "tsne",
    title: str = "",
    seed: int = 0,
    colour_label: str = "",
    coordinates: np.ndarray | None = None,
) -> np.ndarray:
    """Scatter the 2-D projection of ``embeddings`` coloured by ``colour``; returns the coordinates.

    Pass ``coordinates`` to reuse a projection already computed (no new t-SNE).
    """
    values = np.asarray(colour, dtype=np.float64)
    if len(values) != len(embeddings):
        raise ConfigError(f"{len(values)} colour values for {len(embeddings)} embeddings")
    points = project_2d(embeddings, method, seed) if coordinates is None else coordinates
    figure = new_figure(6.0, 5.0)
    axes = figure.add_subplot()
    order = np.argsort(values, kind="stable")  # best points drawn last, on top
    scatter = axes.scatter(
        points[order, 0], points[order, 1], c=values[order], s=4, cmap="viridis", linewidths=0
    )
    figure.colorbar(scatter, ax=axes, label=colour_label)
    axes.set_title(title or f"{method} of {len(values)} embeddings")
    axes.set_xticks([])
    axes.set_yticks([])
    save_figure(figure, Path(path))
    return points
