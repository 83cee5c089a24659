"""Foundation commands: spaces, data list/import, query, sample.

Start-up stays light: the spaces, benchmarks and NumPy are imported inside the commands, and
``query`` / ``data list`` read a current cache through its look-up files (no pandas).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from archembed.checks import MAX_SEED
from archembed.cli.common import (
    DataDirOption,
    JsonOption,
    QuietOption,
    app,
    apply_data_dir,
    console,
    emit,
    err_console,
)
from archembed.errors import ConfigError, CorruptFileError, DataNotFoundError, UnknownNameError
from archembed.progress import status

if TYPE_CHECKING:
    from archembed.graph import ArchGraph
    from archembed.spaces.base import SearchSpace

MAX_SAMPLE = 1_000_000
"""Most architectures ``sample`` draws in one call."""

data_app = typer.Typer(
    help="Benchmark data: list what is found, import it into the cache.", no_args_is_help=True
)
app.add_typer(data_app, name="data")


@app.command("spaces")
def spaces_command(as_json: JsonOption = False, quiet: QuietOption = False) -> None:
    """List registered search spaces with their sizes.

    JSON: a list of {space, size, max_nodes, ops}; size is null when unbounded.
    """
    from archembed.spaces.base import SPACES, get_space

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
def data_list(
    data_dir: DataDirOption = None, as_json: JsonOption = False, quiet: QuietOption = False
) -> None:
    """Benchmarks found, with datasets, metrics, epochs and number of architectures.

    A benchmark not in the cache yet is imported first (progress on stderr).
    JSON: {benchmarks: [{benchmark, space, dataset, metric, unit, epochs, seeds, archs}],
    unavailable: [{benchmark, problem}]}; epoch -1: no epoch; seed -1: the seed mean.
    """
    from archembed.benchmarks.catalog import benchmark_names, open_benchmark

    apply_data_dir(data_dir)
    rows, missing = [], []
    for name in benchmark_names():
        try:
            bench = open_benchmark(name)
        except (DataNotFoundError, CorruptFileError) as exc:
            missing.append({"benchmark": name, "problem": str(exc)})
            continue
        rows += [{"benchmark": name, "space": bench.space_name, **row} for row in bench.describe()]
    if as_json:
        emit({"benchmarks": rows, "unavailable": missing}, True)
        return
    if rows:
        emit(rows, False, title="benchmarks")
    for item in missing:
        text = escape(f"{item['benchmark']}: {item['problem']}")
        err_console.print(f"[yellow]unavailable:[/] {text}", soft_wrap=True)


def _checked_names(names: list[str] | None) -> list[str]:
    """The benchmarks to import (all by default), each known, each once."""
    from archembed.benchmarks.catalog import benchmark_names

    known = benchmark_names()
    for name in names or []:
        if name not in known:
            raise UnknownNameError("benchmark", name, known)
    return list(dict.fromkeys(names)) if names else known


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
    quiet: QuietOption = False,
) -> None:
    """Build the benchmark caches from the data directory.

    JSON: a list of {benchmark, archs, values} (numbers of architectures and of values).
    """
    from archembed.benchmarks.catalog import check_sources, import_benchmark

    chosen = _checked_names(names)
    apply_data_dir(data_dir)
    for name in chosen:
        check_sources(name)
    rows = []
    for name in chosen:
        with status(f"importing benchmark {name}"):
            table = import_benchmark(name, force=force)
        rows.append({"benchmark": name, "archs": len(table.archs), "values": len(table.values)})
    emit(rows, as_json, title="imported")


@app.command("query")
def query_command(
    benchmark: Annotated[str, typer.Argument(help="Benchmark name, e.g. nb201.")],
    arch: Annotated[str, typer.Argument(help="Architecture in the space's native format.")],
    dataset: Annotated[
        str | None,
        typer.Option("--dataset", help="Dataset, e.g. cifar10-valid (default: the only one)."),
    ] = None,
    metric: Annotated[
        str | None,
        typer.Option("--metric", help="Metric (default: val_acc, else the only one)."),
    ] = None,
    epoch: Annotated[
        int | None,
        typer.Option(
            "--epoch", min=0, help="Training epoch, when several exist.", show_default=False
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", min=0, help="Training seed (default: seed mean).", show_default=False
        ),
    ] = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Look up one architecture's value in a benchmark.

    JSON: {benchmark, arch, dataset, metric, epoch, seed, value[, n_records]};
    epoch is null for a metric without epochs, seed null for the seed mean; n_records: lines
    averaged into the value (a benchmark imported with --duplicates mean).
    """
    from archembed.benchmarks.catalog import benchmark_space, open_benchmark
    from archembed.benchmarks.user import record_count
    from archembed.spaces.base import get_space

    apply_data_dir(data_dir)
    space = get_space(benchmark_space(benchmark))
    graph = space.from_native(arch)
    bench = open_benchmark(benchmark)
    dataset = bench.index.default_dataset(dataset)
    metric = bench.index.default_metric(dataset, metric)
    dataset, metric, epoch_used, seed_used = bench.index.resolve(dataset, metric, epoch, seed)
    value = float(bench.query([graph], dataset, metric, epoch_used, seed_used)[0])
    records = record_count(bench, space.identity(graph))
    if not as_json:
        mean_of = f"  (mean of {records} records)" if records and records > 1 else ""
        console.print(f"{value:.6g}{mean_of}")
        return
    result = {
        "benchmark": benchmark,
        "arch": space.to_native(graph),
        "dataset": dataset,
        "metric": metric,
        "epoch": None if epoch_used < 0 else epoch_used,
        "seed": None if seed_used < 0 else seed_used,
        "value": value,
        **({} if records is None else {"n_records": records}),
    }
    emit(result, True)


@app.command("sample")
def sample_command(
    space: Annotated[
        str,
        typer.Argument(
            help="Search space: a name, an imported benchmark (its own architectures) or a "
            "space YAML file."
        ),
    ],
    n: Annotated[
        int, typer.Option("-n", "--n", min=1, max=MAX_SAMPLE, help="Number of architectures.")
    ] = 1,
    seed: Annotated[int, typer.Option("--seed", min=0, max=MAX_SEED, help="Random seed.")] = 0,
    every: Annotated[
        bool,
        typer.Option("--all", help="Every architecture of a finite space, in its order (no -n)."),
    ] = False,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Random architectures in the space's native format, one per line (--all: every one).

    JSON: a list of native strings.
    """
    import numpy as np

    from archembed.spaces.base import get_space

    space_obj = get_space(space)
    if every:
        graphs = _every_architecture(space_obj)
    else:
        graphs = space_obj.sample(n, np.random.default_rng(seed))
    natives = [space_obj.to_native(g) for g in graphs]
    if as_json:
        emit(natives, True)
    else:
        for text in natives:
            typer.echo(text)


def _every_architecture(space: SearchSpace) -> list[ArchGraph]:
    """The enumeration of a finite space; ConfigError for one that cannot be listed."""
    if not space.finite:
        raise ConfigError(f"space {space.name!r} cannot be enumerated; sample it with -n")
    with status(f"enumerating space {space.name}"):
        return space.enumerate()
