"""Several feature stores seen as one collection of per-architecture feature sets.

The contrastive encoder trains on, and embeds from, precomputed feature sets that may come from
several search spaces at once (NB201 and NB101 features made with the same inputs and
projection). This module finds an architecture's row across the stores and draws views.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from archembed.errors import ConfigError, DataNotFoundError
from archembed.graph import ArchGraph
from archembed.nets.feature_store import FeatureStore
from archembed.spaces.base import SearchSpace, get_space

SHARED_PARAMS = (
    "kind",
    "inputs",
    "k",
    "normalise",
    "seed",
    "batchnorm",
    "output",
    "projection",
)
"""Store parameters that must agree for two stores to share one embedding space."""

Entry = tuple[int, int]
"""An architecture's place: (store number, row in that store)."""


def open_stores(
    paths: Sequence[str | os.PathLike[str]], partial: bool = False
) -> list[FeatureStore]:
    """Open stores whose sets agree in shape, inputs and projection; complete unless ``partial``."""
    if not paths:
        raise ConfigError("no feature store given; compute one with `archembed features jacobian`")
    stores = [FeatureStore.open(p, require_complete=not partial) for p in paths]
    first = stores[0]
    for store in stores[1:]:
        if store.features.shape[2:] != first.features.shape[2:]:
            raise ConfigError(
                f"feature store {store.directory} holds sets of shape {store.features.shape[2:]}, "
                f"{first.directory} of {first.features.shape[2:]}; compute both with the same "
                "--points and --k"
            )
        for key in SHARED_PARAMS:
            if (
                key in first.params
                and key in store.params
                and first.params[key] != store.params[key]
            ):
                raise ConfigError(
                    f"feature stores {first.directory} and {store.directory} differ in {key!r} "
                    f"({first.params[key]!r} vs {store.params[key]!r}); one embedding space needs "
                    "features made with the same inputs and projection"
                )
    return stores


class FeatureSets:
    """Lookup and view sampling over a list of feature stores (possibly of different spaces).

    Only rows already written count: an incomplete store (opened with ``partial``) contributes
    the architectures computed so far.
    """

    def __init__(self, stores: Sequence[FeatureStore]) -> None:
        self.stores = list(stores)
        self.spaces: list[SearchSpace] = [get_space(s.space) for s in self.stores]
        self._rows = [
            {arch: row for row, arch in enumerate(s.ids) if s.done[row]} for s in self.stores
        ]

    @classmethod
    def open(cls, paths: Sequence[str | os.PathLike[str]], partial: bool = False) -> FeatureSets:
        return cls(open_stores(paths, partial))

    @property
    def paths(self) -> list[str]:
        return [str(Path(s.directory).resolve()) for s in self.stores]

    @property
    def set_shape(self) -> tuple[int, int]:
        """(points per set, dimension of each point)."""
        n_points, dim = self.stores[0].features.shape[2:]
        return int(n_points), int(dim)

    def all_entries(self) -> list[Entry]:
        return [
            (s, int(r)) for s, store in enumerate(self.stores) for r in np.flatnonzero(store.done)
        ]

    def locate(self, graphs: Sequence[ArchGraph]) -> list[Entry]:
        """The store and row of each graph, matched by its space's identity."""
        entries: list[Entry | None] = [None] * len(graphs)
        for number, (space, rows) in enumerate(zip(self.spaces, self._rows)):
            for i, graph in enumerate(graphs):
                if entries[i] is None and space.is_valid(graph):
                    row = rows.get(space.identity(graph))
                    if row is not None:
                        entries[i] = (number, row)
        missing = [i for i, e in enumerate(entries) if e is None]
        if missing:
            raise DataNotFoundError(
                f"{len(missing)} of {len(graphs)} architectures have no features in "
                f"{', '.join(self.paths)} (first: graph #{missing[0]}); compute them with "
                "`archembed features jacobian --space SPACE --out F` using the same settings, "
                "then add F to the model with ContrastiveEncoder.add_features(F)"
            )
        return [e for e in entries if e is not None]

    def gather(self, entries: Sequence[Entry]) -> list[np.ndarray]:
        """Feature arrays ``(n_inits, n_points, dim)`` of ``entries``, read in row order."""
        out: list[np.ndarray | None] = [None] * len(entries)
        by_store: dict[int, list[int]] = {}
        for position, (store, _) in enumerate(entries):
            by_store.setdefault(store, []).append(position)
        for store, positions in by_store.items():
            rows = np.array([entries[p][1] for p in positions])
            order = np.argsort(rows, kind="stable")
            values = np.asarray(self.stores[store].features[rows[order]])
            for value, position in zip(values, np.asarray(positions)[order]):
                out[position] = value
        return [v for v in out if v is not None]

    def views(
        self, entries: Sequence[Entry], rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Two different random inits per entry, as two ``(len(entries), n_points, dim)`` arrays."""
        first, second = [], []
        for value in self.gather(entries):
            a, b = rng.choice(value.shape[0], size=2, replace=False)
            first.append(value[a])
            second.append(value[b])
        return np.stack(first), np.stack(second)
