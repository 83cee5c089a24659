"""Embed architectures made of several cells with an encoder trained on single cells.

A DARTS genotype is a normal and a reduction cell; the arch2vec paper pretrains on single
cells (space ``darts_cell``). :class:`CellwiseEncoder` embeds a genotype as its cells'
embeddings side by side (normal first), so a cell model serves every command that takes a
``darts`` model: ``embed``, ``evaluate``, ``predict``, ``search`` and ``run``.
:func:`encoder_for_space` picks it when a model's space is the cell space of the space asked
for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from archembed.encoders.base import Encoder
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace, get_space


class CellwiseEncoder(Encoder):
    """The concatenated embeddings of an architecture's cells under a single-cell encoder."""

    def __init__(self, space: SearchSpace | str, cell_encoder: Encoder) -> None:
        super().__init__(space)
        self.cell_encoder = cell_encoder
        self.name = cell_encoder.name

    def _cells(self, graphs: Sequence[ArchGraph]) -> list[ArchGraph]:
        return [cell for graph in graphs for cell in self.space.cells(graph)]

    def fit(self, graphs: Sequence[ArchGraph], y: np.ndarray | None = None) -> CellwiseEncoder:
        """Fit the cell encoder, without labels, on every cell of ``graphs``."""
        self.cell_encoder.fit(self._cells(graphs))
        return self

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        vectors = np.asarray(self.cell_encoder.transform(self._cells(graphs)), dtype=np.float32)
        return vectors.reshape(len(graphs), -1)


def encoder_for_space(encoder: Encoder, space: SearchSpace | str) -> Encoder:
    """``encoder`` itself for its own space, a :class:`CellwiseEncoder` for a space whose cells
    it was trained on; any other space raises the encoder's clear space error."""
    target = get_space(space) if isinstance(space, str) else space
    if target.name != encoder.space.name and target.cell_space == encoder.space.name:
        return CellwiseEncoder(target, encoder)
    encoder.check_space(target)
    return encoder
