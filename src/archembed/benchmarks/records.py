"""The lines of a bring-your-own benchmark file, read one at a time (bounded memory).

A line is a JSON object holding one architecture and its numeric metrics, in one of two forms:

- node-labelled: ``{"adjacency": [[0, 1], [0, 0]], "ops": ["input", "output"], "acc": 93.1}``,
  ops on vertices (see :func:`archembed.spaces.generic.graph_from_record`);
- edge-labelled: ``{"edges": [[0, 1, "conv3"], [1, 2, "skip"], [0, 2, "pool"]], "acc": 93.1}``,
  ops on the edges of a cell whose node 0 is its input and whose highest node is its output
  (NAS-Bench-201 and DARTS cells are written so). :func:`node_labelled` turns it into the
  node-labelled DAG: each edge becomes a vertex carrying its op, fed by the edges that end
  where it starts (or by the input), feeding the edges that start where it ends (or the
  output), in the order the edges are listed. A NAS-Bench-201 cell so written is exactly the
  graph of archembed's ``nb201`` space.

Every other numeric field is a metric; other fields are ignored.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from archembed.errors import CorruptFileError, DataNotFoundError, UserError
from archembed.graph import ArchGraph
from archembed.spaces.generic import RESERVED_OPS, graph_from_record

GRAPH_FIELDS = ("adjacency", "ops", "edges")
DEFAULT_MAX_NODES = 100
"""Largest graph accepted unless ``max_nodes`` says otherwise (vertices, input and output
included; an edge-labelled cell has one vertex per edge plus two)."""
MAX_LINE_CHARS = 1 << 24
"""Longest line read (16 Mi characters): a longer one is refused instead of filling memory."""


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


def _parse_line(text: str) -> dict[str, object]:
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidLine(f"malformed JSON ({exc.msg} at column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # too many digits, too deeply nested
        raise InvalidLine(f"malformed JSON ({type(exc).__name__}: {exc})") from None
    if not isinstance(record, dict):
        raise InvalidLine("expected a JSON object {...}")
    return record


def _edge(item: object, number: int) -> tuple[int, int, str]:
    """One ``[from, to, op]`` entry of ``"edges"``, checked."""
    if (
        not isinstance(item, list)
        or len(item) != 3
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in item[:2])
        or not isinstance(item[2], str)
    ):
        raise InvalidLine(f'edge {number} must be [from, to, "op"] with node numbers; got {item}')
    source, target, op = item
    if source < 0 or target <= source:
        raise InvalidLine(
            f"edge {number} goes from node {source} to node {target}; edges go from a node to a "
            "higher-numbered node (node 0 is the input)"
        )
    if op in RESERVED_OPS:
        raise InvalidLine(f"edge {number} carries {op!r}, a name reserved for the cell's ends")
    return source, target, op


def node_labelled(record: dict[str, object]) -> dict[str, object]:
    """The ``{"adjacency", "ops"}`` form of an edge-labelled record (see the module docstring)."""
    edges = record["edges"]
    if "adjacency" in record or "ops" in record:
        raise InvalidLine('give either "edges" or "adjacency" and "ops", not both')
    if not isinstance(edges, list) or not edges:
        raise InvalidLine('"edges" must be a non-empty list of [from, to, "op"]')
    checked = [_edge(item, number) for number, item in enumerate(edges)]
    output = max(target for _, target, _ in checked)
    size = len(checked) + 2
    adjacency = [[0] * size for _ in range(size)]
    for vertex, (source, target, _) in enumerate(checked, start=1):
        if source == 0:
            adjacency[0][vertex] = 1
        if target == output:
            adjacency[vertex][size - 1] = 1
        for later, (after, _, _) in enumerate(checked, start=1):
            if after == target:
                adjacency[vertex][later] = 1
    return {"adjacency": adjacency, "ops": ["input", *(op for _, _, op in checked), "output"]}


def _graph(record: dict[str, object]) -> ArchGraph:
    """The record's graph, node- or edge-labelled."""
    if "edges" in record:
        record = node_labelled(record)
    try:
        return graph_from_record(record)
    except UserError as exc:
        raise InvalidLine(str(exc)) from None


def _check_graph(graph: ArchGraph, allowed: set[str] | None, max_nodes: int | None) -> None:
    if allowed is not None:
        unknown = [o for o in graph.ops if o not in allowed]
        if unknown:
            ops = sorted(allowed - set(RESERVED_OPS))
            raise InvalidLine(f"unknown op {unknown[0]!r}; --ops allows {', '.join(ops)}")
    limit = max_nodes or DEFAULT_MAX_NODES
    if graph.n_nodes > limit:
        given = "" if max_nodes else " (the default; raise it for larger graphs)"
        raise InvalidLine(f"{graph.n_nodes} nodes, more than --max-nodes {limit}{given}")
    if not graph.is_connected():
        raise InvalidLine("no path leads from the input to the output")


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered non-blank lines, read one at a time; an over-long line is an error."""
    try:
        with path.open(encoding="utf-8") as handle:
            number = 0
            while text := handle.readline(MAX_LINE_CHARS + 1):
                number += 1
                if len(text) > MAX_LINE_CHARS and not text.endswith("\n"):
                    raise CorruptFileError(
                        f"{path}, line {number}: longer than {MAX_LINE_CHARS:,} characters; "
                        "give one architecture per line"
                    )
                if text.strip():
                    yield number, text
    except UnicodeDecodeError as exc:
        raise CorruptFileError(f"{path} is not UTF-8 text (JSON lines): {exc}") from None
    except OSError as exc:
        raise CorruptFileError(f"cannot read {path}: {exc.strerror or exc}") from None


def iter_graph_records(
    path: Path, ops: list[str] | None = None, max_nodes: int | None = None
) -> Iterator[GraphRecord]:
    """Parse a JSON-lines file lazily; a bad line raises CorruptFileError with its number."""
    if not path.exists():
        raise DataNotFoundError(f"graph file {path} does not exist")
    if not path.is_file():
        raise DataNotFoundError(f"graph file {path} is not a regular file (a JSON-lines file)")
    allowed = None if ops is None else set(ops) | set(RESERVED_OPS)
    found = False
    for number, text in _lines(path):
        try:
            record = _parse_line(text)
            graph = _graph(record)
            _check_graph(graph, allowed, max_nodes)
            metrics = _metrics(record)
        except InvalidLine as exc:
            raise CorruptFileError(f"{path}, line {number}: {exc}") from None
        found = True
        yield GraphRecord(number, graph, metrics)
    if not found:
        raise CorruptFileError(f"{path} holds no architectures (one JSON object per line)")
