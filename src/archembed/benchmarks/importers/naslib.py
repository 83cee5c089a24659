"""Importers for NASLib's zero-cost-proxy json files (``naslib_zc_<space>.json``).

Each file is ``{space: {dataset: {arch tuple text: {proxy: value, ..., "val_accuracy": v}}}}``.
Metric names: ``zc_<proxy>`` for the proxies, ``params`` (millions), ``flops`` (millions) and
``val_acc`` (percent, NASLib's ``val_accuracy``). Values are kept as NASLib stores them; proxies,
params and flops do not depend on training, so they have no epoch. NASLib gives one accuracy per
architecture without its seed; it is stored as the table's only (seed-mean) value.

:func:`naslib_table` is the shared reader: give it the file, the space key inside it, a function
turning NASLib's architecture text into an ArchGraph and the training epochs of ``val_accuracy``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from archembed.benchmarks.table import NO_EPOCH, SEED_MEAN, BenchmarkTable
from archembed.errors import CorruptFileError, DataNotFoundError, UserError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace
from archembed.spaces.darts import DartsSpace
from archembed.spaces.nb201 import NB201Space

ZC_PROXIES = frozenset(
    {
        "epe_nas",
        "fisher",
        "grad_norm",
        "grasp",
        "jacov",
        "l2_norm",
        "nwot",
        "plain",
        "snip",
        "synflow",
        "zen",
    }
)
"""Zero-cost proxies NASLib computes; each becomes metric ``zc_<proxy>``."""
PLAIN_METRICS = frozenset({"params", "flops"})
ACCURACY_KEY = "val_accuracy"


def read_naslib_zc(path: Path, space_key: str) -> dict[str, dict[str, dict[str, float]]]:
    """``{dataset: {arch text: {key: value}}}`` of one NASLib zc file, with clear errors."""
    if not path.is_file():
        raise DataNotFoundError(f"benchmark source {path} is missing")
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptFileError(f"cannot read NASLib json {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get(space_key), dict):
        raise CorruptFileError(
            f"{path} has no {space_key!r} section; is it the right NASLib zero-cost file?"
        )
    return data[space_key]


def _metric_name(key: str, path: Path) -> str:
    if key in PLAIN_METRICS:
        return key
    if key in ZC_PROXIES:
        return f"zc_{key}"
    if key == ACCURACY_KEY:
        return "val_acc"
    raise CorruptFileError(
        f"{path}: unknown NASLib field {key!r}; known: "
        + ", ".join(sorted(PLAIN_METRICS | ZC_PROXIES | {ACCURACY_KEY}))
    )


def naslib_table(
    name: str,
    space: SearchSpace,
    path: Path,
    space_key: str,
    to_graph: Callable[[str], ArchGraph],
    val_epoch: int,
) -> BenchmarkTable:
    """A benchmark table from one NASLib zc file.

    ``to_graph`` parses NASLib's architecture text (e.g. ``space.from_naslib``);
    ``val_accuracy`` is stored at epoch ``val_epoch``, the others at no epoch.
    """
    import pandas as pd

    sections = read_naslib_zc(path, space_key)
    natives: dict[str, str] = {}
    rows: dict[str, list[object]] = {c: [] for c in ("arch", "dataset", "metric", "epoch")}
    rows["value"] = []
    for dataset, archs in sections.items():
        if not isinstance(archs, dict) or not all(isinstance(v, dict) for v in archs.values()):
            raise CorruptFileError(
                f"{path}: {space_key}/{dataset} is not {{arch: {{metric: value}}}}"
            )
        for text, values in archs.items():
            try:
                graph = to_graph(text)
            except UserError as exc:
                raise CorruptFileError(f"{path}: architecture {text[:60]!r}: {exc}") from None
            arch_id = space.identity(graph)
            natives.setdefault(arch_id, space.to_native(graph))
            for key, value in values.items():
                metric = _metric_name(key, path)
                rows["arch"].append(arch_id)
                rows["dataset"].append(dataset)
                rows["metric"].append(metric)
                rows["epoch"].append(val_epoch if metric == "val_acc" else NO_EPOCH)
                rows["value"].append(value)
    values_frame = pd.DataFrame({**rows, "seed": SEED_MEAN})
    values_frame["value"] = pd.to_numeric(values_frame["value"], errors="coerce")
    duplicated = values_frame.duplicated(["arch", "dataset", "metric"])
    if duplicated.any():
        raise CorruptFileError(f"{path}: {int(duplicated.sum())} architectures appear twice")
    archs = pd.DataFrame({"arch": list(natives), "native": list(natives.values())})
    return BenchmarkTable(name=name, space=space.name, archs=archs, values=values_frame)


def import_naslib_nb201(root: Path) -> BenchmarkTable:
    """NB201 cells keyed by NASLib's 6-tuple.

    NASLib calls the accuracy ``val_accuracy``; against the 200-epoch files it sits 0.22 points
    on average from the cifar10-valid run's seed-mean *test* accuracy (equal for 16% of cells)
    and 0.43 from its validation accuracy, so it appears to be one seed's accuracy on the test
    split. It is kept under NASLib's name, ``val_acc``, at epoch 200.
    """
    space = NB201Space()
    return naslib_table(
        "naslib-nb201",
        space,
        root / "nb201/naslib_zc_nasbench201.json",
        "nasbench201",
        space.from_naslib,
        val_epoch=200,
    )


def import_naslib_nb301(root: Path) -> BenchmarkTable:
    """DARTS genotypes keyed by NASLib's compact tuples (see :mod:`archembed.spaces.darts`).

    ``val_accuracy`` is NAS-Bench-301's CIFAR-10 validation accuracy, stored at epoch 100: its
    data-generation configs train 8 cells of 32 initial channels with a cosine schedule over
    100 epochs (the same network the file's ``params`` imply, see the darts space).
    """
    space = DartsSpace()
    return naslib_table(
        "naslib-nb301",
        space,
        root / "nb301/naslib_zc_nasbench301.json",
        "nasbench301",
        space.from_naslib,
        val_epoch=100,
    )
