"""``archembed leaderboard``: every predictor on the published splits of TA-GATES / NAR-Former.

Every option is checked (and the benchmark loaded, the training sizes and each predictor's
parameters checked against it) before ``--out`` is created or the first model is trained.
"""

from __future__ import annotations

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
)
from archembed.cli.predict import (
    ModelOption,
    ParamOption,
    parse_fractions,
    parse_models,
    parse_params,
    parse_seeds,
)
from archembed.errors import ConfigError

PROTOCOL_NAMES = ("tagates", "narformer")
"""Kept equal to :data:`archembed.predictors.leaderboard_splits.PROTOCOLS` (a test checks)."""
DEFAULT_SPECS = "tagates,gates,mlp,onehot+gp,onehot+lightgbm"
DEFAULT_FRACTIONS = {"tagates": (0.01, 0.05, 0.1), "narformer": (0.01, 0.03, 0.05, 0.1)}
OUTPUT_FILES = ("leaderboard.md", "leaderboard.json", "kendall_tau.png", "runs")


def parse_sizes(text: str | None) -> list[int] | None:
    """``"100,172"`` -> ``[100, 172]`` training cells; ranges are checked with the benchmark."""
    if text is None:
        return None
    usage = f"--sizes takes comma-separated whole numbers of training cells, got {text!r}"
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ConfigError(usage) from None
    if not values:
        raise ConfigError(usage)
    return values


def parse_predictors(text: str) -> list[str] | None:
    """A comma-separated list of distinct predictor specs, each checked; None for ``all``
    (every predictor that applies to the benchmark's space, known once it is loaded)."""
    from archembed.predictors.models import parse_spec

    if text.strip() == "all":
        return None
    specs = [parse_spec(name).text for name in (s.strip() for s in text.split(",")) if name]
    if not specs:
        raise ConfigError("--predictors is empty; name at least one, e.g. tagates")
    repeated = sorted({s for s in specs if specs.count(s) > 1})
    if repeated:
        raise ConfigError(f"--predictors lists {', '.join(repeated)} more than once")
    return specs


def resolve_target(
    bench: Any, dataset: str | None, metric: str | None, epoch: int | None
) -> tuple[str, str, int]:
    """Dataset, metric and epoch: the benchmark's published target unless given."""
    from archembed.benchmarks.protocols import PREDICTION_PROTOCOLS

    defaults = PREDICTION_PROTOCOLS.get(bench.name)
    if dataset is None and defaults is None:
        datasets = bench.datasets()
        if len(datasets) != 1:
            raise ConfigError(f"benchmark {bench.name} has several datasets; give --dataset")
        dataset = datasets[0]
    dataset = dataset or defaults.dataset
    metric = metric or (defaults.metric if defaults else "val_acc")
    if epoch is None and defaults is not None and metric == defaults.metric:
        epoch = defaults.epoch if defaults.epoch in bench.epochs(dataset, metric) else None
    return dataset, metric, bench.resolve(dataset, metric, epoch)[2]


@app.command("leaderboard")
def leaderboard_command(
    benchmark: Annotated[str, typer.Option("--benchmark", help="Benchmark, e.g. nb201, nb101.")],
    out: Annotated[Path, typer.Option("--out", help="Output directory (resumable).")],
    protocol: Annotated[
        str,
        typer.Option("--protocol", help=f"Split protocol: {' or '.join(PROTOCOL_NAMES)}."),
    ] = "tagates",
    predictors: Annotated[
        str,
        typer.Option(
            "--predictors",
            help="Comma-separated predictor specs (tagates, gates, mlp, onehot+gp, ...) or "
            "'all' (every supervised encoder, onehot+gp, onehot+lightgbm).",
        ),
    ] = DEFAULT_SPECS,
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="Dataset (default: the paper's).")
    ] = None,
    metric: Annotated[str | None, typer.Option("--metric", help="Target metric.")] = None,
    epoch: Annotated[int | None, typer.Option("--epoch", help="Target epoch.")] = None,
    fractions: Annotated[
        str | None,
        typer.Option(
            "--fractions",
            help="Training shares in (0, 1]: of the training pool (tagates) or of all cells "
            "(narformer). Default 0.01,0.05,0.1 (tagates), 0.01,0.03,0.05,0.1 (narformer).",
        ),
    ] = None,
    sizes: Annotated[
        str | None,
        typer.Option("--sizes", help="Training cells instead of --fractions, e.g. 100,172,424."),
    ] = None,
    seeds: Annotated[
        str, typer.Option("--seeds", help="Model seeds: N (0..N-1) or a list, e.g. 3,4.")
    ] = "3",
    split_seeds: Annotated[
        str | None,
        typer.Option(
            "--split-seeds",
            help="tagates: 1-3 of the official permutations 21, 2021, 202121, or a list "
            "(default 3); narformer has one split.",
            show_default=False,
        ),
    ] = None,
    param: ParamOption = None,
    model: ModelOption = None,
    quiet: QuietOption = False,
    threads: ThreadsOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rank predictors under a published protocol: Kendall tau, P@top-K, N@10, fit time."""
    from archembed.predictors.leaderboard_splits import check_protocol
    from archembed.predictors.leaderboard_splits import split_seeds as parse_split_seeds

    apply_data_dir(data_dir)
    check_protocol(protocol)
    if fractions is not None and sizes is not None:
        raise ConfigError("give either --fractions or --sizes, not both")
    request = {
        "protocol": protocol,
        "fractions": parse_fractions(fractions) if fractions is not None else None,
        "sizes": parse_sizes(sizes),
        "seeds": parse_seeds(seeds),
        "split_seeds": parse_split_seeds(protocol, split_seeds),
        "specs": parse_predictors(predictors),
        "params": parse_params(param or []),
        "model_dirs": parse_models(model or []),
    }
    if len(set(request["seeds"])) != len(request["seeds"]):
        raise ConfigError(f"--seeds lists a seed more than once: {seeds!r}")
    from archembed.benchmarks.catalog import load_benchmark

    bench = load_benchmark(benchmark)
    plan, n_cells = _plan(bench, request, (dataset, metric, epoch))
    result = _run(bench, plan, n_cells, out, not quiet)
    if as_json:
        emit(result, True)
        return
    emit(_table(result["rows"]), False, title=result["title"])
    console.print(f"wrote {', '.join(map(str, result['files'].values()))}")


def _plan(
    bench: Any, request: dict[str, Any], target: tuple[str | None, str | None, int | None]
) -> tuple[Any, int]:
    """The checked plan and the number of labelled cells; every predictor built once."""
    from archembed.predictors.leaderboard import LeaderboardPlan, all_predictors, plan_jobs
    from archembed.predictors.leaderboard_splits import train_sizes
    from archembed.predictors.models import check_predictors, parse_spec
    from archembed.threads import apply_torch_threads

    dataset, metric, epoch = resolve_target(bench, *target)
    n_cells = len(bench.labels(dataset, metric, epoch)[1])
    protocol, fractions, sizes = request["protocol"], request["fractions"], request["sizes"]
    if fractions is None and sizes is None:
        fractions = list(DEFAULT_FRACTIONS[protocol])
    if request["specs"] is None:
        request["specs"] = all_predictors(bench.space.name)
    specs = [parse_spec(s) for s in request["specs"]]
    check_predictors(specs, bench.space, request["params"], request["model_dirs"])
    plan = LeaderboardPlan(
        benchmark=bench.name,
        dataset=dataset,
        metric=metric,
        epoch=epoch,
        protocol=protocol,
        sizes=train_sizes(protocol, n_cells, fractions, sizes),
        split_seeds=request["split_seeds"],
        seeds=request["seeds"],
        specs=request["specs"],
        params=request["params"],
        model_dirs=request["model_dirs"],
    )
    apply_torch_threads()
    plan_jobs(plan, bench.space)
    return plan, n_cells


def _out_dir(out: Path) -> Path:
    from archembed.outputs import adopt_dir, output_dir

    adopt_dir(out, "leaderboard", OUTPUT_FILES)
    return output_dir(out, "leaderboard")


def _run(bench: Any, plan: Any, n_cells: int, out: Path, progress: bool) -> dict[str, Any]:
    """Run the plan into ``out``; write leaderboard.md, leaderboard.json, kendall_tau.png."""
    from archembed.cli.common import jsonable
    from archembed.io import atomic_path, write_json
    from archembed.predictors.leaderboard import (
        markdown,
        open_store,
        plan_record,
        run_leaderboard,
        summarise,
    )
    from archembed.viz.leaderboard import plot_kendall_tau

    directory = _out_dir(out)
    store = open_store(directory / "runs", plan, n_cells)
    results = run_leaderboard(bench, plan, store, progress)
    rows = summarise(results)
    title = f"{plan.benchmark} {plan.dataset}, protocol {plan.protocol}"
    files = {
        "markdown": directory / "leaderboard.md",
        "json": directory / "leaderboard.json",
        "plot": directory / "kendall_tau.png",
    }
    with atomic_path(files["markdown"]) as tmp:
        tmp.write_text(markdown(plan, rows, n_cells))
    record = {"config": {**plan_record(plan), "n_cells": n_cells}, "rows": rows, "runs": results}
    write_json(files["json"], jsonable(record))
    pool = "the training pool" if plan.protocol == "tagates" else "all cells"
    plot_kendall_tau(rows, title, files["plot"], pool)
    return {**record, "title": title, "files": files}


def _table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from archembed.predictors.leaderboard import cell

    return [
        {
            "predictor": r["predictor"],
            "n_train": r["n_train"],
            "runs": r["runs"],
            "kendall_tau": cell(r["kendall_tau"], 3),
            "spearman": cell(r["spearman"], 3),
            "p@1%": cell(r["p@1%"], 3),
            "p@5%": cell(r["p@5%"], 3),
            "n@10": cell(r["n@10"], 1),
            "fit_s": cell(r["fit_seconds"], 2),
            "fit_cpu_s": cell(r["fit_cpu_seconds"], 2),
        }
        for r in rows
    ]
