"""``archembed predict``: which encoder ranks architectures best with N labelled samples.

Every option is checked before any work starts (the benchmark is loaded and the split built
to check fractions against it); only then is ``--out`` created and the first model trained.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
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
from archembed.errors import ConfigError, UnknownNameError

MAX_SEEDS = 1000
"""Largest ``--seeds N``: each seed is one training run per predictor and fraction."""

OUTPUT_FILES = (
    "results.md",
    "results.json",
    "precision_at_k.png",
    "predicted_vs_true.png",
    "runs",
)
"""What ``predict`` writes in ``--out``: a directory holding only these is its own."""

SUMMARY_METRICS = ("kendall_tau", "spearman", "pearson", "mse", "p@1%", "p@5%", "p@10%")


ParamOption = Annotated[
    list[str] | None,
    typer.Option("--param", help="NAME.KEY=VALUE for a predictor, encoder or head, repeatable."),
]
ModelOption = Annotated[
    list[str] | None,
    typer.Option(
        "--model",
        help="ENCODER=DIR: a pretrained self-supervised encoder for ENCODER+HEAD predictors "
        "(DIR may be pretrained:NAME, a shipped model, e.g. arch2vec=pretrained:arch2vec-nb201).",
    ),
]
"""``--param`` and ``--model``, shared by ``predict`` and ``leaderboard``."""


def _split_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def parse_fractions(text: str) -> list[float]:
    """``"0.01,0.05"`` -> ``[0.01, 0.05]``; ranges are checked with the plan."""
    usage = f"--fractions takes comma-separated numbers in (0, 1], got {text!r}"
    try:
        values = [float(v) for v in _split_list(text)]
    except ValueError:
        raise ConfigError(usage) from None
    if not values:
        raise ConfigError(usage)
    return values


def parse_seeds(text: str) -> list[int]:
    """``"9"`` -> seeds 0..8; ``"3,4"`` -> seeds 3 and 4."""
    usage = f"--seeds takes a count N >= 1 (seeds 0..N-1) or a list of seeds, got {text!r}"
    try:
        values = [int(v) for v in _split_list(text)]
    except ValueError:
        raise ConfigError(usage) from None
    if not values or min(values) < 0:
        raise ConfigError(usage)
    if "," in text:
        return values
    if not 1 <= values[0] <= MAX_SEEDS:
        raise ConfigError(f"--seeds {values[0]}: run between 1 and {MAX_SEEDS} seeds")
    return list(range(values[0]))


def parse_params(items: list[str]) -> dict[str, dict[str, Any]]:
    """``NAME.KEY=VALUE`` (VALUE as JSON, else text) -> ``{NAME: {KEY: VALUE}}``."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        target, sep, raw = item.partition("=")
        name, dot, key = target.partition(".")
        if not sep or not dot or not name or not key:
            raise ConfigError(f"--param takes NAME.KEY=VALUE (e.g. gates.epochs=100), got {item!r}")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"--param {item!r}: the value must be a finite number")
        out.setdefault(name, {})[key] = value
    return out


def parse_models(items: list[str]) -> dict[str, str]:
    """``ENCODER=DIR`` -> ``{ENCODER: DIR}`` (pretrained self-supervised encoders); DIR may be
    ``pretrained:NAME``, a shipped model."""
    from archembed.pretrained import resolve_model

    out = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise ConfigError(f"--model takes ENCODER=DIR (e.g. arch2vec=runs/a2v), got {item!r}")
        out[name] = resolve_model(path)
    return out


def parse_split_files(text: str | None) -> tuple[str, str] | None:
    """``TRAIN.csv,TEST.csv`` -> the two paths."""
    if text is None:
        return None
    files = _split_list(text)
    if len(files) != 2:
        raise ConfigError(f"--split-files takes TRAIN.csv,TEST.csv, got {text!r}")
    return files[0], files[1]


@dataclass
class Request:
    """The parsed options of one ``predict`` call, before the benchmark is loaded."""

    benchmark: str
    specs: list[str]
    fractions: list[float] | None
    seeds: list[int]
    params: dict[str, dict[str, Any]]
    model_dirs: dict[str, str]
    split_files: tuple[str, str] | None


def _target(
    request: Request,
    dataset: str | None,
    metric: str | None,
    epoch: int | None,
    anytime: bool,
    train_share: float | None,
) -> tuple[Any, str, str, tuple[int, ...]]:
    """The protocol defaults, dataset, metric and epochs; errors for what has no default."""
    from archembed.benchmarks.protocols import PREDICTION_PROTOCOLS
    from archembed.checks import check_float

    if anytime and epoch is not None:
        raise ConfigError("--anytime scores two fixed epochs; it does not take --epoch")
    if train_share is not None:
        if request.split_files is not None:
            raise ConfigError("--train-share does not apply to a split read from --split-files")
        check_float("--train-share", train_share, 0.0, 1.0, low_open=True, high_open=True)
    defaults = PREDICTION_PROTOCOLS.get(request.benchmark)
    if defaults is None:
        if anytime:
            raise ConfigError(
                f"--anytime has default epochs only for {', '.join(PREDICTION_PROTOCOLS)}, not "
                f"{request.benchmark!r}; give --epoch"
            )
        dataset, metric = _sole_target(request.benchmark, dataset, metric)
        needed = {"--dataset": dataset, "--metric": metric, "--fractions": request.fractions}
        if request.split_files is None:
            needed["--train-share"] = train_share
        missing = [option for option, value in needed.items() if value is None]
        if missing:
            raise ConfigError(
                f"benchmark {request.benchmark!r} has no default protocol (known: "
                f"{', '.join(PREDICTION_PROTOCOLS)}); give {', '.join(missing)}"
            )
    dataset = dataset or defaults.dataset
    metric = metric or defaults.metric
    if anytime:
        return defaults, dataset, metric, tuple(defaults.anytime_epochs)
    if epoch is not None:
        return defaults, dataset, metric, (epoch,)
    if defaults is not None and metric == defaults.metric:
        return defaults, dataset, metric, (defaults.epoch,)
    return defaults, dataset, metric, ()


def _sole_target(
    benchmark: str, dataset: str | None, metric: str | None
) -> tuple[str | None, str | None]:
    """Dataset and metric, defaulted when the benchmark has only one dataset (or metric)."""
    from archembed.benchmarks.catalog import cached_index

    index = cached_index(benchmark)
    if index is None or (dataset is None and len(index.datasets()) != 1):
        return dataset, metric
    dataset = index.default_dataset(dataset)
    return dataset, index.default_metric(dataset, metric)


def _embedding_files(specs: list[Any]) -> list[Any]:
    """The embedding files named in ``--encoders`` (``FILE.parquet+HEAD``), read and checked
    before the benchmark loads; their ids are matched to the split later."""
    from archembed.encoders.precomputed import read_embedding_file
    from archembed.predictors.models import EMBEDDING_SUFFIX

    return [read_embedding_file(s.encoder) for s in specs if s.encoder.endswith(EMBEDDING_SUFFIX)]


def _check_benchmark(name: str) -> None:
    from archembed.benchmarks.catalog import benchmark_names

    known = benchmark_names()
    if name not in known:
        raise UnknownNameError("benchmark", name, known)


def _out_dir(out: Path) -> Path:
    """``--out`` as predict's directory; a pre-marker predict directory is adopted."""
    from archembed.outputs import adopt_dir, output_dir

    if (out.expanduser() / "runs").is_dir():
        adopt_dir(out, "predict", OUTPUT_FILES)
    return output_dir(out, "predict")


def summary_rows(summary: Any) -> list[dict[str, Any]]:
    """JSON rows: per predictor, target and fraction, each metric as ``{mean, std, n}``."""
    rows = []
    for record in summary.to_dict(orient="records"):
        row: dict[str, Any] = {
            "predictor": record["encoder"],
            "target": record["target"],
            "fraction": record["fraction"],
            "n_train": int(record["n_train"]),
            "seeds": int(record["seeds"]),
            "seconds": record["seconds_mean"],
        }
        for metric in SUMMARY_METRICS:
            if f"{metric}_mean" in record:
                row[metric] = {
                    "mean": record[f"{metric}_mean"],
                    "std": record[f"{metric}_std"],
                    "n": int(record["seeds"]),
                }
        rows.append(row)
    return rows


def _table_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "predictor": r["predictor"],
            "target": r["target"],
            "fraction": r["fraction"],
            "n_train": r["n_train"],
            "kendall_tau": r["kendall_tau"]["mean"],
            "std": r["kendall_tau"]["std"],
            "spearman": r["spearman"]["mean"],
            "p@5%": r["p@5%"]["mean"],
        }
        for r in rows
    ]


@app.command("predict")
def predict_command(
    benchmark: Annotated[str, typer.Option("--benchmark", help="Benchmark, e.g. nb201, nb101.")],
    out: Annotated[Path, typer.Option("--out", help="Output directory (resumable).")],
    encoders: Annotated[
        str,
        typer.Option(
            "--encoders",
            help="Comma-separated predictors: gates, tagates, mlp, arch2vec+gp ...; "
            "FILE.parquet+gp: embeddings computed elsewhere (columns arch, embedding).",
        ),
    ] = "gates,tagates,mlp,mlp-path,lstm,onehot+lightgbm,path+rf",
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="Dataset (default: the paper's).")
    ] = None,
    metric: Annotated[str | None, typer.Option("--metric", help="Target metric.")] = None,
    epoch: Annotated[int | None, typer.Option("--epoch", help="Target epoch.")] = None,
    anytime: Annotated[
        bool,
        typer.Option(
            "--anytime", help="Train and score on two fidelities (NB201 12/200, NB101 36/108)."
        ),
    ] = False,
    fractions: Annotated[
        str | None,
        typer.Option("--fractions", help="Train fractions in (0, 1], e.g. 0.01,0.05,0.1."),
    ] = None,
    seeds: Annotated[
        str, typer.Option("--seeds", help="N (seeds 0..N-1) or a list of seeds, e.g. 3,4.")
    ] = "3",
    train_share: Annotated[
        float | None, typer.Option("--train-share", help="Share of the benchmark for training.")
    ] = None,
    split_seed: Annotated[int, typer.Option("--split-seed", help="Seed of the split.")] = 0,
    split_files: Annotated[
        str | None,
        typer.Option("--split-files", help="TRAIN.csv,TEST.csv with NASLib tuples (NB201)."),
    ] = None,
    param: ParamOption = None,
    model: ModelOption = None,
    quiet: QuietOption = False,
    threads: ThreadsOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Train predictors on fractions of a fixed split and rank the whole test split."""
    from archembed.checks import check_seed

    apply_data_dir(data_dir)
    request = Request(
        benchmark=benchmark,
        specs=_split_list(encoders),
        fractions=parse_fractions(fractions) if fractions is not None else None,
        seeds=parse_seeds(seeds),
        params=parse_params(param or []),
        model_dirs=parse_models(model or []),
        split_files=parse_split_files(split_files),
    )
    check_seed("--split-seed", split_seed)
    if not request.specs:
        raise ConfigError("--encoders is empty; name at least one predictor, e.g. gates")
    from archembed.predictors.models import check_names, check_predictors, parse_spec
    from archembed.predictors.protocol import ProtocolRun, check_plan

    specs = [parse_spec(spec) for spec in request.specs]
    files = _embedding_files(specs)
    _check_benchmark(benchmark)
    defaults, dataset, metric, epochs = _target(
        request, dataset, metric, epoch, anytime, train_share
    )
    plan = ProtocolRun(
        specs=request.specs,
        fractions=request.fractions or list(defaults.fractions),
        seeds=request.seeds,
        params=request.params,
        model_dirs=request.model_dirs,
    )
    check_plan(plan)
    check_names(specs, plan.params, plan.model_dirs)
    from archembed.threads import apply_torch_threads

    apply_torch_threads()
    split, bench = _split(request, defaults, dataset, metric, epochs, train_share, split_seed)
    check_plan(plan, len(split.train))
    check_predictors(specs, bench.space, plan.params, plan.model_dirs)
    for file in files:
        file.encoder(bench.space, split.train + split.test)
    out = _out_dir(out)
    config, rows, paths = _run(split, bench, plan, out, dataset, not quiet)
    if as_json:
        emit({"config": config, "results": rows, "files": paths}, True)
        return
    table = _table_rows(rows)
    emit(table, False, title=f"{split.name}: Kendall tau on {len(split.test)} test archs")
    console.print(f"wrote {paths['markdown']}, {paths['json']} and plots in {out}")


def _split(
    request: Request,
    defaults: Any,
    dataset: str,
    metric: str,
    epochs: tuple[int, ...],
    train_share: float | None,
    split_seed: int,
) -> tuple[Any, Any]:
    """Load the benchmark, check the target, and build the split (files or random)."""
    from archembed.benchmarks.catalog import load_benchmark
    from archembed.predictors.protocol import file_split, fixed_split

    bench = load_benchmark(request.benchmark)
    epochs = epochs or (bench.resolve(dataset, metric)[2],)
    for epoch in epochs:
        bench.resolve(dataset, metric, epoch)
    if request.split_files is not None:
        train_file, test_file = request.split_files
        return file_split(bench, train_file, test_file, dataset, metric, epochs), bench
    share = train_share if train_share is not None else defaults.train_share
    return fixed_split(bench, dataset, metric, epochs, share, split_seed), bench


def _run(
    split: Any, bench: Any, plan: Any, out: Path, dataset: str, progress: bool
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Path]]:
    """Run the protocol into ``out``; its configuration, summary rows and files written."""
    from archembed.predictors.protocol import run_protocol, summarise
    from archembed.predictors.report import write_report
    from archembed.viz.prediction import plot_precision_at_k, plot_predicted_vs_true

    records = run_protocol(split, bench.space, plan, out_dir=out, progress=progress)
    summary = summarise(records)
    config = {
        "benchmark": bench.name,
        "dataset": dataset,
        **split.describe(),
        "encoders": list(plan.specs),
        "fractions": list(plan.fractions),
        "seeds": list(plan.seeds),
        "params": plan.params,
        "models": plan.model_dirs,
    }
    paths = write_report(out, config, summary, records)
    paths["precision_at_k"] = out / "precision_at_k.png"
    paths["predicted_vs_true"] = out / "predicted_vs_true.png"
    plot_precision_at_k(summary, paths["precision_at_k"])
    plot_predicted_vs_true(records, split.y_test, split.targets, paths["predicted_vs_true"])
    return config, summary_rows(summary), paths
