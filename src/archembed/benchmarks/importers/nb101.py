"""Importers for the NAS-Bench-101 files of the data directory (see its README).

``nb101`` reads ``nb101_data-1k.json`` and ``nb101_data-10k.json`` (11,000 cells, dataset
``cifar10``):

- ``val_acc`` at epochs 4, 12, 36 and 108, in percent (the files hold fractions; multiplied by
  100). Each value is ONE training repeat of NAS-Bench-101's three, stored under seed -1 (the
  benchmark's reported value), not a mean over repeats;
- ``train_time``: seconds to train the 108-epoch schedule (``final_training_time``), stored at
  epoch 108 only, so ``Benchmark.cost`` reads it without an epoch. That the files' single time is
  the 108-epoch one follows from its size (486-5,380 s, median 1,554 s);
- ``params``: trainable parameters (a count), epoch -1.

The 1k file gives each cell's matrix; its key is checked against the hash of that matrix. The 10k
file gives only keys, which are mapped to cells through the enumeration of the space.

``naslib-nb101`` reads NASLib's ``naslib_zc_nasbench101.json``: zero-cost proxies (``zc_<name>``),
``params`` (millions) and ``flops`` (millions) at epoch -1, and ``val_acc`` (percent, as the file
has it) at epoch 108. See :func:`decode_naslib` for NASLib's tuple encoding and how it was checked.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from archembed.benchmarks.importers import NB101_NASLIB_SOURCE, NB101_SOURCES
from archembed.benchmarks.table import NO_EPOCH, SEED_MEAN, BenchmarkTable
from archembed.errors import CorruptFileError, DataNotFoundError, InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.spaces.nb101 import NB101Space
from archembed.spaces.nb101_cells import PAD_LABEL, labels_to_ops, load_cells

if TYPE_CHECKING:
    import pandas as pd

DATASET = "cifar10"
EPOCHS = (4, 12, 36, 108)
NASLIB_OPS = ("input", "output", "maxpool3x3", "conv1x1-bn-relu", "conv3x3-bn-relu")
"""NASLib's op codes for NAS-Bench-101 (index = code in the last 7 entries of its tuple)."""
NASLIB_PLAIN_METRICS = ("params", "flops")


def read_json_columns(path: Path, required: tuple[str, ...]) -> dict[str, list[Any]]:
    """A JSON object of parallel lists, checked for the required columns and equal lengths."""
    if not path.is_file():
        raise DataNotFoundError(f"benchmark source {path} is missing")
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptFileError(f"cannot parse {path}: {exc}") from None
    if not isinstance(data, dict):
        raise CorruptFileError(f"{path} is not a JSON object of columns")
    missing = [c for c in required if c not in data]
    if missing:
        raise CorruptFileError(f"{path} lacks columns {missing}; is it truncated or another file?")
    lengths = {len(data[c]) for c in required}
    if len(lengths) != 1:
        raise CorruptFileError(f"{path}: columns have different lengths {sorted(lengths)}")
    return data


def _long_rows(ids: list[str], columns: dict[tuple[str, int], list[float]]) -> pd.DataFrame:
    """Long-format rows of dataset ``cifar10`` for {(metric, epoch): values}."""
    import pandas as pd

    parts = [
        pd.DataFrame(
            {
                "arch": ids,
                "dataset": DATASET,
                "metric": metric,
                "epoch": epoch,
                "seed": SEED_MEAN,
                "value": np.asarray(values, dtype=np.float64),
            }
        )
        for (metric, epoch), values in columns.items()
    ]
    return pd.concat(parts, ignore_index=True)


def _graphs_of_1k(space: NB101Space, data: dict[str, list[Any]], path: Path) -> list[ArchGraph]:
    graphs = []
    for row, (key, adj, labels) in enumerate(
        zip(data["key"], data["adjacency"], data["operations"])
    ):
        keep = [i for i, label in enumerate(labels) if label != PAD_LABEL]
        try:
            graph = space.from_spec(np.asarray(adj)[np.ix_(keep, keep)], labels_to_ops(labels))
        except (InvalidArchitectureError, IndexError, TypeError) as exc:
            raise CorruptFileError(
                f"{path}: row {row} is not a NAS-Bench-101 cell: {exc}"
            ) from None
        if graph.key != key:
            raise CorruptFileError(
                f"{path}: row {row} has key {key} but its matrix hashes to {graph.key}"
            )
        graphs.append(graph)
    return graphs


def _graphs_of_keys(keys: list[str], path: Path) -> list[ArchGraph]:
    cells = load_cells()
    positions = cells.positions(keys)
    unknown = np.flatnonzero(positions < 0)
    if len(unknown):
        raise CorruptFileError(
            f"{path}: {len(unknown)} keys are not NAS-Bench-101 cells, e.g. {keys[unknown[0]]!r}"
        )
    return cells.graphs(positions)


def import_nb101(root: Path) -> BenchmarkTable:
    import pandas as pd

    space = NB101Space()
    metrics = [f"{e}_final_validation_accuracy" for e in EPOCHS]
    common = ("key", *metrics, "final_training_time", "trainable_parameters")
    graphs, parts = [], []
    for rel in NB101_SOURCES:
        path = root / rel
        with_cells = rel.endswith("1k.json")
        data = read_json_columns(
            path, (*common, "adjacency", "operations") if with_cells else common
        )
        found = (
            _graphs_of_1k(space, data, path) if with_cells else _graphs_of_keys(data["key"], path)
        )
        graphs += found
        columns = {
            ("val_acc", e): np.asarray(data[m], dtype=float) * 100 for e, m in zip(EPOCHS, metrics)
        }
        columns["train_time", 108] = data["final_training_time"]
        columns["params", NO_EPOCH] = data["trainable_parameters"]
        parts.append(_long_rows([g.key for g in found], columns))
    ids = [g.key for g in graphs]
    if len(set(ids)) != len(ids):
        raise CorruptFileError(
            f"{root / 'nb101'}: a cell appears twice in {', '.join(NB101_SOURCES)}"
        )
    archs = pd.DataFrame({"arch": ids, "native": [space.to_native(g) for g in graphs]})
    values = pd.concat(parts, ignore_index=True)
    return BenchmarkTable(name="nb101", space="nb101", archs=archs, values=values)


def decode_naslib(space: NB101Space, text: str) -> ArchGraph:
    """The pruned cell of a NASLib NAS-Bench-101 tuple ``"(a00, a01, ..., a66, o0, ..., o6)"``.

    The first 49 entries are the unpruned 7x7 spec matrix, row by row; the last 7 are op codes
    indexing :data:`NASLIB_OPS` (0 input, 1 output, 2 maxpool3x3, 3 conv1x1, 4 conv3x3).
    Checked on the data: under this op order the 17 NASLib cells that are also in the 1k/10k
    files have exactly the parameter counts of those files (NASLib's millions x 1e6) and
    108-epoch validation accuracies within 0.6 points (another of the three training repeats);
    every other order of the three ops gives parameter counts that differ.
    """
    try:
        codes = ast.literal_eval(text)
        if not (isinstance(codes, tuple) and len(codes) == 56):
            raise ValueError("expected 56 integers")
        adj = np.asarray(codes[:49], dtype=np.int64).reshape(7, 7)
        ops = [NASLIB_OPS[int(c)] for c in codes[49:]]
    except (ValueError, SyntaxError, IndexError, TypeError) as exc:
        raise InvalidArchitectureError(
            f"not a NASLib NAS-Bench-101 tuple: {text[:60]!r}: {exc}"
        ) from None
    return space.from_spec(adj, ops)


def import_naslib_nb101(root: Path) -> BenchmarkTable:
    import pandas as pd

    path = root / NB101_NASLIB_SOURCE
    if not path.is_file():
        raise DataNotFoundError(f"benchmark source {path} is missing")
    try:
        records = json.loads(path.read_text())["nasbench101"]["cifar10"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise CorruptFileError(f"cannot read NASLib NB101 results from {path}: {exc}") from None
    space = NB101Space()
    rows, natives = [], {}
    for text, values in records.items():
        try:
            graph = decode_naslib(space, text)
        except InvalidArchitectureError as exc:
            raise CorruptFileError(f"{path}: {exc}") from None
        natives[graph.key] = space.to_native(graph)
        for name, value in values.items():
            if name == "val_accuracy":
                metric, epoch = "val_acc", 108
            else:
                metric = name if name in NASLIB_PLAIN_METRICS else f"zc_{name}"
                epoch = NO_EPOCH
            rows.append((graph.key, metric, epoch, float(value)))
    frame = pd.DataFrame(rows, columns=["arch", "metric", "epoch", "value"])
    samples = frame[frame["metric"] == "val_acc"].groupby("arch").size()
    values = frame.groupby(["arch", "metric", "epoch"], as_index=False)["value"].mean()
    values["dataset"], values["seed"] = DATASET, SEED_MEAN
    archs = pd.DataFrame({"arch": list(natives), "native": list(natives.values())})
    table = BenchmarkTable(name="naslib-nb101", space="nb101", archs=archs, values=values)
    table.meta["samples_per_cell"] = {k: int(v) for k, v in samples.items() if v > 1}
    return table
