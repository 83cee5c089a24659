"""Shared CLI pieces: the Typer app, error handling, data-dir option, JSON/rich output."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from archembed.errors import UserError
from archembed.io import DATA_ENV

app = typer.Typer(
    name="archembed",
    help="Embeddings of neural network architectures: prediction and search.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
pretrain_app = typer.Typer(
    help="Pretrain an architecture encoder (arch2vec, contrastive, locality).",
    no_args_is_help=True,
)
app.add_typer(pretrain_app, name="pretrain")
features_app = typer.Typer(
    help="Compute per-architecture features from real networks (Jacobians, zero-cost proxies).",
    no_args_is_help=True,
)
app.add_typer(features_app, name="features")
console = Console()
err_console = Console(stderr=True)

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help=f"Benchmark data directory (default: ${DATA_ENV}).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def apply_data_dir(data_dir: Path | None) -> None:
    """Make an explicit --data-dir visible to library calls that read $ARCHEMBED_DATA."""
    if data_dir is not None:
        from archembed.io import data_dir as resolve

        os.environ[DATA_ENV] = str(resolve(data_dir))


def set_torch_threads(threads: int | None) -> None:
    """Apply a ``--threads`` option: torch's CPU thread count (None keeps torch's default)."""
    if threads is None:
        return
    if threads < 1:
        from archembed.errors import ConfigError

        raise ConfigError(f"--threads must be at least 1, got {threads}")
    import torch

    torch.set_num_threads(threads)


def emit(data: Any, as_json: bool, title: str | None = None) -> None:
    """Print a list of dicts as a rich table, or anything as JSON."""
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    if isinstance(data, list) and data and isinstance(data[0], dict):
        table = Table(title=title)
        for column in data[0]:
            table.add_column(str(column), overflow="fold")
        for row in data:
            table.add_row(*(_cell(v) for v in row.values()))
        console.print(table)
    else:
        console.print(data)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def main() -> None:
    """Entry point: run the app, turning UserError into a one-line message and exit code 2."""
    try:
        app()
    except UserError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
