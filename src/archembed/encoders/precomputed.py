"""Precomputed embeddings as an encoder: a table of vectors looked up by architecture id.

:func:`precompute` embeds every architecture of a small finite space once with another
encoder, so a search scores the whole space without re-encoding (the experiment runner does
it once per encoder and ships the table to every seed). :func:`read_embedding_file` reads
embeddings computed elsewhere from a Parquet file with the columns of :data:`FILE_FORMAT`.
"""

from __future__ import annotations

import os
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from archembed.encoders.base import Encoder
from archembed.errors import ConfigError, CorruptFileError, InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.io import read_parquet
from archembed.spaces.base import SearchSpace
from archembed.spaces.candidates import embed_all, is_enumerable

ID_COLUMN = "arch"
VECTOR_COLUMN = "embedding"
TEXT_COLUMNS = frozenset({ID_COLUMN, "native"})
FILE_FORMAT = (
    "an embedding file has a text column 'arch' (the architecture's id, as `archembed embed` "
    "writes it, or its native string) and either a list column 'embedding' or one numeric "
    "column per dimension"
)


class PrecomputedEncoder(Encoder):
    """Embeddings of a fixed set of architectures, looked up by the space's identity.

    Architectures outside the table are embedded by ``inner`` when there is one (a drop-in
    replacement that makes exhaustive scoring cheap); without one they are an error.
    """

    def __init__(
        self,
        space: SearchSpace,
        ids: Sequence[str],
        matrix: np.ndarray,
        inner: Encoder | None = None,
        name: str = "precomputed",
    ) -> None:
        super().__init__(space)
        self.inner = inner
        self.name = inner.name if inner is not None else name
        self.matrix = np.asarray(matrix, dtype=np.float32)
        self._rows = {key: i for i, key in enumerate(ids)}

    def fit(self, graphs: Sequence[ArchGraph], y: np.ndarray | None = None) -> Encoder:
        return self

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        rows = [self._rows.get(self.space.identity(g), -1) for g in graphs]
        out = self.matrix[np.maximum(rows, 0)] if rows else self.matrix[:0]
        missing = [i for i, r in enumerate(rows) if r < 0]
        if missing:
            out = out.copy()
            out[missing] = self._embed_missing([graphs[i] for i in missing])
        return out

    def _embed_missing(self, graphs: list[ArchGraph]) -> np.ndarray:
        if self.inner is None:
            raise InvalidArchitectureError(
                f"architecture {self.space.to_native(graphs[0])} has no precomputed embedding"
            )
        return self.inner.transform(graphs)

    def check_space(self, space: SearchSpace | str) -> None:
        if self.inner is not None:
            self.inner.check_space(space)
        else:
            super().check_space(space)


def precompute(encoder: Encoder, space: SearchSpace) -> Encoder:
    """Wrap ``encoder`` with the embeddings of every architecture of a small finite ``space``.

    Spaces that are infinite or too large to enumerate return ``encoder`` unchanged.
    """
    if isinstance(encoder, PrecomputedEncoder) or not is_enumerable(space):
        return encoder
    graphs = space.enumerate()
    ids = [space.identity(g) for g in graphs]
    return PrecomputedEncoder(encoder.space, ids, embed_all(encoder, graphs), inner=encoder)


@dataclass(frozen=True)
class EmbeddingFile:
    """The ids and float32 vectors of an embedding file, checked, not yet matched to a space."""

    path: Path
    ids: list[str]
    matrix: np.ndarray

    def encoder(
        self, space: SearchSpace, graphs: Sequence[ArchGraph] | None = None
    ) -> PrecomputedEncoder:
        """The table as an encoder of ``graphs`` (default: every architecture of the finite
        ``space``, searched), which it must cover: none missing, and no unknown id unless
        ``graphs`` are given (then rows of other architectures are left out)."""
        where = f"searched in {space.name}" if graphs is None else f"ranked in {space.name}"
        targets = {space.identity(g): g for g in (space.enumerate() if graphs is None else graphs)}
        known = {key: key for key in targets}
        if any(key not in known for key in self.ids):
            known.update((space.to_native(g), key) for key, g in targets.items())
        rows = [row for row, key in enumerate(self.ids) if key in known]
        unknown = [key for key in self.ids if key not in known]
        if unknown and (graphs is None or not rows):
            hint = "; was it written for another space?" if len(unknown) == len(self.ids) else ""
            raise ConfigError(
                f"{self.path}: {len(unknown)} ids in column 'arch' are not architectures of "
                f"the {len(targets)} {where}, e.g. {unknown[0]!r}{hint}"
            )
        keys = [known[self.ids[row]] for row in rows]
        _no_duplicates(self.path, keys, "names an architecture already named in another row")
        if len(keys) < len(targets):
            covered = set(keys)
            absent = next(g for key, g in targets.items() if key not in covered)
            raise ConfigError(
                f"{self.path} has no embedding for {len(targets) - len(keys)} of the "
                f"{len(targets)} architectures {where}, e.g. {space.to_native(absent)}"
            )
        return PrecomputedEncoder(space, keys, self.matrix[rows], name=self.path.stem)


def is_embedding_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names an embedding file (an existing file, or a ``.parquet`` path)."""
    target = Path(path).expanduser()
    return target.is_file() or (target.suffix == ".parquet" and not target.is_dir())


def read_embedding_file(path: str | os.PathLike[str]) -> EmbeddingFile:
    """The ids and vectors of a Parquet embedding file; a bad file is a one-line UserError."""
    target = Path(path).expanduser()
    frame = read_parquet(target)
    if ID_COLUMN not in frame.columns:
        raise CorruptFileError(f"{target} has no column 'arch': {FILE_FORMAT}")
    if frame.empty:
        raise CorruptFileError(f"{target} has no rows: {FILE_FORMAT}")
    ids = _ids(target, frame[ID_COLUMN])
    matrix = _vectors(target, frame)
    bad = ~np.isfinite(matrix).all(axis=1)
    if bad.any():
        row = int(np.argmax(bad))
        raise CorruptFileError(
            f"{target}: the embedding of {ids[row]!r} (row {row}) is not finite (NaN or "
            "infinite); every value must be a number"
        )
    return EmbeddingFile(target, ids, matrix)


def _ids(path: Path, column: pd.Series) -> list[str]:
    """The non-empty text ids of column 'arch', each once."""
    ids = column.tolist()
    bad = next((i for i, key in enumerate(ids) if not isinstance(key, str) or not key), None)
    if bad is not None:
        missing = ids[bad] is None or (isinstance(ids[bad], float) and np.isnan(ids[bad]))
        found = "has none" if missing else f"is {reprlib.repr(ids[bad])}"
        raise CorruptFileError(
            f"{path}: column 'arch' must hold architecture ids (text); row {bad} {found}"
        )
    _no_duplicates(path, ids, "appears in more than one row")
    return ids


def _no_duplicates(path: Path, keys: Sequence[str], problem: str) -> None:
    seen: set[str] = set()
    for row, key in enumerate(keys):
        if key in seen:
            raise CorruptFileError(f"{path}: the id of row {row} ({key!r}) {problem}")
        seen.add(key)


def _vectors(path: Path, frame: pd.DataFrame) -> np.ndarray:
    """The ``(rows, dim)`` float32 vectors: the list column, or the numeric columns."""
    if VECTOR_COLUMN in frame.columns:
        return _list_column(path, frame[VECTOR_COLUMN])
    columns = [c for c in frame.columns if c not in TEXT_COLUMNS]
    if not columns:
        raise CorruptFileError(f"{path} has no embedding columns: {FILE_FORMAT}")
    types = pd.api.types
    for name in columns:
        if not types.is_numeric_dtype(frame[name]) or types.is_bool_dtype(frame[name]):
            raise CorruptFileError(f"{path}: column {name!r} is not numeric: {FILE_FORMAT}")
    return frame[columns].to_numpy(dtype=np.float32, na_value=np.nan)


def _list_column(path: Path, column: pd.Series) -> np.ndarray:
    """Column 'embedding' as a matrix: every row a list of numbers of one length."""
    vectors: list[np.ndarray] = []
    for row, value in enumerate(column.tolist()):
        vector = _numbers(value)
        if vector is None:
            raise CorruptFileError(
                f"{path}: column 'embedding' must hold a list of numbers in every row; "
                f"row {row} does not"
            )
        if vectors and len(vector) != len(vectors[0]):
            raise CorruptFileError(
                f"{path}: every embedding must have the same length; row 0 has "
                f"{len(vectors[0])} values, row {row} has {len(vector)}"
            )
        vectors.append(vector)
    return np.stack(vectors)


def _numbers(value: object) -> np.ndarray | None:
    """``value`` as a non-empty float32 vector, or None when it is not a list of numbers."""
    try:
        vector = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError):
        return None
    return vector if vector.ndim == 1 and len(vector) else None
