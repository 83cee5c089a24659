"""``archembed predict``: which encoder ranks architectures best with N labelled samples."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from archembed.benchmarks.catalog import load_benchmark
from archembed.cli.common import DataDirOption, JsonOption, app, apply_data_dir, console, emit
from archembed.errors import ConfigError


def _split_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _floats(text: str, option: str) -> list[float]:
    try:
        return [float(v) for v in _split_list(text)]
    except ValueError:
        raise ConfigError(f"{option} takes comma-separated numbers, got {text!r}") from None


def parse_seeds(text: str) -> list[int]:
    """``"9"`` -> seeds 0..8; ``"3,4"`` -> seeds 3 and 4."""
    try:
        values = [int(v) for v in _split_list(text)]
    except ValueError:
        raise ConfigError(f"--seeds takes a count or a list of seeds, got {text!r}") from None
    if not values or min(values) < 0:
        raise ConfigError(f"--seeds takes a count or a list of seeds, got {text!r}")
    if "," not in text:
        return list(range(values[0]))
    return values


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
        out.setdefault(name, {})[key] = value
    return out


def parse_models(items: list[str]) -> dict[str, str]:
    """``ENCODER=DIR`` -> ``{ENCODER: DIR}`` (pretrained self-supervised encoders)."""
    out = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise ConfigError(f"--model takes ENCODER=DIR (e.g. arch2vec=runs/a2v), got {item!r}")
        out[name] = path
    return out


@app.command("predict")
def predict_command(
    benchmark: Annotated[str, typer.Option("--benchmark", help="Benchmark, e.g. nb201, nb101.")],
    out: Annotated[Path, typer.Option("--out", help="Output directory (resumable).")],
    encoders: Annotated[
        str,
        typer.Option(
            "--encoders", help="Comma-separated predictors: gates, tagates, mlp, arch2vec+gp ..."
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
        str | None, typer.Option("--fractions", help="Train fractions, e.g. 0.01,0.05,0.1.")
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
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="NAME.KEY=VALUE for an encoder or head, repeatable."),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option("--model", help="ENCODER=DIR: a pretrained self-supervised encoder."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Train predictors on fractions of a fixed split and rank the whole test split."""
    from archembed.predictors.models import parse_spec
    from archembed.predictors.protocol import (
        PROTOCOLS,
        ProtocolRun,
        file_split,
        fixed_split,
        run_protocol,
        summarise,
    )
    from archembed.predictors.report import write_report
    from archembed.viz.prediction import plot_precision_at_k, plot_predicted_vs_true

    apply_data_dir(data_dir)
    specs = _split_list(encoders)
    if not specs:
        raise ConfigError("--encoders is empty; name at least one predictor, e.g. gates")
    for spec in specs:
        parse_spec(spec)
    params = parse_params(param or [])
    model_dirs = parse_models(model or [])
    defaults = PROTOCOLS.get(benchmark)
    if defaults is None and None in (dataset, metric, train_share, fractions):
        raise ConfigError(
            f"no default protocol for {benchmark!r}: give --dataset, --metric, --epoch, "
            "--train-share and --fractions"
        )
    bench = load_benchmark(benchmark)
    dataset = dataset or defaults.dataset
    metric = metric or defaults.metric
    if anytime:
        if defaults is None:
            raise ConfigError(f"--anytime has no default epochs for {benchmark!r}")
        epochs: tuple[int, ...] = defaults.anytime_epochs
    elif epoch is not None:
        epochs = (epoch,)
    elif defaults is not None and metric == defaults.metric:
        epochs = (defaults.epoch,)
    else:
        epochs = (bench.resolve(dataset, metric)[2],)
    if split_files:
        files = _split_list(split_files)
        if len(files) != 2:
            raise ConfigError("--split-files takes TRAIN.csv,TEST.csv")
        split = file_split(bench, files[0], files[1], dataset, metric, epochs)
    else:
        share = train_share if train_share is not None else defaults.train_share
        split = fixed_split(bench, dataset, metric, epochs, share, split_seed)
    plan = ProtocolRun(
        specs=specs,
        fractions=_floats(fractions, "--fractions") if fractions else list(defaults.fractions),
        seeds=parse_seeds(seeds),
        params=params,
        model_dirs=model_dirs,
    )
    records = run_protocol(split, bench.space, plan, out_dir=out, progress=not quiet)
    summary = summarise(records)
    config = {
        "benchmark": benchmark,
        "dataset": dataset,
        **split.describe(),
        "encoders": specs,
        "fractions": plan.fractions,
        "seeds": plan.seeds,
        "params": plan.params,
        "models": plan.model_dirs,
    }
    paths = write_report(out, config, summary, records)
    plot_precision_at_k(summary, out / "precision_at_k.png")
    plot_predicted_vs_true(records, split.y_test, split.targets, out / "predicted_vs_true.png")
    rows = [
        {
            key: None if isinstance(value, float) and math.isnan(value) else value
            for key, value in {
                "predictor": r["encoder"],
                "target": r["target"],
                "fraction": r["fraction"],
                "n_train": r["n_train"],
                "kendall_tau": r["kendall_tau_mean"],
                "std": r["kendall_tau_std"],
                "spearman": r["spearman_mean"],
                "p@5%": r["p@5%_mean"],
            }.items()
        }
        for r in summary.to_dict(orient="records")
    ]
    if as_json:
        emit({"results": rows, "files": {k: str(v) for k, v in paths.items()}}, True)
        return
    emit(rows, False, title=f"{split.name}: Kendall tau on {len(split.test)} test archs")
    console.print(f"wrote {paths['markdown']}, {paths['json']} and plots in {out}")
