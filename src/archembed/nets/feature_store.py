"""FeatureStore: per-(architecture, init) feature sets in one memory-mappable array.

A store is a directory:

- ``features.npy`` — float32, shape ``(n_archs, n_inits, n_points, dim)``, opened with
  ``mmap_mode`` so a reader touches only the rows it needs;
- ``index.parquet`` — one row per architecture: ``arch`` (the space's identity) and ``native``;
- ``done.npy`` — bool ``(n_archs,)``: which rows are fully written (resumable chunked writing);
- ``meta.json`` — schema version, space, shape, and the parameters that produced the features
  (network setting, inputs, projection...). Written last on creation.

Writers fill rows in chunks with :meth:`FeatureStore.write`; a crash loses at most the chunk
being written, and reopening with the same parameters resumes at :meth:`missing`. Readers
that need every row use ``FeatureStore.open(path, require_complete=True)``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archembed.errors import ConfigError, CorruptFileError, DataNotFoundError
from archembed.io import atomic_path, read_json, read_parquet, write_json, write_parquet
from archembed.outputs import MARKER

STORE_SCHEMA = 1
_FEATURES = "features.npy"
_DONE = "done.npy"
_INDEX = "index.parquet"
_META = "meta.json"
FILES = (_FEATURES, _DONE, _INDEX, _META)
"""What a store directory holds (Jacobian stores add ``projection.npy``)."""


class FeatureStore:
    """A feature array with its architecture index; see the module docstring for the layout."""

    def __init__(self, directory: Path, meta: dict[str, Any], index: pd.DataFrame, mode: str):
        self.directory = directory
        self.meta = meta
        self.ids: list[str] = index["arch"].astype(str).tolist()
        self.natives: list[str] = index["native"].astype(str).tolist()
        self._row_of = {arch: row for row, arch in enumerate(self.ids)}
        self.features: np.ndarray = np.load(directory / _FEATURES, mmap_mode=mode)
        expected = (len(self.ids), meta["n_inits"], meta["n_points"], meta["dim"])
        if self.features.shape != expected or self.features.dtype != np.float32:
            raise CorruptFileError(
                f"{directory / _FEATURES} has shape {self.features.shape} "
                f"{self.features.dtype}, expected {expected} float32"
            )
        self.done: np.ndarray = np.load(directory / _DONE)

    def __repr__(self) -> str:
        shape = "x".join(str(s) for s in self.features.shape)
        return (
            f"FeatureStore({str(self.directory)!r}, space={self.space!r}, {shape}, {self.progress})"
        )

    @property
    def space(self) -> str:
        return str(self.meta["space"])

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.meta.get("params", {}))

    @property
    def complete(self) -> bool:
        return bool(self.done.all())

    @property
    def progress(self) -> str:
        return f"{int(self.done.sum())}/{len(self.done)} rows written"

    def missing(self) -> np.ndarray:
        """Row numbers not written yet, in order."""
        return np.flatnonzero(~self.done)

    def rows(self, ids: Sequence[str]) -> np.ndarray:
        """Row numbers of architecture ids; an id not in the store is an error."""
        try:
            return np.array([self._row_of[i] for i in ids], dtype=np.int64)
        except KeyError as exc:
            raise DataNotFoundError(
                f"architecture {exc.args[0]!r} is not in feature store {self.directory}; "
                "compute features for it first"
            ) from None

    def get(self, ids: Sequence[str]) -> np.ndarray:
        """Features of ``ids`` as an in-memory array ``(len(ids), n_inits, n_points, dim)``."""
        rows = self.rows(ids)
        if not self.done[rows].all():
            raise DataNotFoundError(
                f"feature store {self.directory} is incomplete ({self.progress}); "
                "resume the feature computation"
            )
        return np.asarray(self.features[rows])

    def write(self, rows: np.ndarray, values: np.ndarray) -> None:
        """Write ``values`` (len(rows), n_inits, n_points, dim) and mark the rows done."""
        rows = np.asarray(rows, dtype=np.int64)
        values = np.asarray(values, dtype=np.float32)
        if values.shape != (len(rows), *self.features.shape[1:]):
            raise ValueError(f"values of shape {values.shape} do not fit rows {len(rows)}")
        self.features[rows] = values
        self.features.flush()
        self.done[rows] = True
        with atomic_path(self.directory / _DONE) as tmp, open(tmp, "wb") as handle:
            np.save(handle, self.done)

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        space: str,
        ids: Sequence[str],
        natives: Sequence[str],
        *,
        n_inits: int,
        n_points: int,
        dim: int,
        params: dict[str, Any] | None = None,
        resume: bool = True,
    ) -> FeatureStore:
        """Create a store for ``ids``, or reopen a matching one to resume it (``resume``).

        An existing store made for other architectures or parameters is never overwritten:
        that is an error naming the mismatch.
        """
        directory = Path(path)
        meta = {
            "schema_version": STORE_SCHEMA,
            "space": space,
            "n_archs": len(ids),
            "n_inits": int(n_inits),
            "n_points": int(n_points),
            "dim": int(dim),
            "params": dict(params or {}),
        }
        if (directory / _META).is_file():
            existing = cls.open(directory, writable=True)
            same = {k: v for k, v in existing.meta.items() if k in meta} == meta
            if resume and same and existing.ids == [str(i) for i in ids]:
                return existing
            raise ConfigError(
                f"{directory} already holds features made with other settings or architectures "
                f"({existing.progress}); choose another --out or delete it"
            )
        if directory.exists() and any(p.name != MARKER for p in directory.iterdir()):
            raise ConfigError(
                f"{directory} exists and is not a feature store; choose another --out"
            )
        directory.mkdir(parents=True, exist_ok=True)
        if len(ids) != len(natives) or len(set(ids)) != len(ids):
            raise ValueError("ids must be unique and as many as natives")
        write_parquet(
            directory / _INDEX,
            pd.DataFrame({"arch": [str(i) for i in ids], "native": [str(n) for n in natives]}),
        )
        np.lib.format.open_memmap(
            directory / _FEATURES,
            mode="w+",
            dtype=np.float32,
            shape=(len(ids), n_inits, n_points, dim),
        ).flush()
        np.save(directory / _DONE, np.zeros(len(ids), dtype=bool))
        write_json(directory / _META, meta)
        return cls.open(directory, writable=True)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        writable: bool = False,
        require_complete: bool = False,
    ) -> FeatureStore:
        """Open a store (read-only memory map unless ``writable``)."""
        directory = Path(path)
        if not (directory / _META).is_file():
            raise DataNotFoundError(
                f"{directory} is not a feature store (no {_META}); compute one with "
                "`archembed features`"
            )
        meta = read_json(directory / _META)
        if not isinstance(meta, dict) or meta.get("schema_version") != STORE_SCHEMA:
            raise CorruptFileError(f"{directory / _META} is not a feature-store description")
        try:
            store = cls(
                directory, meta, read_parquet(directory / _INDEX), "r+" if writable else "r"
            )
        except (OSError, ValueError, KeyError) as exc:
            raise CorruptFileError(f"cannot read feature store {directory}: {exc}") from None
        if require_complete and not store.complete:
            raise DataNotFoundError(
                f"feature store {directory} is incomplete ({store.progress}); resume the "
                "feature computation with the same command"
            )
        return store
