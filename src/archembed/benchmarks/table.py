"""One table format for tabular benchmark results: Parquet values + Parquet archs + JSON metadata.

``values`` is long: one row per (arch, dataset, metric, epoch, seed) with a float ``value``.
``epoch`` is -1 for quantities that do not depend on training length (hardware metrics,
zero-cost proxies, parameter counts); ``seed`` is -1 for the mean over training seeds.
``archs`` maps each arch id (the space's ``identity``) to its native string. A saved table also
has a look-up grid (:mod:`archembed.benchmarks.lookup`) and lists its groups in the metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archembed.benchmarks.groups import NO_EPOCH, SEED_MEAN
from archembed.errors import CorruptFileError
from archembed.io import read_json, read_parquet, write_json, write_parquet

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["NO_EPOCH", "SCHEMA_VERSION", "SEED_MEAN", "VALUE_COLUMNS", "BenchmarkTable"]

SCHEMA_VERSION = 1
VALUE_COLUMNS = ("arch", "dataset", "metric", "epoch", "seed", "value")


@dataclass
class BenchmarkTable:
    """A benchmark's results in the common format, plus provenance metadata."""

    name: str
    space: str
    archs: pd.DataFrame
    values: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [c for c in VALUE_COLUMNS if c not in self.values.columns]
        if missing or not {"arch", "native"} <= set(self.archs.columns):
            raise CorruptFileError(
                f"benchmark table {self.name!r} lacks columns {missing or ['arch', 'native']}"
            )
        self.values = normalise_values(self.values)

    def save(self, directory: str | Path) -> None:
        """Write the values and archs Parquet files, the look-up grid, then ``<name>.json``.

        The JSON metadata, written last, lists the groups (see :mod:`archembed.benchmarks.lookup`)
        so that what a benchmark holds is known without loading its table.
        """
        from archembed.benchmarks.lookup import write_lookup

        out = Path(directory)
        write_parquet(out / f"{self.name}.values.parquet", self.values)
        write_parquet(out / f"{self.name}.archs.parquet", self.archs)
        index = write_lookup(out, self.name, self.values)
        meta = {
            "schema_version": SCHEMA_VERSION,
            "name": self.name,
            "space": self.space,
            "groups": index.to_rows(),
        }
        self.meta.update(meta)
        write_json(out / f"{self.name}.json", self.meta)

    @classmethod
    def load(cls, directory: str | Path, name: str) -> BenchmarkTable:
        """Read a table written by :meth:`save`; a wrong schema raises CorruptFileError."""
        base = Path(directory)
        meta = read_json(base / f"{name}.json")
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise CorruptFileError(
                f"{base / name}.json has schema {meta.get('schema_version')}, expected "
                f"{SCHEMA_VERSION}: re-import it with `archembed data import`"
            )
        values = read_parquet(base / f"{name}.values.parquet")
        archs = read_parquet(base / f"{name}.archs.parquet")
        return cls(name=name, space=meta["space"], archs=archs, values=values, meta=meta)


_DTYPES = ("category", "category", "category", "int16", "int16", "float64")


def normalise_values(values: pd.DataFrame) -> pd.DataFrame:
    """Common dtypes: categorical names, int16 epoch/seed, float64 value; rows with NaN dropped."""
    import pandas as pd

    if list(values.columns) == list(VALUE_COLUMNS) and [str(t) for t in values.dtypes] == list(
        _DTYPES
    ):
        return values
    frame = values.loc[:, list(VALUE_COLUMNS)].dropna(subset=["value"])
    return pd.DataFrame(
        {
            "arch": frame["arch"].astype(str).astype("category"),
            "dataset": frame["dataset"].astype(str).astype("category"),
            "metric": frame["metric"].astype(str).astype("category"),
            "epoch": frame["epoch"].astype("int16"),
            "seed": frame["seed"].astype("int16"),
            "value": frame["value"].astype("float64"),
        }
    ).reset_index(drop=True)


def wide_to_long(
    frame: pd.DataFrame,
    arch_column: str,
    columns: dict[str, tuple[str, str, int, int]],
) -> pd.DataFrame:
    """Melt wide source columns into long rows.

    ``columns`` maps a source column to its (dataset, metric, epoch, seed).
    """
    import pandas as pd

    parts = []
    for column, (dataset, metric, epoch, seed) in columns.items():
        parts.append(
            pd.DataFrame(
                {
                    "arch": frame[arch_column].to_numpy(),
                    "dataset": dataset,
                    "metric": metric,
                    "epoch": epoch,
                    "seed": seed,
                    "value": pd.to_numeric(frame[column], errors="coerce").to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
