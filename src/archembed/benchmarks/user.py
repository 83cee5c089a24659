"""Bring-your-own benchmarks: JSON-lines files of graphs and metrics, imported into the cache.

Each line is ``{"adjacency": [[...]], "ops": ["input", ..., "output"], <metric>: <number>, ...}``;
every other numeric field is a metric, other fields are ignored. The result is a benchmark of a
:class:`~archembed.spaces.generic.GenericSpace`, one dataset (``default`` unless given), metrics
without epoch, looked up like the built-in ones by ``load_benchmark(name)``. An architecture
listed on several lines (isomorphic graphs are one architecture) is an error unless
``duplicates`` is ``first`` (keep the first line) or ``mean`` (average each metric over the
lines; the archs table records how many in ``n_records``).

The table is written to a fresh directory; the registry entry pointing to it is written last
(atomically), so an interrupted import leaves the previous state visible and nothing partial.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archembed.benchmarks.table import NO_EPOCH, SEED_MEAN, BenchmarkTable
from archembed.errors import ConfigError, CorruptFileError, DataNotFoundError, UserError
from archembed.graph import ArchGraph
from archembed.io import read_parquet
from archembed.spaces.generic import RESERVED_OPS, GenericSpace, graph_from_record
from archembed.user_registry import user_dir, user_entry, write_entry

if TYPE_CHECKING:
    from archembed.benchmarks.lookup import StoredBenchmark

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
GRAPH_FIELDS = ("adjacency", "ops")
DUPLICATE_MODES = ("error", "first", "mean")
RECORD_COUNT = "n_records"
"""Column of the archs table: how many lines were averaged (``duplicates="mean"``)."""


@dataclass(frozen=True)
class GraphRecord:
    """One parsed line: its number, graph and metric values."""

    line: int
    graph: ArchGraph
    metrics: dict[str, float]


class InvalidLine(Exception):
    """A problem with one line; turned into a CorruptFileError naming file and line."""


def _metrics(record: dict[str, object]) -> dict[str, float]:
    out = {}
    for key, value in record.items():
        if key in GRAPH_FIELDS or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        try:
            number = float(value)
        except OverflowError:
            raise InvalidLine(f"metric {key!r} is too large for a float") from None
        if not math.isfinite(number):
            raise InvalidLine(f"metric {key!r} is {value}, not a finite number")
        out[key] = number
    if not out:
        raise InvalidLine('no numeric metric field (e.g. "val_acc": 93.1)')
    return out


def _parse_line(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidLine(f"malformed JSON ({exc.msg} at column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # too many digits, too deeply nested
        raise InvalidLine(f"malformed JSON ({type(exc).__name__}: {exc})") from None


def read_graph_records(
    path: Path, ops: list[str] | None = None, max_nodes: int | None = None
) -> list[GraphRecord]:
    """Parse a JSON-lines file; a bad line raises CorruptFileError with its number and problem."""
    if not path.exists():
        raise DataNotFoundError(f"graph file {path} does not exist")
    if not path.is_file():
        raise DataNotFoundError(f"graph file {path} is not a regular file (a JSON-lines file)")
    allowed = None if ops is None else set(ops) | set(RESERVED_OPS)
    records = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise CorruptFileError(f"{path} is not UTF-8 text (JSON lines): {exc}") from None
    except OSError as exc:
        raise CorruptFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            record = _parse_line(text)
            if not isinstance(record, dict):
                raise InvalidLine("expected a JSON object {...}")
            try:
                graph = graph_from_record(record)
            except UserError as exc:
                raise InvalidLine(str(exc)) from None
            unknown = [o for o in graph.ops if allowed is not None and o not in allowed]
            if unknown:
                raise InvalidLine(f"unknown op {unknown[0]!r}; --ops allows {', '.join(ops)}")
            if max_nodes is not None and graph.n_nodes > max_nodes:
                raise InvalidLine(f"{graph.n_nodes} nodes, more than --max-nodes {max_nodes}")
            if not graph.is_connected():
                raise InvalidLine("no path leads from the input to the output")
            records.append(GraphRecord(number, graph, _metrics(record)))
        except InvalidLine as exc:
            raise CorruptFileError(f"{path}, line {number}: {exc}") from None
    if not records:
        raise CorruptFileError(f"{path} holds no architectures (one JSON object per line)")
    return records


def _group_by_identity(
    space: GenericSpace, records: list[GraphRecord]
) -> dict[str, list[GraphRecord]]:
    """The records of each architecture (by the space's identity), in file order."""
    groups: dict[str, list[GraphRecord]] = {}
    for record in records:
        groups.setdefault(space.identity(record.graph), []).append(record)
    return groups


def _refuse_duplicates(groups: dict[str, list[GraphRecord]]) -> None:
    """One line saying how many architectures are listed more than once, and where first."""
    repeated = [group for group in groups.values() if len(group) > 1]
    if not repeated:
        return
    first = min(repeated, key=lambda group: group[1].line)
    count = (
        "1 architecture appears" if len(repeated) == 1 else f"{len(repeated)} architectures appear"
    )
    raise CorruptFileError(
        f"{count} more than once (first: line {first[1].line} repeats the architecture of line "
        f"{first[0].line}; isomorphic graphs are one architecture); pass --duplicates first or "
        "--duplicates mean"
    )


def _mean_metrics(group: Sequence[GraphRecord]) -> dict[str, float]:
    """Each metric averaged over the records that have it (summed as v/n: no overflow)."""
    names = dict.fromkeys(name for record in group for name in record.metrics)
    means = {}
    for name in names:
        values = [record.metrics[name] for record in group if name in record.metrics]
        means[name] = math.fsum(v / len(values) for v in values)
    return means


def check_duplicates_mode(duplicates: str) -> None:
    """Refuse a ``duplicates`` mode other than error, first or mean (before any work)."""
    if duplicates not in DUPLICATE_MODES:
        raise ConfigError(
            f"--duplicates {duplicates!r} is not a mode; choose one of: "
            f"{', '.join(DUPLICATE_MODES)}"
        )


def build_user_table(
    name: str,
    records: list[GraphRecord],
    ops: list[str] | None = None,
    max_nodes: int | None = None,
    dataset: str = "default",
    duplicates: str = "error",
) -> tuple[BenchmarkTable, GenericSpace]:
    """The benchmark table and generic space of parsed records (vocabulary/size inferred);
    repeated architectures are refused, or merged as ``duplicates`` says."""
    import pandas as pd

    check_duplicates_mode(duplicates)
    inner = ops if ops is not None else sorted({o for r in records for o in r.graph.ops[1:-1]})
    size = max_nodes if max_nodes is not None else max(r.graph.n_nodes for r in records)
    space = GenericSpace(inner, size, name=name)
    groups = _group_by_identity(space, records)
    if duplicates == "error":
        _refuse_duplicates(groups)
    rows = []
    for arch_id, group in groups.items():
        metrics = _mean_metrics(group) if duplicates == "mean" else group[0].metrics
        rows += [(arch_id, dataset, m, NO_EPOCH, SEED_MEAN, v) for m, v in metrics.items()]
    values = pd.DataFrame(rows, columns=["arch", "dataset", "metric", "epoch", "seed", "value"])
    archs = pd.DataFrame(
        {"arch": list(groups), "native": [space.to_native(g[0].graph) for g in groups.values()]}
    )
    if duplicates == "mean":
        archs[RECORD_COUNT] = [len(group) for group in groups.values()]
    table = BenchmarkTable(name=name, space=name, archs=archs, values=values)
    table.meta.update({"duplicates": duplicates, "records": len(records)})
    return table, space


def check_name(name: str) -> None:
    """A user benchmark name must be a plain word that no built-in benchmark or space uses."""
    from archembed import spaces  # noqa: F401  (registers the built-in spaces)
    from archembed.benchmarks import importers  # noqa: F401  (registers the built-in importers)
    from archembed.benchmarks.catalog import IMPORTERS
    from archembed.spaces.base import SPACES

    if not NAME_PATTERN.match(name):
        raise ConfigError(
            f"benchmark name {name!r} must be 1-64 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit"
        )
    if name in IMPORTERS or name in SPACES:
        raise ConfigError(f"{name!r} is a built-in benchmark or space name; choose another --name")


def prepare_graphs(
    path: str | Path,
    name: str,
    ops: list[str] | None = None,
    max_nodes: int | None = None,
    dataset: str = "default",
    duplicates: str = "error",
) -> tuple[BenchmarkTable, GenericSpace]:
    """Validate and parse a JSON-lines graph file into user benchmark ``name`` (nothing written)."""
    check_name(name)
    check_duplicates_mode(duplicates)
    if max_nodes is not None and max_nodes < 2:
        raise ConfigError(f"--max-nodes must be at least 2, got {max_nodes}")
    if not dataset.strip():
        raise ConfigError("--dataset must not be empty")
    records = read_graph_records(Path(path), ops, max_nodes)
    table, space = build_user_table(name, records, ops, max_nodes, dataset, duplicates)
    table.meta.update({"source": str(Path(path).resolve()), "sources": {}})
    return table, space


def save_user_table(table: BenchmarkTable, space: GenericSpace) -> None:
    """Write a prepared user benchmark to a fresh directory, then register it (the commit)."""
    previous = user_entry(table.name)
    directory = f"{table.name}-{uuid.uuid4().hex[:12]}"
    table.save(user_dir() / directory)
    write_entry(
        table.name,
        {
            "space": {"ops": list(space.inner_ops or ()), "max_nodes": space.max_nodes},
            "directory": directory,
            "source": table.meta["source"],
        },
    )
    if previous is not None:
        shutil.rmtree(user_dir() / previous["directory"], ignore_errors=True)


def import_graphs(
    path: str | Path,
    name: str,
    ops: list[str] | None = None,
    max_nodes: int | None = None,
    dataset: str = "default",
    duplicates: str = "error",
) -> BenchmarkTable:
    """Import a JSON-lines graph file as user benchmark ``name`` (replacing an older one);
    ``duplicates``: error, first or mean (see the module docstring)."""
    table, space = prepare_graphs(path, name, ops, max_nodes, dataset, duplicates)
    save_user_table(table, space)
    return table


def load_user_table(name: str) -> BenchmarkTable | None:
    """The table of user benchmark ``name``, or None when no such benchmark was imported."""
    entry = user_entry(name)
    if entry is None:
        return None
    directory = user_dir() / entry["directory"]
    table = BenchmarkTable.load(directory, name)
    if "groups" not in table.meta:  # imported before the look-up grid existed
        table.save(directory)
    return table


def record_count(bench: StoredBenchmark, arch_id: str) -> int | None:
    """How many lines were averaged into ``arch_id``'s values, for a benchmark imported with
    ``duplicates="mean"``; None for any other benchmark."""
    if bench.meta.get("duplicates") != "mean":
        return None
    archs = read_parquet(bench.directory / f"{bench.name}.archs.parquet")
    if RECORD_COUNT not in archs.columns:
        raise CorruptFileError(
            f"benchmark {bench.name!r} lacks its {RECORD_COUNT} column; re-run its import"
        )
    counts = archs.loc[archs["arch"] == arch_id, RECORD_COUNT]
    return int(counts.iloc[0]) if len(counts) else None
