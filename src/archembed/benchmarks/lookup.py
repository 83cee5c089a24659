"""Fast look-ups of a cached benchmark: a value grid beside its table, read without pandas.

NumPy is imported only for a look-up, so listing what a benchmark holds needs neither it nor
pandas. ``<name>.ids.npy`` holds the table's arch ids, sorted, as fixed-width UTF-8 bytes;
``<name>.grid.npy`` a float64 matrix with one row per id and one column per group of the JSON
metadata's ``groups`` list (NaN: no value). Both are memory-mapped, so a query reads a few pages
and ``archembed query`` or ``data list`` start in a fraction of a second; a full
:class:`~archembed.benchmarks.base.Benchmark` (pandas) gives the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archembed.benchmarks.groups import GroupIndex
from archembed.errors import CorruptFileError
from archembed.io import atomic_path

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from archembed.graph import ArchGraph
    from archembed.spaces.base import SearchSpace

GROUP_COLUMNS = ["dataset", "metric", "epoch", "seed"]


def _paths(directory: Path, name: str) -> tuple[Path, Path]:
    return directory / f"{name}.ids.npy", directory / f"{name}.grid.npy"


def _save_array(path: Path, array: np.ndarray) -> None:
    import numpy as np

    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.save(handle, array, allow_pickle=False)


def write_lookup(directory: Path, name: str, values: pd.DataFrame) -> GroupIndex:
    """Write the id and grid files of a normalised values frame; return its group index."""
    import numpy as np

    grouped = values.groupby(GROUP_COLUMNS, observed=True, sort=True)
    sizes = grouped.size()
    index = GroupIndex(name, zip(sizes.index, sizes.to_numpy()))
    position = {key: i for i, key in enumerate(index.sizes)}
    group_column = np.array([position[(d, m, int(e), int(s))] for d, m, e, s in sizes.index])
    names = [str(c).encode("utf-8") for c in values["arch"].cat.categories]
    ids = np.array(names, dtype=f"S{max((len(n) for n in names), default=1) or 1}")
    order = np.argsort(ids, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    grid = np.full((len(ids), len(index.sizes)), np.nan)
    rows = rank[values["arch"].cat.codes.to_numpy()]
    grid[rows, group_column[grouped.ngroup().to_numpy()]] = values["value"].to_numpy()
    ids_path, grid_path = _paths(directory, name)
    _save_array(ids_path, ids[order])
    _save_array(grid_path, grid)
    return index


class StoredBenchmark:
    """A cached benchmark read through its grid: what it holds, and values by architecture."""

    def __init__(self, directory: Path, meta: dict[str, Any]) -> None:
        self.name = str(meta["name"])
        self.space_name = str(meta["space"])
        self.directory = directory
        self.meta = meta
        self.index = GroupIndex.from_rows(self.name, meta["groups"])
        self._columns = {key: i for i, key in enumerate(self.index.sizes)}
        self._arrays: tuple[np.ndarray, np.ndarray] | None = None

    def _load(self) -> tuple[np.ndarray, np.ndarray]:
        """The memory-mapped id and grid arrays, checked against the metadata (once)."""
        import numpy as np

        if self._arrays is not None:
            return self._arrays
        fix = f"re-import it with `archembed data import --force {self.name}`"
        try:
            ids, grid = (np.load(p, mmap_mode="r") for p in _paths(self.directory, self.name))
        except (OSError, ValueError, EOFError) as exc:
            raise CorruptFileError(
                f"cannot read the look-up files of benchmark {self.name!r} in {self.directory}: "
                f"{exc}; {fix}"
            ) from None
        if ids.dtype.kind != "S" or grid.shape != (len(ids), len(self._columns)):
            raise CorruptFileError(
                f"the look-up files of benchmark {self.name!r} in {self.directory} do not match "
                f"its metadata; {fix}"
            )
        self._arrays = ids, grid
        return self._arrays

    @property
    def space(self) -> SearchSpace:
        """The benchmark's search space (imported on first use)."""
        from archembed.spaces.base import get_space

        return get_space(self.space_name)

    def describe(self) -> list[dict[str, object]]:
        """One row per dataset/metric: epochs, seeds and number of architectures."""
        return self.index.describe()

    def _rows(self, ids: np.ndarray, arch_ids: Sequence[str]) -> np.ndarray:
        """Row of each arch id in the sorted ``ids`` (-1 when absent)."""
        import numpy as np

        rows = np.full(len(arch_ids), -1)
        for i, arch_id in enumerate(arch_ids):
            key = arch_id.encode("utf-8")
            if len(key) > ids.dtype.itemsize or key.endswith(b"\0"):
                continue
            pos = int(np.searchsorted(ids, key))
            if pos < len(ids) and ids[pos] == key:
                rows[i] = pos
        return rows

    def query(
        self,
        graphs: Sequence[ArchGraph],
        dataset: str,
        metric: str = "val_acc",
        epoch: int | None = None,
        seed: int | None = None,
    ) -> np.ndarray:
        """Values for ``graphs``, as :meth:`Benchmark.query` gives them (same checks and errors)."""
        import numpy as np

        key = self.index.resolve(dataset, metric, epoch, seed)
        ids, grid = self._load()
        space = self.space
        rows = self._rows(ids, [space.identity(g) for g in graphs])
        values = np.full(len(graphs), np.nan)
        found = rows >= 0
        values[found] = grid[rows[found], self._columns[key]]
        missing = int(np.isnan(values).sum())
        if missing:
            raise self.index.missing_error(missing, len(graphs), dataset, metric)
        return values
