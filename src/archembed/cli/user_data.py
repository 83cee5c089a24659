"""``archembed data import-graphs``: bring your own benchmark from a JSON-lines file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archembed.benchmarks.catalog import load_benchmark
from archembed.benchmarks.user import import_graphs
from archembed.cli.common import JsonOption, console, emit
from archembed.cli.core import data_app


def _split_ops(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [op.strip() for op in text.split(",") if op.strip()]


@data_app.command("import-graphs")
def import_graphs_command(
    file: Annotated[Path, typer.Argument(help="JSON lines: adjacency, ops and numeric metrics.")],
    name: Annotated[str, typer.Option("--name", help="Name of the new benchmark and space.")],
    ops: Annotated[
        str | None,
        typer.Option("--ops", help="Allowed inner ops, comma separated (default: those found)."),
    ] = None,
    max_nodes: Annotated[
        int | None,
        typer.Option("--max-nodes", help="Largest graph allowed (default: the largest found)."),
    ] = None,
    dataset: Annotated[
        str, typer.Option("--dataset", help="Dataset name for the metrics.")
    ] = "default",
    as_json: JsonOption = False,
) -> None:
    """Import your own architectures and metrics as a benchmark queryable by name."""
    with console.status(f"importing {file}"):
        table = import_graphs(file, name, _split_ops(ops), max_nodes, dataset)
    bench = load_benchmark(name)
    emit(
        {
            "benchmark": name,
            "archs": len(table.archs),
            "dataset": dataset,
            "metrics": bench.metrics(dataset),
            "ops": list(bench.space.ops),
            "max_nodes": bench.space.max_nodes,
        },
        as_json,
    )
