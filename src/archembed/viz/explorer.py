"""The embedding explorer: one self-contained interactive HTML page of an embedding space.

Every architecture of a benchmark is a point of a 2-D projection of its embedding, coloured by
a metric picked in a dropdown; hovering shows its native string and metrics, clicking draws its
cell(s), and search trajectories read from run directories are drawn on top. plotly.js, the
data and the page's own script are inlined, so the file opens offline from disk.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from archembed.errors import ConfigError, DataNotFoundError, InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.io import atomic_path

if TYPE_CHECKING:
    from archembed.benchmarks.base import Benchmark

GENERATOR = "archembed explorer"
"""The ``<meta name="generator">`` of every page, the mark that lets archembed replace it."""
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
"""A ``{{name}}`` slot of the page template, filled in one pass, never rescanned."""
COLOUR_RANGE = (2.0, 98.0)
"""Percentiles spanned by the colour scale, so a few broken architectures do not wash it out."""


@dataclass
class Trajectory:
    """One seed of a search run: the positions (architecture indices) it queried, in order."""

    run: str
    seed: int
    points: list[int]
    scores: list[float | None]


@dataclass
class ExplorerData:
    """What one page shows: points, their strings, cells and metrics, and trajectories."""

    title: str
    coordinates: np.ndarray
    native: list[str]
    ops: list[str]
    cells: list[list[str]]
    metrics: dict[str, np.ndarray]
    trajectories: list[Trajectory] = field(default_factory=list)


def metric_sources(bench: Benchmark, dataset: str) -> dict[str, str]:
    """Each metric the page can colour by and the dataset holding it: the dataset's own, then
    those of the same networks under a sibling dataset (NB201 cifar10-valid: cifar10's latency,
    energy, params and FLOPs)."""
    from archembed.benchmarks.protocols import METRIC_DATASETS

    sources = dict.fromkeys(bench.metrics(dataset), dataset)
    sibling = METRIC_DATASETS.get((bench.name, dataset))
    for name in bench.metrics(sibling) if sibling else ():
        sources.setdefault(name, sibling)
    return sources


def metric_names(bench: Benchmark, dataset: str, wanted: Sequence[str] | None) -> list[str]:
    """The metrics to colour by: ``wanted`` (each checked against the dataset), else all of them,
    validation metrics first (the first one colours the page when it opens)."""
    available = list(metric_sources(bench, dataset))
    if not wanted:
        return sorted(available, key=lambda name: not name.startswith("val_"))
    unknown = [name for name in wanted if name not in available]
    if unknown:
        raise ConfigError(
            f"--metrics: {', '.join(unknown)} not in {bench.name}/{dataset}; "
            f"available: {', '.join(available)}"
        )
    return list(dict.fromkeys(wanted))


def metric_columns(
    bench: Benchmark, graphs: Sequence[ArchGraph], dataset: str, names: Sequence[str]
) -> dict[str, np.ndarray]:
    """One value per graph and metric (the metric's last epoch, seed mean; NaN where missing,
    e.g. a latency of -1 for a network that did not compile)."""
    from archembed.search.multiobjective import missing_values

    sources = metric_sources(bench, dataset)
    ids = [bench.space.identity(g) for g in graphs]
    columns = {}
    for name in names:
        where = sources[name]
        labelled, values = bench.labels(where, name, max(bench.epochs(where, name)))
        values = np.where(missing_values(name, values), np.nan, values)
        by_id = dict(zip((bench.space.identity(g) for g in labelled), values))
        columns[name] = np.array([by_id.get(i, np.nan) for i in ids], dtype=np.float64)
    return columns


def cell_code(graph: ArchGraph, vocabulary: dict[str, int]) -> str:
    """A graph as ``ops:adjacency``: base-36 op indices joined by ``.``, and the strictly upper
    triangle of the adjacency matrix, row by row, as a hexadecimal bit string."""
    ops = ".".join(np.base_repr(vocabulary.setdefault(op, len(vocabulary)), 36) for op in graph.ops)
    bits = graph.adj[np.triu_indices(len(graph.ops), 1)]
    number = int("".join(map(str, bits.tolist())) or "0", 2)
    return f"{ops}:{number:x}"


def cell_codes(bench: Benchmark, graphs: Sequence[ArchGraph]) -> tuple[list[str], list[list[str]]]:
    """The op vocabulary and, per graph, the codes of its cells (see :func:`cell_code`)."""
    vocabulary: dict[str, int] = {}
    codes = [[cell_code(cell, vocabulary) for cell in bench.space.cells(g)] for g in graphs]
    return list(vocabulary), codes


def run_benchmark(run_dir: Path) -> str:
    """The name of the benchmark a search run directory searched (from a seed's config)."""
    from archembed.experiments.results import CONFIG, read_yaml

    configs = sorted(run_dir.glob(f"*/{CONFIG}"))
    if not configs:
        raise DataNotFoundError(f"{run_dir} holds no search run (no <seed>/{CONFIG})")
    benchmark = (read_yaml(configs[0]) or {}).get("benchmark") or {}
    return str(benchmark.get("name"))


def check_runs(paths: Sequence[Path], bench: Benchmark) -> list[Path]:
    """The search run directories at or below ``paths``, each a run on ``bench``."""
    from archembed.experiments.results import find_runs

    runs = find_runs(list(paths)) if paths else []
    for run in runs:
        name = run_benchmark(run)
        if name != bench.name:
            raise ConfigError(
                f"--runs {run} searched benchmark {name!r}, not {bench.name!r}; "
                f"draw it with --benchmark {name}"
            )
    return runs


def read_trajectories(
    runs: Sequence[Path], bench: Benchmark, positions: dict[str, int]
) -> list[Trajectory]:
    """The queried architectures of every finished seed of ``runs``, as point indices."""
    from archembed.experiments.results import load_run

    trajectories = []
    for run in runs:
        _, frames = load_run(run)
        for seed, frame in sorted(frames.items()):
            points = [_position(bench, native, positions) for native in frame["arch"]]
            if None in points:
                native = frame["arch"][points.index(None)]
                raise ConfigError(
                    f"--runs {run}: seed {seed} queried {native}, which is not an "
                    f"architecture of {bench.name}"
                )
            scores = [float(v) if math.isfinite(v) else None for v in frame["score"]]
            trajectories.append(Trajectory(run.name or str(run), seed, points, scores))
    return trajectories


def _position(bench: Benchmark, native: str, positions: dict[str, int]) -> int | None:
    """The point of a native string; None when it is no architecture of the benchmark."""
    try:
        return positions.get(bench.space.identity(bench.space.from_native(native)))
    except InvalidArchitectureError:
        return None


def explorer_data(
    bench: Benchmark,
    graphs: Sequence[ArchGraph],
    coordinates: np.ndarray,
    metrics: dict[str, np.ndarray],
    runs: Sequence[Path] = (),
    title: str = "",
) -> ExplorerData:
    """Gather everything a page shows (trajectories of ``runs`` placed on ``graphs``' points)."""
    if len(coordinates) != len(graphs):
        raise ConfigError(f"{len(coordinates)} coordinates for {len(graphs)} architectures")
    positions = {bench.space.identity(g): i for i, g in enumerate(graphs)}
    ops, cells = cell_codes(bench, graphs)
    return ExplorerData(
        title=title or f"{bench.name}: {len(graphs)} architectures",
        coordinates=np.asarray(coordinates, dtype=np.float64),
        native=list(bench.space.iter_native(graphs)),
        ops=ops,
        cells=cells,
        metrics=metrics,
        trajectories=read_trajectories(runs, bench, positions),
    )


def _numbers(values: np.ndarray, digits: int) -> str:
    """A JSON list of ``values`` to ``digits`` significant digits (NaN and infinities: null)."""
    return "[" + ",".join(f"{v:.{digits}g}" if math.isfinite(v) else "null" for v in values) + "]"


def _colour_range(values: np.ndarray) -> list[float | None]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return [None, None]
    return [float(v) for v in np.percentile(finite, COLOUR_RANGE)]


def page_json(data: ExplorerData) -> str:
    """The page's data as JSON text (numbers shortened: coordinates 4, metrics 5 digits)."""
    parts = {
        "title": json.dumps(data.title),
        "x": _numbers(data.coordinates[:, 0], 4),
        "y": _numbers(data.coordinates[:, 1], 4),
        "native": json.dumps(data.native),
        "ops": json.dumps(data.ops),
        "cells": json.dumps([";".join(codes) for codes in data.cells]),
        "metrics": "["
        + ",".join(
            f'{{"name":{json.dumps(name)},"values":{_numbers(values, 5)},'
            f'"range":{json.dumps(_colour_range(values))}}}'
            for name, values in data.metrics.items()
        )
        + "]",
        "trajectories": json.dumps(
            [
                {"run": t.run, "seed": t.seed, "points": t.points, "scores": t.scores}
                for t in data.trajectories
            ]
        ),
    }
    return "{" + ",".join(f'"{key}":{value}' for key, value in parts.items()) + "}"


def _asset(name: str) -> str:
    return resources.files("archembed.viz").joinpath(name).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    """``text`` that cannot close the ``<script>`` element it is inlined in."""
    return text.replace("</", "<\\/")


def render_html(data: ExplorerData) -> str:
    """The whole page: styles, plotly.js, the data and the explorer's script, all inlined."""
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:
        raise ConfigError("the explorer needs plotly: pip install 'archembed[explorer]'") from None
    parts = {
        "title": html.escape(data.title),
        "generator": GENERATOR,
        "style": _asset("explorer.css"),
        "plotly": get_plotlyjs(),
        "data": _script_safe(page_json(data)),
        "script": _asset("explorer.js"),
    }
    return PLACEHOLDER.sub(lambda match: parts[match[1]], _asset("explorer.html"))


def write_explorer(data: ExplorerData, out: str | os.PathLike[str]) -> dict[str, Any]:
    """Write the page atomically; returns what it holds and its size."""
    target = Path(out)
    with atomic_path(target) as tmp:
        tmp.write_text(render_html(data), encoding="utf-8")
    return {
        "out": str(target),
        "archs": len(data.native),
        "metrics": list(data.metrics),
        "trajectories": len(data.trajectories),
        "megabytes": round(target.stat().st_size / 2**20, 2),
    }
