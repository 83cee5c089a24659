"""Importer for TransNAS-Bench-101's micro (cell) space: 4,096 cells x 7 tasks.

The source table has one row per cell: NASLib's 6-tuple of op indices and, per task, NASLib's
``val_accuracy`` (stored here as ``val_acc``, higher is better): top-1 accuracy in percent for
``class_scene``, ``class_object`` and ``jigsaw``, pixel accuracy in percent for
``segmentsemantic``, SSIM for ``normal`` and ``autoencoder``, and the *negated* L2 loss for
``room_layout``. NASLib takes TransNAS-Bench-101's best-epoch value; the tasks train for
different lengths, so values are stored without an epoch, as the seed mean.

Op and edge order. NASLib queries the benchmark with the string ``64-41414-a_bc_def`` formed
from the tuple's digits as they are, so a label belongs to that TransNAS-Bench-101 cell: ops
``0`` none, ``1`` skip_connect, ``2`` nor_conv_1x1, ``3`` nor_conv_3x3 (NAS-Bench-201's first
four op indices) on edges 0->1; 0->2, 1->2; 0->3, 1->3, 2->3 (NAS-Bench-201's string order).
NASLib's own graph object (OP_NAMES Identity, Zero, 3x3, 1x1; edges 0->1, 0->2, 0->3, 1->2, ...)
is a different reading and is not the labelled cell: the 64 cells with ``d = e = f = 0`` share
one accuracy on every classification task, as cells whose output node gets nothing must.
Each cell is therefore stored as the NB201 string of the same edge ops, in the ``nb201`` space.
"""

from __future__ import annotations

from pathlib import Path

from archembed.benchmarks.table import NO_EPOCH, SEED_MEAN, BenchmarkTable, wide_to_long
from archembed.errors import CorruptFileError, DataNotFoundError
from archembed.spaces.nb201 import NB201_OPS, NB201Space

SOURCE = "transnas101/tnb101_micro_val.csv"
TASKS = (
    "class_scene",
    "class_object",
    "jigsaw",
    "segmentsemantic",
    "normal",
    "autoencoder",
    "room_layout",
)
TNB_OPS = NB201_OPS[:4]
"""TransNAS-Bench-101 micro op codes 0..3 (none, skip, 1x1 conv, 3x3 conv)."""
CELLS = len(TNB_OPS) ** 6


def parse_tuple(text: str) -> tuple[int, ...]:
    """The six op codes of NASLib's ``"(a, b, c, d, e, f)"`` text (ValueError when malformed)."""
    codes = tuple(int(part) for part in text.strip().strip("()").split(","))
    if len(codes) != 6 or not all(0 <= c < len(TNB_OPS) for c in codes):
        raise ValueError(f"not a TransNAS-Bench-101 micro tuple: {text!r}")
    return codes


def tnb_string(codes: tuple[int, ...]) -> str:
    """TransNAS-Bench-101's own name of a micro cell, ``64-41414-a_bc_def``."""
    return "64-41414-{}_{}{}_{}{}{}".format(*codes)


def nb201_native(codes: tuple[int, ...]) -> str:
    """The NB201 string of the cell whose six edge ops (string order) have these codes."""
    return "|{}~0|+|{}~0|{}~1|+|{}~0|{}~1|{}~2|".format(*(TNB_OPS[c] for c in codes))


def import_tnb101_micro(root: Path) -> BenchmarkTable:
    """The 4,096 micro cells as NB201 strings, ``val_acc`` of each of the 7 tasks."""
    import pandas as pd

    path = root / SOURCE
    if not path.is_file():
        raise DataNotFoundError(f"benchmark source {path} is missing")
    try:
        frame = pd.read_csv(path)
        natives = [nb201_native(parse_tuple(t)) for t in frame["arch"]]
    except (OSError, ValueError, KeyError, pd.errors.ParserError) as exc:
        raise CorruptFileError(f"cannot read {path}: {type(exc).__name__}: {exc}") from None
    missing = [t for t in TASKS if t not in frame.columns]
    if missing or len(set(natives)) != CELLS or len(frame) != CELLS:
        raise CorruptFileError(
            f"{path}: expected {CELLS} distinct cells and columns {', '.join(TASKS)}; got "
            f"{len(frame)} rows, {len(set(natives))} distinct, missing {missing or 'none'}"
        )
    space = NB201Space()
    frame["id"] = [space.identity(space.from_native(n)) for n in natives]
    columns = {task: (task, "val_acc", NO_EPOCH, SEED_MEAN) for task in TASKS}
    values = wide_to_long(frame, "id", columns)
    archs = pd.DataFrame({"arch": frame["id"], "native": natives})
    return BenchmarkTable(name="tnb101_micro", space="nb201", archs=archs, values=values)
