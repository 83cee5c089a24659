"""Foundation commands: spaces, data list/import, query, sample."""

from __future__ import annotations

import json
from typing import Annotated

import numpy as np
import typer

from archembed.benchmarks.base import Benchmark
from archembed.benchmarks.catalog import benchmark_names, import_benchmark, load_benchmark
from archembed.cli.common import (
    DataDirOption,
    JsonOption,
    app,
    apply_data_dir,
    console,
    emit,
    err_console,
)
from archembed.errors import DataNotFoundError
from archembed.spaces.base import SPACES, get_space

data_app = typer.Typer(
    help="Benchmark data: list what is found, import it into the cache.", no_args_is_help=True
)
app.add_typer(data_app, name="data")


@app.command("spaces")
def spaces_command(as_json: JsonOption = False) -> None:
    """List registered search spaces with their sizes."""
    rows = []
    for name in SPACES.names():
        space = get_space(name)
        rows.append(
            {
                "space": name,
                "size": space.size,
                "max_nodes": space.max_nodes,
                "ops": list(space.ops),
            }
        )
    emit(rows, as_json, title="search spaces")


@data_app.command("list")
def data_list(data_dir: DataDirOption = None, as_json: JsonOption = False) -> None:
    """Benchmarks found, with datasets, metrics, epochs and number of architectures."""
    apply_data_dir(data_dir)
    rows, missing = [], []
    for name in benchmark_names():
        try:
            with console.status(f"loading {name}"):
                bench = load_benchmark(name)
        except DataNotFoundError as exc:
            missing.append({"benchmark": name, "problem": str(exc)})
            continue
        for item in bench.describe():
            rows.append({"benchmark": name, "space": bench.space.name, **item})
    if as_json:
        emit({"benchmarks": rows, "unavailable": missing}, True)
        return
    if rows:
        emit(rows, False, title="benchmarks")
    for item in missing:
        err_console.print(f"[yellow]unavailable:[/] {item['benchmark']}: {item['problem']}")


@data_app.command("import")
def data_import(
    names: Annotated[
        list[str] | None, typer.Argument(help="Benchmarks to import (default: all).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Re-import even if the cache is fresh.")
    ] = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Build the benchmark caches from the data directory."""
    apply_data_dir(data_dir)
    rows = []
    for name in names or benchmark_names():
        with console.status(f"importing {name}"):
            table = import_benchmark(name, force=force)
        rows.append({"benchmark": name, "archs": len(table.archs), "values": len(table.values)})
    emit(rows, as_json, title="imported")


@app.command("query")
def query_command(
    benchmark: Annotated[str, typer.Argument(help="Benchmark name, e.g. nb201.")],
    arch: Annotated[str, typer.Argument(help="Architecture in the space's native format.")],
    dataset: Annotated[str, typer.Option("--dataset", help="Dataset, e.g. cifar10-valid.")],
    metric: Annotated[str, typer.Option("--metric", help="Metric, e.g. val_acc.")] = "val_acc",
    epoch: Annotated[
        int | None, typer.Option("--epoch", help="Training epoch, when several exist.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Training seed (default: seed mean).")
    ] = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Look up one architecture's value in a benchmark."""
    apply_data_dir(data_dir)
    bench: Benchmark = load_benchmark(benchmark)
    graph = bench.space.from_native(arch)
    dataset, metric, epoch_used, seed_used = bench.resolve(dataset, metric, epoch, seed)
    value = float(bench.query([graph], dataset, metric, epoch_used, seed_used)[0])
    result = {
        "benchmark": benchmark,
        "arch": bench.space.to_native(graph),
        "dataset": dataset,
        "metric": metric,
        "epoch": None if epoch_used < 0 else epoch_used,
        "seed": "mean" if seed_used < 0 else seed_used,
        "value": value,
    }
    if as_json:
        emit(result, True)
    else:
        console.print(f"{value:.6g}")


@app.command("sample")
def sample_command(
    space: Annotated[str, typer.Argument(help="Search space name.")],
    n: Annotated[int, typer.Option("-n", "--n", min=1, help="Number of architectures.")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """Random architectures in the space's native format, one per line."""
    space_obj = get_space(space)
    graphs = space_obj.sample(n, np.random.default_rng(seed))
    natives = [space_obj.to_native(g) for g in graphs]
    if as_json:
        typer.echo(json.dumps(natives, indent=2))
    else:
        for text in natives:
            typer.echo(text)
