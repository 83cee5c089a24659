"""An encoder saved as a table: the embedding of every architecture of a finite space.

Some encoders embed an architecture from data too large to ship: the contrastive encoder reads
each cell's data-Jacobian features from a store of about 1 GB for NB201. Over a finite space
their embeddings can be computed once and shipped instead. :meth:`TableEncoder.from_source`
embeds every architecture with such a ``source`` encoder, keeps the leading ``components``
principal axes of the embeddings (a rotation: distances change only by the dropped variance)
and stores them at a chosen precision (float16 halves float32). The saved directory holds the
table (``table.pt``, rows in the space's enumeration order) and the source model's own state,
so :meth:`TableEncoder.source_model` gives the trained source back for new data, and
:meth:`TableEncoder.project` maps its output into the table's coordinates.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from archembed.checks import check_int
from archembed.encoders.base import ENCODERS, Encoder, register_encoder
from archembed.encoders.precomputed import PrecomputedEncoder
from archembed.errors import ConfigError, CorruptFileError, InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace
from archembed.spaces.candidates import embed_all, is_enumerable

TABLE_FILE = "table.pt"
TABLE_KEYS = ("embeddings", "mean", "basis")
DTYPES = ("float16", "float32")
"""Precisions a table may be stored at."""
_PORTABLE = {"contrastive": {"features": [], "partial": False, "device": "cpu"}}
"""Source settings that name this machine (feature-store paths, device), reset when saved."""


def ids_digest(ids: Sequence[str]) -> str:
    """SHA-256 of a list of architecture ids in order (which row is which architecture)."""
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()


@register_encoder("embedding-table")
class TableEncoder(PrecomputedEncoder):
    """Looks every architecture of a finite space up in a stored table of ``dim`` numbers.

    ``source`` and ``source_params`` name the encoder that computed the table and its config
    (its state is saved alongside); the model answers to the source's name (a ``contrastive``
    table is a ``contrastive`` model to ``predict --model``). ``ids_sha256`` pins the row order
    (:func:`ids_digest`).
    """

    name = "embedding-table"

    def __init__(
        self,
        space: SearchSpace | str,
        source: str,
        source_params: dict[str, Any],
        dim: int,
        dtype: str = "float16",
        ids_sha256: str = "",
    ) -> None:
        Encoder.__init__(self, space)
        if not is_enumerable(self.space):
            raise ConfigError(f"an embedding table needs a small finite space, not {space!r}")
        if dtype not in DTYPES:
            raise ConfigError(f"table dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
        check_int("dim", dim, 1, 8192)
        self.source = source
        self.source_params = dict(source_params)
        self.dim = dim
        self.dtype = dtype
        self.ids_sha256 = ids_sha256
        self.inner = None
        self.name = source  # answers to the source's name, as a precomputed encoder does
        self._source: Encoder | None = None
        self._directory: Path | None = None

    @classmethod
    def from_source(cls, encoder: Encoder, components: int, dtype: str = "float16") -> TableEncoder:
        """The table of ``encoder``'s embeddings of its whole space, on ``components`` axes."""
        space = encoder.space
        graphs = space.enumerate()
        ids = [space.identity(g) for g in graphs]
        params = {**encoder.config(), **_PORTABLE.get(encoder.name, {})}
        table = cls(space, encoder.name, params, components, dtype, ids_digest(ids))
        full = embed_all(encoder, graphs)
        check_int("components", components, 1, full.shape[1])
        table.mean_, table.basis_ = principal_axes(full, components)
        table._fill(ids, table.project(full).astype(dtype))
        table._source = encoder
        return table

    def config(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "source_params": self.source_params,
            "dim": self.dim,
            "dtype": self.dtype,
            "ids_sha256": self.ids_sha256,
        }

    def _fill(self, ids: list[str], table: np.ndarray) -> None:
        """The stored table (rows in ``ids`` order) and the float32 lookup matrix."""
        self.table_ = table
        self.matrix = table.astype(np.float32)
        self._rows = {key: i for i, key in enumerate(ids)}

    def project(self, embeddings: np.ndarray) -> np.ndarray:
        """Source embeddings ``(n, source_dim)`` in the table's coordinates ``(n, dim)``."""
        return (np.asarray(embeddings, dtype=np.float32) - self.mean_) @ self.basis_.T

    def source_model(self) -> Encoder:
        """The trained encoder that computed the table (loaded from the model directory)."""
        if self._source is None:
            if self._directory is None:
                raise CorruptFileError("this embedding table has no saved source model")
            source = ENCODERS.get(self.source).from_config(self.space, dict(self.source_params))
            source.load_state(self._directory)
            self._source = source
        return self._source

    def _embed_missing(self, graphs: list[ArchGraph]) -> np.ndarray:
        outside = graphs[0]
        what = self.space.to_native(outside) if self.space.is_valid(outside) else f"{outside.ops}"
        raise InvalidArchitectureError(
            f"{len(graphs)} architecture(s) are not in this table of the {len(self._rows)} "
            f"{self.space.name} architectures, e.g. {what}"
        )

    def check_space(self, space: SearchSpace | str) -> None:
        name = space if isinstance(space, str) else space.name
        if name != self.space.name:
            raise InvalidArchitectureError(
                f"this model is a table of {self.source} embeddings of the {self.space.name} "
                f"architectures; it cannot embed {name!r} ones"
            )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save as any encoder, under this class's registered name (how ``load_encoder`` finds
        it), not the source's name the loaded model answers to."""
        self.name = TableEncoder.name
        try:
            return super().save(path)
        finally:
            self.name = self.source

    def save_state(self, directory: Path) -> None:
        import torch

        from archembed.nn.runtime import save_checkpoint

        self.source_model().save_state(directory)
        save_checkpoint(
            directory / TABLE_FILE,
            {
                "embeddings": torch.from_numpy(self.table_),
                "mean": torch.from_numpy(self.mean_),
                "basis": torch.from_numpy(self.basis_),
            },
        )

    def load_state(self, directory: Path) -> None:
        from archembed.nn.runtime import load_checkpoint

        state = load_checkpoint(directory / TABLE_FILE, keys=TABLE_KEYS, kind="an embedding table")
        table = state["embeddings"].numpy()
        ids = [self.space.identity(g) for g in self.space.enumerate()]
        if table.shape != (len(ids), self.dim) or str(table.dtype) != self.dtype:
            raise CorruptFileError(
                f"{directory / TABLE_FILE} holds a {table.dtype} table of shape {table.shape}, "
                f"not {self.dtype} ({len(ids)}, {self.dim}) as config.json says"
            )
        if self.ids_sha256 and ids_digest(ids) != self.ids_sha256:
            raise CorruptFileError(
                f"{directory}: the {self.space.name} architectures are enumerated in another "
                "order than when this table was made (another archembed version?)"
            )
        self.mean_, self.basis_ = state["mean"].numpy(), state["basis"].numpy()
        self._fill(ids, table)
        self._directory = directory


def principal_axes(X: np.ndarray, components: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean ``(d,)`` and the leading ``components`` principal axes ``(components, d)`` of
    ``X`` (float32; each axis signed so that its largest loading is positive)."""
    values = np.asarray(X, dtype=np.float64)
    mean = values.mean(axis=0)
    _, _, axes = np.linalg.svd(values - mean, full_matrices=False)
    axes = axes[:components]
    signs = np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])
    return mean.astype(np.float32), (axes * signs[:, None]).astype(np.float32)
