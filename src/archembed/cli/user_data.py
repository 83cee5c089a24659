"""``archembed data import-graphs``: bring your own benchmark from a JSON-lines file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archembed.cli.common import JsonOption, QuietOption, emit
from archembed.cli.core import data_app
from archembed.errors import ConfigError
from archembed.progress import status


def _split_ops(text: str | None) -> list[str] | None:
    """The ``--ops`` list; given but naming no op is an error."""
    if text is None:
        return None
    ops = [op.strip() for op in text.split(",") if op.strip()]
    if not ops:
        raise ConfigError(f"--ops names no op: {text!r}; give op names separated by commas")
    return ops


@data_app.command("import-graphs")
def import_graphs_command(
    file: Annotated[
        Path,
        typer.Argument(help="JSON lines: adjacency and ops (or edges), and numeric metrics."),
    ],
    name: Annotated[str, typer.Option("--name", help="Name of the new benchmark and space.")],
    ops: Annotated[
        str | None,
        typer.Option("--ops", help="Allowed inner ops, comma separated (default: those found)."),
    ] = None,
    max_nodes: Annotated[
        int | None,
        typer.Option(
            "--max-nodes",
            min=2,
            help="Largest graph allowed and the space's size (default: lines over 100 "
            "vertices are refused; the space's size is the largest found).",
            show_default=False,
        ),
    ] = None,
    dataset: Annotated[
        str, typer.Option("--dataset", help="Dataset name for the metrics.")
    ] = "default",
    duplicates: Annotated[
        str,
        typer.Option(
            "--duplicates",
            help="An architecture on several lines: error, first (keep the first line) or "
            "mean (average each metric; query shows n_records).",
        ),
    ] = "error",
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Import your own architectures and metrics as a benchmark queryable by name.

    Each line is node-labelled ({"adjacency": [[...]], "ops": [...]}) or edge-labelled
    ({"edges": [[from, to, "op"], ...]}); the file is read one line at a time.
    JSON: {benchmark, archs, records, duplicates, dataset, metrics, ops, max_nodes};
    records counts the file's lines, archs the distinct architectures.
    """
    from archembed.benchmarks.catalog import open_benchmark
    from archembed.benchmarks.user import prepare_graphs, save_user_table

    table, space = prepare_graphs(file, name, _split_ops(ops), max_nodes, dataset, duplicates)
    with status(f"saving benchmark {name}"):
        save_user_table(table, space)
    bench = open_benchmark(name)
    emit(
        {
            "benchmark": name,
            "archs": len(table.archs),
            "records": table.meta["records"],
            "duplicates": duplicates,
            "dataset": dataset,
            "metrics": bench.index.metrics(dataset),
            "ops": list(bench.space.ops),
            "max_nodes": bench.space.max_nodes,
        },
        as_json,
    )
