"""``archembed search``, ``archembed run`` and ``archembed report``: the search workflow."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archembed.cli.common import DataDirOption, JsonOption, app, apply_data_dir, console, emit
from archembed.errors import ConfigError

QUERY_POINTS = "10,25,50,100"


@app.command("search")
def search_command(
    benchmark: Annotated[
        str, typer.Option("--benchmark", help="BENCHMARK/DATASET, e.g. nb201/cifar10-valid.")
    ],
    strategy: Annotated[
        str, typer.Option("--strategy", help="random, evolution, local, bo, dngo, reinforce...")
    ],
    out: Annotated[Path, typer.Option("--out", help="Run directory (one subfolder per seed).")],
    encoder: Annotated[
        str | None,
        typer.Option("--encoder", help="onehot, path, another encoder name, or a model directory."),
    ] = None,
    queries: Annotated[int, typer.Option("--queries", min=1, help="Query budget.")] = 100,
    seconds: Annotated[
        float | None, typer.Option("--seconds", help="Simulated training-time budget.")
    ] = None,
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Number of seeds (0..n-1).")] = 10,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Strategy parameter KEY=VALUE (YAML value); repeat."),
    ] = None,
    noise: Annotated[
        bool, typer.Option("--noise", help="One random training seed per query.")
    ] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Local processes.")] = 2,
    executor: Annotated[str, typer.Option("--executor", help="local or ray.")] = "local",
    address: Annotated[
        str | None, typer.Option("--address", help="Ray cluster address (with --executor ray).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Search one benchmark with one strategy over many seeds; resumable."""
    from archembed.experiments.config import parse_config
    from archembed.experiments.runner import run_experiment

    apply_data_dir(data_dir)
    encoders = []
    if encoder is not None:
        model = Path(encoder)
        entry = {"name": model.name, "model": str(model)} if model.is_dir() else {"name": encoder}
        encoders.append(entry)
    config = parse_config(
        {
            "name": out.name or "search",
            "benchmarks": [{"name": benchmark, "noise": noise}],
            "strategies": [
                {
                    "name": strategy,
                    "params": _params(param or []),
                    **({"encoders": [encoders[0]["name"]]} if encoders else {}),
                }
            ],
            "encoders": encoders,
            "seeds": seeds,
            "queries": queries,
            "seconds": seconds,
            "workers": workers,
            "executor": executor,
            "address": address,
        },
        "search options",
    )
    summaries = run_experiment(config, out, single=True, progress=not quiet)
    _print_outcome(summaries, [out], as_json)


@app.command("run")
def run_command(
    experiment: Annotated[Path, typer.Argument(help="Experiment YAML file.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Output directory (default: out: in the file).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Local processes.")
    ] = None,
    seeds: Annotated[
        int | None, typer.Option("--seeds", min=1, help="Override the file's seeds (0..n-1).")
    ] = None,
    executor: Annotated[str | None, typer.Option("--executor", help="local or ray.")] = None,
    address: Annotated[str | None, typer.Option("--address", help="Ray cluster address.")] = None,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Write the report afterwards.")
    ] = True,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run strategies x encoders x benchmarks x seeds from a YAML file; resumable."""
    from archembed.experiments.config import load_config
    from archembed.experiments.runner import run_experiment

    apply_data_dir(data_dir)
    config = load_config(experiment)
    overrides = {"workers": workers, "executor": executor, "address": address, "seeds": seeds}
    config = config.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    target = out or config.out
    if target is None:
        raise ConfigError(f"{experiment}: set out: in the file or pass --out DIR")
    summaries = run_experiment(config, target, progress=not quiet)
    if report:
        from archembed.experiments.report import write_report

        write_report([target], target / "report", _points(QUERY_POINTS, config.queries))
    _print_outcome(summaries, [target], as_json, report_dir=target / "report" if report else None)


@app.command("report")
def report_command(
    runs: Annotated[list[Path], typer.Argument(help="Run directories (or folders of them).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Report directory (default: RUN/report).")
    ] = None,
    at: Annotated[
        str, typer.Option("--at", help="Query counts for the table, comma separated.")
    ] = QUERY_POINTS,
    as_json: JsonOption = False,
) -> None:
    """Mean +- std of the incumbent's validation/test accuracy and regret; plots; Markdown."""
    from archembed.experiments.report import write_report

    target = out or runs[0] / "report"
    rows = write_report(runs, target, _points(at, None))
    if as_json:
        emit({"report": str(target / "report.md"), "rows": rows}, True)
        return
    emit(rows, False, title="search results (mean ± std over seeds)")
    console.print(f"report: {target / 'report.md'}")


def _points(text: str, limit: int | None) -> list[int]:
    try:
        points = sorted({int(p) for p in text.split(",") if p.strip()})
    except ValueError:
        raise ConfigError(f"--at takes comma-separated query counts, got {text!r}") from None
    if not points or points[0] < 1:
        raise ConfigError("--at needs positive query counts")
    kept = [p for p in points if limit is None or p <= limit]
    return [*kept, limit] if limit is not None and limit not in kept else kept


def _params(items: list[str]) -> dict[str, object]:
    import yaml

    params: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--param takes KEY=VALUE, got {item!r}")
        params[key.strip()] = yaml.safe_load(value)
    return params


def _print_outcome(
    summaries: list[dict], dirs: list[Path], as_json: bool, report_dir: Path | None = None
) -> None:
    from archembed.experiments.report import summary_rows

    failed = [s for s in summaries if s.get("status") != "ok"]
    rows = summary_rows(summaries)
    if as_json:
        emit({"runs": rows, "failed": failed, "out": [str(d) for d in dirs]}, True)
    else:
        emit(rows, False, title="final incumbent (mean ± std over seeds)")
        for item in failed:
            console.print(f"[red]failed[/]: {item['run']} seed {item['seed']}: {item['error']}")
        if report_dir is not None:
            console.print(f"report: {report_dir / 'report.md'}")
    if failed:
        raise typer.Exit(1)
