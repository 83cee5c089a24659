"""Plot a sequence of cells (e.g. decoded nearest neighbours) as adjacency matrices with ops."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from archembed.graph import ArchGraph
from archembed.viz.figure import new_figure, save_figure


def plot_cell_sequence(
    graphs: Sequence[ArchGraph | None],
    path: str | os.PathLike[str],
    captions: Sequence[str] = (),
    title: str = "",
) -> Path:
    """One panel per cell: its adjacency matrix, rows labelled by op; None shows "invalid"."""
    count = max(len(graphs), 1)
    columns = min(count, 4)
    rows = (count + columns - 1) // columns
    figure = new_figure(3.2 * columns, 3.0 * rows)
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        ax.set_xticks([])
        if i >= len(graphs):
            ax.set_axis_off()
            continue
        graph = graphs[i]
        caption = captions[i] if i < len(captions) else f"#{i}"
        ax.set_title(caption, fontsize=8)
        if graph is None:
            ax.text(0.5, 0.5, "invalid", ha="center", va="center", transform=ax.transAxes)
            ax.set_yticks([])
            continue
        ax.imshow(graph.adj, cmap="Greys", vmin=0, vmax=1)
        ax.set_yticks(range(graph.n_nodes))
        ax.set_yticklabels([op[:14] for op in graph.ops], fontsize=max(4, 8 - graph.n_nodes // 6))
    figure.suptitle(title or "cell sequence")
    return save_figure(figure, path)
