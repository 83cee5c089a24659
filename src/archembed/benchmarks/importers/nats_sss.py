"""Importer for the NATS-Bench size space table of the data directory (see its README).

One row per architecture in official index order: validation accuracy (percent, mean over
training seeds) after the 90-epoch schedule on ``cifar10-valid``, ``cifar100`` and
``ImageNet16-120``. The source ships no test accuracy, so the benchmark has no test split:
searches on it report validation accuracy only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from archembed.benchmarks.importers import NATS_SSS_SOURCE as SOURCE
from archembed.benchmarks.importers.nb201 import read_csv
from archembed.benchmarks.table import SEED_MEAN, BenchmarkTable, wide_to_long
from archembed.errors import CorruptFileError
from archembed.spaces.nats_sss import NatsSizeSpace

if TYPE_CHECKING:
    import pandas as pd

DATASETS = ("cifar10-valid", "cifar100", "ImageNet16-120")
EPOCHS = 90
COLUMNS = tuple(f"{d}_valid_acc" for d in DATASETS)


def import_nats_sss(root: Path) -> BenchmarkTable:
    """The 32,768 architectures and their 90-epoch validation accuracies on three datasets."""
    import pandas as pd

    path = root / SOURCE
    frame = read_csv(path, ("index", "arch", *COLUMNS))
    space = NatsSizeSpace()
    _check_index_order(space, frame, path)
    columns = {c: (d, "val_acc", EPOCHS, SEED_MEAN) for c, d in zip(COLUMNS, DATASETS)}
    values = wide_to_long(frame, "arch", columns)
    archs = pd.DataFrame({"arch": frame["arch"], "native": frame["arch"]})
    return BenchmarkTable(name="nats_sss", space=space.name, archs=archs, values=values)


def _check_index_order(space: NatsSizeSpace, frame: pd.DataFrame, path: Path) -> None:
    """Every architecture once, each string at its official index (else the file is damaged)."""
    natives = frame["arch"].astype(str).tolist()
    indices = frame["index"].tolist()
    if len(natives) != space.size:
        raise CorruptFileError(
            f"{path} has {len(natives):,} rows, expected {space.size:,} (one per architecture)"
        )
    for index, native in zip(indices, natives):
        if space.to_native(space.from_index(int(index))) != native:
            raise CorruptFileError(
                f"{path}: row {native!r} has index {index}, which is not its official index"
            )
    if len(set(indices)) != space.size:
        raise CorruptFileError(f"{path} lists some architectures twice")
