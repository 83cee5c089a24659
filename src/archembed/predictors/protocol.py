"""The ranking protocol of GATES / TA-GATES: fixed split, train fractions, whole-test metrics.

A benchmark is split once (seeded) into train and test architectures; for every predictor,
train fraction and seed a subset of the training split is drawn, the predictor is trained on
it and scored on the whole test split (Kendall tau first, Spearman, Pearson, MSE where the
predictor outputs target units, precision at the top K%). With several target epochs
(anytime prediction) every run is scored at each of them. Each run's result is a unit of a
:class:`~archembed.experiments.results.ResultStore` in ``out_dir/runs/``, written as it
finishes, so an interrupted protocol resumes where it stopped; the store's settings are the
split, so results of another split are never mixed in.
Every run builds its predictor with :func:`~archembed.predictors.models.build_predictor` and
then uses only the :class:`~archembed.predictors.ArchPredictor` protocol.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archembed.benchmarks.base import Benchmark
from archembed.checks import check_float, check_seed
from archembed.encoders.precomputed import PrecomputedEncoder
from archembed.errors import (
    ConfigError,
    CorruptFileError,
    DataNotFoundError,
    InvalidArchitectureError,
)
from archembed.experiments.results import ResultStore
from archembed.graph import ArchGraph
from archembed.predictors.arch import tabulated
from archembed.predictors.metrics import regression_report
from archembed.predictors.models import (
    RUNTIME_PARAMS,
    PredictorSpec,
    build_predictor,
    fitted_embedder,
    parse_spec,
    supervised_model,
)
from archembed.progress import ProgressBar

TOP_FRACTIONS = (0.01, 0.05, 0.1)
"""P@K is reported for K = these shares of the test split (the true top 1%, 5%, 10%)."""

MIN_TRAIN = 8
"""Fewest training architectures of a run: the smallest set of the papers' protocols (0.1% of
the NB201 split). A fraction that trains fewer is an error, not a run on 2 or 3 cells."""


@dataclass
class Split:
    """Train and test architectures with targets ``(n,)``, or ``(n, k)`` for k epochs."""

    name: str
    train: list[ArchGraph]
    y_train: np.ndarray
    test: list[ArchGraph]
    y_test: np.ndarray
    targets: tuple[str, ...]

    def describe(self) -> dict[str, Any]:
        return {
            "split": self.name,
            "n_train": len(self.train),
            "n_test": len(self.test),
            "targets": list(self.targets),
        }


def target_names(metric: str, epochs: Sequence[int]) -> tuple[str, ...]:
    return tuple(f"{metric}@{e}" for e in epochs)


def query_targets(
    bench: Benchmark, graphs: Sequence[ArchGraph], dataset: str, metric: str, epochs: Sequence[int]
) -> np.ndarray:
    """``(n,)`` values for one epoch, ``(n, k)`` for several (anytime prediction)."""
    columns = [bench.query(graphs, dataset, metric, epoch) for epoch in epochs]
    return columns[0] if len(columns) == 1 else np.stack(columns, axis=1)


def fixed_split(
    bench: Benchmark,
    dataset: str,
    metric: str,
    epochs: Sequence[int],
    train_share: float,
    seed: int = 0,
) -> Split:
    """Random ``train_share`` / rest split of every architecture labelled at all ``epochs``.

    NB201 at 0.5 gives 7,813 training and 7,812 test cells.
    """
    check_float("--train-share", train_share, 0.0, 1.0, low_open=True, high_open=True)
    graphs, _ = bench.labels(dataset, metric, epochs[-1])
    for epoch in epochs[:-1]:
        keep = bench.has(graphs, dataset, metric, epoch)
        graphs = [g for g, k in zip(graphs, keep) if k]
    order = np.random.default_rng(seed).permutation(len(graphs))
    n_train = int(np.ceil(train_share * len(graphs)))
    train = [graphs[i] for i in order[:n_train]]
    test = [graphs[i] for i in order[n_train:]]
    return Split(
        f"{bench.name}/{dataset} random {train_share:g} split (seed {seed})",
        train,
        query_targets(bench, train, dataset, metric, epochs),
        test,
        query_targets(bench, test, dataset, metric, epochs),
        target_names(metric, epochs),
    )


def file_split(
    bench: Benchmark,
    train_file: str | Path,
    test_file: str | Path,
    dataset: str,
    metric: str,
    epochs: Sequence[int],
) -> Split:
    """Split read from two CSV files whose ``net`` column holds NASLib NB201 tuples.

    Targets come from the benchmark (metric and epochs as asked), not from the files.
    """
    if not hasattr(bench.space, "from_naslib"):
        raise ConfigError(f"split files need NASLib tuples; space {bench.space.name} has none")
    train, test = (_split_file(bench.space, Path(p)) for p in (train_file, test_file))
    return Split(
        f"{bench.name}/{dataset} split files {Path(train_file).name}, {Path(test_file).name}",
        train,
        query_targets(bench, train, dataset, metric, epochs),
        test,
        query_targets(bench, test, dataset, metric, epochs),
        target_names(metric, epochs),
    )


def _split_file(space: Any, path: Path) -> list[ArchGraph]:
    """The architectures of one split file (a CSV whose ``net`` column holds NASLib tuples)."""
    if not path.is_file():
        raise DataNotFoundError(f"split file {path} does not exist or is not a file")
    try:
        frame = pd.read_csv(path)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        reason = "empty" if isinstance(exc, pd.errors.EmptyDataError) else "not a CSV text table"
        raise CorruptFileError(f"split file {path} is {reason}") from None
    if "net" not in frame.columns:
        raise CorruptFileError(f"split file {path} has no 'net' column of NASLib tuples")
    if frame.empty:
        raise CorruptFileError(f"split file {path} lists no architectures")
    graphs = []
    for row, text in enumerate(frame["net"]):
        try:
            graphs.append(space.from_naslib(str(text)))
        except InvalidArchitectureError as exc:
            raise CorruptFileError(f"split file {path}, line {row + 2}: {exc}") from None
    return graphs


def train_size(n_train: int, fraction: float) -> int:
    """Architectures trained at ``fraction`` of ``n_train``: ``round(fraction * n_train)``,
    at least :data:`MIN_TRAIN`; a fraction outside (0, 1] or training fewer is an error."""
    check_float("--fractions", fraction, 0.0, 1.0, low_open=True)
    size = round(fraction * n_train)
    if size < MIN_TRAIN:
        raise ConfigError(
            f"--fractions {fraction:g} trains {size} of {n_train} training architectures; at "
            f"least {MIN_TRAIN} are needed (use a fraction >= {MIN_TRAIN / n_train:.3g})"
        )
    return size


def training_subset(n_train: int, fraction: float, seed: int) -> np.ndarray:
    """Indices of :func:`train_size` random training architectures."""
    size = train_size(n_train, fraction)
    return np.sort(np.random.default_rng(seed).permutation(n_train)[:size])


def score(y_true: np.ndarray, y_pred: np.ndarray, predicts_values: bool) -> dict[str, float]:
    """Ranking metrics on one target column; MSE/RMSE only for value predictions."""
    ks = {f"p@{share:.0%}": max(1, round(share * len(y_true))) for share in TOP_FRACTIONS}
    report = regression_report(y_true, y_pred, tuple(sorted(set(ks.values()))))
    out = {m: report[m] for m in ("kendall_tau", "spearman", "pearson")}
    out["mse"] = report["mse"] if predicts_values else float("nan")
    out.update({name: report[f"p@{k}"] for name, k in ks.items()})
    return out


def _run_key(spec: str, fraction: float, seed: int, config: dict[str, Any]) -> str:
    digest = hashlib.md5(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()
    name = re.sub(r"[^A-Za-z0-9_.+-]", "_", spec).lstrip("_.+-") or "spec"
    return f"{name}-f{fraction:g}-s{seed}-{digest[:10]}"


@dataclass
class ProtocolRun:
    """What to run: specs, fractions, seeds, per-encoder parameters and pretrained models."""

    specs: Sequence[str]
    fractions: Sequence[float]
    seeds: Sequence[int]
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    model_dirs: dict[str, str] = field(default_factory=dict)
    keep_predictions: bool = True


def _distinct(option: str, values: Sequence[Any]) -> None:
    if not values:
        raise ConfigError(f"{option} is empty; give at least one value")
    repeated = sorted({str(v) for v in values if list(values).count(v) > 1})
    if repeated:
        raise ConfigError(f"{option} lists {', '.join(repeated)} more than once")


def check_plan(plan: ProtocolRun, n_train: int | None = None) -> None:
    """Validate a plan before work: distinct predictors, fractions in (0, 1] and seeds, and
    with a split of ``n_train`` training architectures every fraction training >= MIN_TRAIN."""
    _distinct("--encoders", [parse_spec(s).text for s in plan.specs])
    _distinct("--fractions", list(plan.fractions))
    _distinct("--seeds", list(plan.seeds))
    for fraction in plan.fractions:
        check_float("--fractions", fraction, 0.0, 1.0, low_open=True)
        if n_train is not None:
            train_size(n_train, fraction)
    for seed in plan.seeds:
        check_seed("--seeds", seed)


Job = tuple[PredictorSpec, float, int]


def run_protocol(
    split: Split,
    space: Any,
    plan: ProtocolRun,
    out_dir: str | Path | None = None,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Train and score every (spec, fraction, seed); returns one record per run and target.

    Self-supervised encoders still needed are fitted first (with their own progress), then
    the runs go one by one under a progress bar. Records of the first seed keep the test
    predictions (``predictions``) for plots.
    """
    check_plan(plan, len(split.train))
    specs = [parse_spec(s) for s in plan.specs]
    store = open_runs(Path(out_dir) / RUNS, split) if out_dir is not None else None
    jobs = [(spec, f, seed) for spec in specs for f in plan.fractions for seed in plan.seeds]
    units = [_unit(split, space, plan, job) for job in jobs]
    done = set(store.finished(units)) if store is not None else set()
    needed = [job[0] for job, unit in zip(jobs, units) if unit not in done]
    tables = {
        spec.encoder: _embedding_table(split, space, spec, plan, progress)
        for spec in {s.encoder: s for s in needed if not s.supervised}.values()
    }
    records: list[dict[str, Any]] = []
    with ProgressBar(enabled=progress) as bar:
        task = bar.add_task("predictors", total=len(jobs))
        for job, unit in zip(jobs, units):
            spec, fraction, seed = job
            bar.update(task, info=f"{spec.text} {fraction:g} seed {seed}")
            work = _runner(split, space, plan, job, tables)
            run = store.compute(unit, work) if store is not None else work()
            records.extend(_records(run, split.targets))
            bar.advance(task)
    return records


RUNS = "runs"
"""The protocol's results store inside ``out_dir``."""


def open_runs(directory: Path, split: Split) -> ResultStore:
    """The runs store of ``split``; refused when it holds results of another split.

    A store written before runs were a :class:`ResultStore` (only run files) is adopted.
    """
    legacy = tuple(p.name for p in directory.glob("*.json")) if directory.is_dir() else ()
    return ResultStore(directory, "predict-runs", split.describe(), legacy=legacy)


def _unit(split: Split, space: Any, plan: ProtocolRun, job: Job) -> str:
    """The unit name of ``job``: predictor, fraction, seed and a digest of its settings."""
    spec, fraction, seed = job
    return _run_key(spec.text, fraction, seed, _run_config(split, space, spec, seed, plan))


def _runner(
    split: Split, space: Any, plan: ProtocolRun, job: Job, tables: dict[str, PrecomputedEncoder]
) -> Any:
    """The work of one job; predictions kept for the first seed only (and when asked)."""
    spec, fraction, seed = job

    def work() -> dict[str, Any]:
        run = _one_run(split, space, spec, fraction, seed, plan, tables)
        if seed != plan.seeds[0] or not plan.keep_predictions:
            run.pop("predictions")
        return run

    return work


def _embedding_table(
    split: Split, space: Any, spec: PredictorSpec, plan: ProtocolRun, progress: bool
) -> PrecomputedEncoder:
    """A self-supervised encoder fitted on the whole split, its embeddings of the split
    computed once for every run."""
    encoder = fitted_embedder(
        spec,
        space,
        split.train + split.test,
        model_dir=plan.model_dirs.get(spec.encoder),
        params=plan.params.get(spec.encoder),
        progress=progress,
    )
    return tabulated(encoder, split.train, split.test)


def _run_config(
    split: Split, space: Any, spec: PredictorSpec, seed: int, plan: ProtocolRun
) -> dict[str, Any]:
    """Everything a stored run depends on (defaults included, run-time settings such as the
    thread count left out), to key resumable results."""
    if spec.supervised:
        config = supervised_model(spec, space, seed, plan.params.get(spec.encoder)).config()
        model = {k: v for k, v in config.items() if k not in RUNTIME_PARAMS}
    else:
        model = {
            "encoder": plan.params.get(spec.encoder, {}),
            "head": plan.params.get(spec.head or "", {}),
            "model_dir": plan.model_dirs.get(spec.encoder),
        }
    return {"split": split.describe(), "model": model}


def _one_run(
    split: Split,
    space: Any,
    spec: PredictorSpec,
    fraction: float,
    seed: int,
    plan: ProtocolRun,
    tables: dict[str, PrecomputedEncoder],
) -> dict[str, Any]:
    rows = training_subset(len(split.train), fraction, seed)
    start = time.perf_counter()
    model = build_predictor(spec, space, seed, plan.params, tables.get(spec.encoder))
    model.fit([split.train[i] for i in rows], split.y_train[rows])
    predictions = np.asarray(model.predict(split.test))
    seconds = time.perf_counter() - start
    columns = predictions.reshape(len(predictions), -1)
    truth = split.y_test.reshape(len(split.y_test), -1)
    return {
        "encoder": spec.text,
        "fraction": fraction,
        "n_train": len(rows),
        "seed": seed,
        "seconds": seconds,
        "metrics": [
            score(truth[:, i], columns[:, i], model.predicts_values) for i in range(truth.shape[1])
        ],
        "predictions": columns.T.tolist(),
    }


def _records(run: dict[str, Any], targets: Sequence[str]) -> list[dict[str, Any]]:
    base = {k: run[k] for k in ("encoder", "fraction", "n_train", "seed", "seconds")}
    out = []
    for i, metrics in enumerate(run["metrics"]):
        record = {**base, "target": targets[i], **metrics}
        if "predictions" in run:
            record["predictions"] = run["predictions"][i]
        out.append(record)
    return out


METRIC_ORDER = ("kendall_tau", "spearman", "pearson", "mse")


def summarise(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Mean and std over seeds of every metric, per (encoder, target, fraction)."""
    frame = pd.DataFrame([{k: v for k, v in r.items() if k != "predictions"} for r in records])
    metrics = [c for c in frame.columns if c in METRIC_ORDER or c.startswith("p@")]
    grouped = frame.groupby(["encoder", "target", "fraction"], sort=False)
    summary = grouped[metrics].agg(["mean", "std"])
    summary.columns = [f"{m}_{stat}" for m, stat in summary.columns]
    summary["n_train"] = grouped["n_train"].first()
    summary["seeds"] = grouped["seed"].nunique()
    summary["seconds_mean"] = grouped["seconds"].mean()
    return summary.reset_index()
