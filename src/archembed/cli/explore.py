"""The ``explore`` command: an interactive HTML page of an embedding space (see viz.explorer)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from archembed.cli.common import (
    DataDirOption,
    JsonOption,
    QuietOption,
    ThreadsOption,
    app,
    apply_data_dir,
    emit,
)
from archembed.errors import ConfigError
from archembed.outputs import output_file
from archembed.progress import status

if TYPE_CHECKING:
    from archembed.benchmarks.base import Benchmark

PROJECTION_NAMES = ("pca", "tsne", "umap")
"""The projections of ``--projection`` (a test checks they are viz.projection's)."""
DEFAULT_BENCHMARK = "nasbench_graph"


def _check_projection(projection: str) -> None:
    """Refuse an unknown projection, or UMAP without umap-learn, before any work."""
    import importlib.util

    if projection not in PROJECTION_NAMES:
        raise ConfigError(
            f"--projection {projection!r} is not one of {', '.join(PROJECTION_NAMES)}"
        )
    if projection == "umap" and importlib.util.find_spec("umap") is None:
        raise ConfigError("--projection umap needs umap-learn: pip install 'archembed[umap]'")


def _model_source(encoder: str | None, bench: Benchmark) -> str:
    """The model directory or encoder name to load: ``pretrained:NAME`` is a shipped model; no
    encoder means the shipped model of the benchmark's space."""
    from archembed.pretrained import NAMES, load_card, pretrained_path, resolve_model

    if encoder is not None:
        return resolve_model(encoder)
    shipped = [name for name in NAMES if load_card(name).get("space") == bench.space.name]
    if not shipped:
        raise ConfigError(
            f"no shipped model for space {bench.space.name!r}; give --encoder "
            "(a model directory, pretrained:NAME, onehot or path)"
        )
    return str(pretrained_path(shipped[0]))


def _dataset(bench: Benchmark, dataset: str | None) -> str:
    """``dataset`` checked against the benchmark (default: its first dataset)."""
    datasets = bench.datasets()
    if dataset is None:
        return datasets[0]
    if dataset not in datasets:
        raise ConfigError(
            f"--dataset {dataset!r} not in {bench.name}; available: {', '.join(datasets)}"
        )
    return dataset


@app.command("explore")
def explore_command(
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")],
    benchmark: Annotated[
        str, typer.Option("--benchmark", help="Benchmark whose architectures to show.")
    ] = DEFAULT_BENCHMARK,
    encoder: Annotated[
        str | None,
        typer.Option(
            "--encoder",
            help="Model directory, pretrained:NAME (a shipped model), onehot or path "
            "(default: the shipped model of the benchmark's space).",
        ),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option("--dataset", help="Dataset of the metrics (default: the first one)."),
    ] = None,
    metrics: Annotated[
        str | None,
        typer.Option("--metrics", help="Comma-separated metrics to colour by (default: all)."),
    ] = None,
    runs: Annotated[
        list[Path] | None,
        typer.Option("--runs", help="Search run directory to draw on top (repeat)."),
    ] = None,
    projection: Annotated[
        str, typer.Option("--projection", help=f"{', '.join(PROJECTION_NAMES)}.")
    ] = "pca",
    seed: Annotated[int, typer.Option("--seed", help="Seed of t-SNE / UMAP.")] = 0,
    threads: ThreadsOption = None,
    quiet: QuietOption = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write one self-contained HTML page to explore an embedding space in a browser.

    Every architecture of the benchmark is a point of a 2-D projection of its embedding,
    coloured by a metric chosen in a dropdown; hover shows the native string and metrics,
    a click draws the cell, and the architectures queried by search runs (archembed search
    --out directories) are drawn on top. plotly.js is inlined: the page works offline.
    """
    from archembed.benchmarks.catalog import load_benchmark
    from archembed.encoders.embedding import resolve_encoder, select_graphs
    from archembed.threads import apply_torch_threads
    from archembed.viz import explorer
    from archembed.viz.projection import project_2d

    apply_data_dir(data_dir)
    out = output_file(out, (".html",))
    _check_projection(projection)
    bench = load_benchmark(benchmark)
    dataset = _dataset(bench, dataset)
    wanted = [name.strip() for name in metrics.split(",") if name.strip()] if metrics else None
    names = explorer.metric_names(bench, dataset, wanted)
    run_dirs = explorer.check_runs(runs or [], bench)
    model, graphs = select_graphs(_model_source(encoder, bench), benchmark=benchmark)
    apply_torch_threads()
    with status(f"embedding {len(graphs)} architectures"):
        vectors = resolve_encoder(model, graphs).transform(graphs)
    with status(f"{projection} projection of {len(graphs)} embeddings"):
        coordinates = project_2d(vectors, projection, seed)
    columns = explorer.metric_columns(bench, graphs, dataset, names)
    title = f"{bench.name}/{dataset}: {model.name} embeddings ({projection})"
    data = explorer.explorer_data(bench, graphs, coordinates, columns, run_dirs, title)
    emit(explorer.write_explorer(data, out), as_json)
