"""``archembed search``, ``archembed run`` and ``archembed report``: the search workflow.

Every input is checked before work starts (options, the YAML file, strategy parameters,
names, the output directory); heavy modules are imported inside the commands.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from archembed.cli.common import (
    DataDirOption,
    JsonOption,
    QuietOption,
    ThreadsOption,
    app,
    apply_data_dir,
    console,
    emit,
    fail,
)
from archembed.errors import ConfigError
from archembed.outputs import adopt_dir, claimed_dir, output_dir
from archembed.threads import apply_torch_threads

RUN_KIND = "search run"
EXPERIMENT_KIND = "experiment"
REPORT_KIND = "report"
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers", min=1, help="Local worker processes (default 2).", show_default=False
    ),
]
ExecutorOption = Annotated[
    str | None,
    typer.Option("--executor", help="local (default) or ray.", show_default=False),
]
AddressOption = Annotated[
    str | None, typer.Option("--address", help="Ray cluster address (with --executor ray).")
]


@app.command("search")
def search_command(
    benchmark: Annotated[
        str,
        typer.Option(
            "--benchmark",
            help="BENCHMARK/DATASET, e.g. nb201/cifar10-valid (just BENCHMARK if one dataset).",
        ),
    ],
    strategy: Annotated[
        str,
        typer.Option(
            "--strategy",
            help="random, evolution, local, bo, dngo, reinforce, nsga2, qlognehvi, qnparego, ...",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Run directory (one subfolder per seed).")],
    encoder: Annotated[
        str | None,
        typer.Option(
            "--encoder",
            help="onehot, path, another encoder name, a model directory, pretrained:NAME (a "
            "shipped model, see `archembed models`), or an embedding Parquet file (columns "
            "arch and embedding, as `archembed embed` writes). Without it, bo on NB201 "
            "searches zcstats (the searched dataset's zero-cost proxies).",
        ),
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
    objectives: Annotated[
        str | None,
        typer.Option(
            "--objectives",
            help="Several objectives, METRIC:max or METRIC:min separated by commas, e.g. "
            "val_acc:max,edgegpu_latency:min.",
            show_default=False,
        ),
    ] = None,
    constraint: Annotated[
        list[str] | None,
        typer.Option(
            "--constraint",
            help='METRIC<=NUMBER or METRIC>=NUMBER, e.g. "pixel3_latency<=4.0"; repeat.',
            show_default=False,
        ),
    ] = None,
    free_metrics: Annotated[
        str | None,
        typer.Option(
            "--free-metrics",
            help="Metrics known without training (e.g. params): constraints on them prune the "
            "space up front, costing no query; METRIC~N predicts one from N measured cells. "
            "Comma separated.",
            show_default=False,
        ),
    ] = None,
    workers: WorkersOption = None,
    executor: ExecutorOption = None,
    address: AddressOption = None,
    threads: ThreadsOption = None,
    quiet: QuietOption = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Search one benchmark with one strategy over many seeds; resumable."""
    apply_data_dir(data_dir)
    params = _params(param or [])
    from archembed.experiments.config import parse_config
    from archembed.search.base import check_strategy

    try:
        check_strategy(strategy, params)
    except ConfigError as exc:
        raise ConfigError(f"--param: {exc}") from None
    encoders = [] if encoder is None else [_encoder_spec(encoder)]
    options = {"workers": workers, "executor": executor, "address": address}
    config = parse_config(
        {
            "name": _safe(out.resolve().name, "search"),
            "benchmarks": [
                {
                    "name": benchmark,
                    "noise": noise,
                    **_goals(objectives, constraint or [], free_metrics),
                }
            ],
            "strategies": [
                {
                    "name": strategy,
                    "params": params,
                    **({"encoders": [encoders[0]["name"]]} if encoders else {}),
                }
            ],
            "encoders": encoders,
            "seeds": seeds,
            "queries": queries,
            "seconds": seconds,
            **{k: v for k, v in options.items() if v is not None},
        },
        "search options",
    )
    from archembed.experiments.runner import run_experiment

    apply_torch_threads()
    with _output(out, RUN_KIND) as target:
        summaries = run_experiment(config, target, single=True)
    _print_outcome(summaries, target, as_json)


@app.command("run")
def run_command(
    experiment: Annotated[Path, typer.Argument(help="Experiment YAML file.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Output directory (default: out: in the file).")
    ] = None,
    workers: WorkersOption = None,
    seeds: Annotated[
        int | None, typer.Option("--seeds", min=1, help="Override the file's seeds (0..n-1).")
    ] = None,
    executor: ExecutorOption = None,
    address: AddressOption = None,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Write the report afterwards.")
    ] = True,
    threads: ThreadsOption = None,
    quiet: QuietOption = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run strategies x encoders x benchmarks x seeds from a YAML file; resumable."""
    apply_data_dir(data_dir)
    from archembed.experiments.config import load_config

    overrides = {"workers": workers, "executor": executor, "address": address, "seeds": seeds}
    config = load_config(experiment, {k: v for k, v in overrides.items() if v is not None})
    chosen = out or config.out
    if chosen is None:
        raise ConfigError(f"{experiment}: set out: in the file or pass --out DIR")
    from archembed.experiments.report import write_report
    from archembed.experiments.runner import run_experiment

    apply_torch_threads()
    with _output(chosen, EXPERIMENT_KIND) as target:
        report_dir = target / "report" if report else None
        if report_dir is not None and report_dir.exists():
            _adopt_earlier(report_dir, REPORT_KIND)
            output_dir(report_dir, REPORT_KIND)  # an old report is replaced only if it is one
        summaries = run_experiment(config, target)
    if report_dir is not None and any(s.get("status") == "ok" for s in summaries):
        write_report([target], report_dir)
    else:
        report_dir = None
    _print_outcome(summaries, target, as_json, report_dir)


@app.command("report")
def report_command(
    runs: Annotated[list[Path], typer.Argument(help="Run directories (or folders of them).")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Report directory (default: RUN/report for one RUN; required for several).",
            show_default=False,
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="Query counts for the table, comma separated, each within the runs' budget "
            "(default: 10,25,50,100 up to the budget, and the budget).",
            show_default=False,
        ),
    ] = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Mean ± std of the incumbent's validation/test accuracy and regret; plots; Markdown."""
    points = _points(at) if at is not None else None
    if out is None and len(runs) > 1:
        raise ConfigError(
            f"{len(runs)} run directories: give --out DIR for their joint report "
            "(one RUN's report goes to RUN/report)"
        )
    from archembed.experiments.report import write_report
    from archembed.tables import table_rows

    target = out or runs[0] / "report"
    _adopt_earlier(target, REPORT_KIND)
    rows = write_report(runs, target, points)
    if as_json:
        emit({"report": str(target / "report.md"), "rows": rows}, True)
        return
    emit(table_rows(rows), False, title="search results (mean ± std over seeds)")
    console.print(f"report: {target / 'report.md'}")


def _goals(objectives: str | None, constraints: list[str], free: str | None) -> dict[str, Any]:
    """The benchmark spec's objective settings from the options (only those given)."""
    goals: dict[str, Any] = {"constraints": constraints}
    if objectives is not None:
        goals["objectives"] = objectives
    if free is not None:
        goals["free_metrics"] = [m.strip() for m in free.split(",") if m.strip()]
    return goals


def _encoder_spec(encoder: str) -> dict[str, str]:
    """``--encoder``: a model directory or embedding file by path, ``pretrained:NAME`` (a shipped
    model), else an encoder's name."""
    from archembed.encoders.precomputed import is_embedding_file
    from archembed.pretrained import PREFIX

    if encoder.startswith(PREFIX):
        return {"name": _safe(encoder[len(PREFIX) :], "model"), "model": encoder}
    path = Path(encoder)
    if path.is_dir():
        return {"name": _safe(path.resolve().name, "model"), "model": encoder}
    if is_embedding_file(path):
        return {"name": _safe(path.stem, "embeddings"), "model": encoder}
    return {"name": encoder}


def _safe(name: str, default: str) -> str:
    """``name`` reduced to what may name a directory (letters, digits, '.', '_', '-')."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:100] or default


@contextmanager
def _output(path: Path, kind: str) -> Iterator[Path]:
    """The checked output directory (earlier unmarked runs adopted); see ``claimed_dir``."""
    _adopt_earlier(path, kind)
    with claimed_dir(path, kind) as target:
        yield target


def _adopt_earlier(path: Path, kind: str) -> None:
    """Mark a directory that an archembed version before the marks wrote, so it resumes."""
    if not path.is_dir():
        return
    entries = list(path.iterdir())
    seeds = {RUN_KIND: "*/summary.json", EXPERIMENT_KIND: "*/*/summary.json"}.get(kind)
    if seeds is not None and not any(path.glob(seeds)):
        return
    if entries and all(_earlier_output(entry, kind) for entry in entries):
        adopt_dir(path, kind, tuple(entry.name for entry in entries))


def _earlier_output(entry: Path, kind: str) -> bool:
    """Whether ``entry`` is something the ``kind`` command writes (seed folders, a report...)."""
    if kind == REPORT_KIND:
        return entry.name.startswith(("report.", "regret_"))
    if entry.name == "report" or (kind == EXPERIMENT_KIND and entry.name == "encoders"):
        return entry.is_dir()
    if kind == RUN_KIND:
        return entry.is_dir() and entry.name.isdecimal()
    return entry.is_dir() and all(seed.name.isdecimal() for seed in entry.iterdir())


def _points(text: str) -> list[int]:
    """``--at 10,25,50``: positive whole query counts."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise ConfigError(f"--at needs query counts like 10,25,50; got {text!r}")
    bad = next((p for p in parts if not re.fullmatch(r"[0-9]+", p) or int(p) < 1), None)
    if bad is not None:
        raise ConfigError(
            f"--at takes positive whole query counts separated by commas; got {bad!r} in {text!r}"
        )
    return sorted({int(p) for p in parts})


def _params(items: list[str]) -> dict[str, Any]:
    """``-p KEY=VALUE`` options as a mapping; each VALUE is read as YAML (``3``, ``0.1``)."""
    import yaml

    params: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--param takes KEY=VALUE, got {item!r}")
        try:
            params[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError:
            raise ConfigError(f"--param {item!r}: the value is not valid YAML") from None
    return params


def _print_outcome(
    summaries: list[dict[str, Any]],
    target: Path,
    as_json: bool,
    report_dir: Path | None = None,
) -> None:
    """The final incumbents per run (table or JSON) and the output paths; exit 1 on failures."""
    from archembed.experiments.report import summary_rows
    from archembed.tables import table_rows

    failed = [
        {"run": s["run"], "seed": s["seed"], "error": s.get("error")}
        for s in summaries
        if s.get("status") != "ok"
    ]
    rows = summary_rows(summaries)
    report = str(report_dir / "report.md") if report_dir is not None else None
    if as_json:
        emit({"runs": rows, "failed": failed, "out": str(target), "report": report}, True)
    else:
        emit(table_rows(rows), False, title="final incumbent (mean ± std over seeds)")
        console.print(f"runs: {target}")
        if report is not None:
            console.print(f"report: {report}")
    if failed:
        first = failed[0]
        fail(
            f"{len(failed)} of {len(summaries)} seeds failed; first: {first['run']} seed "
            f"{first['seed']}: {first['error']} (its traceback is in that seed's summary.json "
            f"under {target})",
            1,
        )
