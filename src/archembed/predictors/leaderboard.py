"""The predictor leaderboard: every predictor on the same published splits and seeds.

A :class:`LeaderboardPlan` names a benchmark target, a protocol of
:mod:`archembed.predictors.leaderboard_splits`, training sizes, split seeds, model seeds and
predictor specs (as ``archembed predict`` takes them). :func:`run_leaderboard` trains one
predictor per (spec, size, split seed, model seed), scores it on the protocol's test cells
and stores the result as a unit of a :class:`~archembed.experiments.results.ResultStore`,
so an interrupted leaderboard resumes where it stopped.

Model selection hook: a predictor whose ``fit`` accepts a ``validation`` keyword receives
``validation=(graphs, y)``, the protocol's model-selection cells (40 for ``tagates``, the 200
after the training cells for ``narformer``), e.g. to stop early or pick its best epoch.
Other predictors never see them; no predictor sees a test target.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from archembed.benchmarks.base import Benchmark
from archembed.encoders.base import ENCODERS
from archembed.experiments.results import ResultStore
from archembed.graph import ArchGraph
from archembed.predictors.arch import ArchPredictor, tabulated
from archembed.predictors.leaderboard_splits import (
    FILE_ORDER_BENCHMARKS,
    pool_size,
    share_of,
    split_indices,
)
from archembed.predictors.metrics import (
    best_rank_at_k,
    kendall_tau,
    precision_at_share,
    spearman,
)
from archembed.predictors.models import (
    RUNTIME_PARAMS,
    PredictorSpec,
    build_predictor,
    fitted_embedder,
    parse_spec,
    supervised_model,
)
from archembed.progress import ProgressBar
from archembed.tables import format_mean_std, markdown_table, mean_std

DEFAULT_PREDICTORS = ("tagates", "gates", "mlp", "onehot+gp", "onehot+lightgbm")
BASELINE_HEADS = ("onehot+gp", "onehot+lightgbm")
"""``--predictors all``: every supervised encoder registered, then these two baselines."""
METRICS = ("kendall_tau", "spearman", "p@1%", "p@5%", "n@10", "fit_seconds", "fit_cpu_seconds")
TOP_SHARES = {"p@1%": 0.01, "p@5%": 0.05}
N_AT = 10


@dataclass
class LeaderboardPlan:
    """One leaderboard: target, protocol, training sizes, split and model seeds, predictors."""

    benchmark: str
    dataset: str
    metric: str
    epoch: int
    protocol: str
    sizes: Sequence[int]
    split_seeds: Sequence[int]
    seeds: Sequence[int]
    specs: Sequence[str]
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    model_dirs: dict[str, str] = field(default_factory=dict)

    def settings(self, n_cells: int) -> dict[str, Any]:
        """What every stored run depends on besides its own unit: the target and protocol."""
        keys = ("benchmark", "dataset", "metric", "epoch", "protocol")
        return {**{k: getattr(self, k) for k in keys}, "n_cells": n_cells}


def all_predictors(space_name: str) -> list[str]:
    """The specs ``--predictors all`` stands for on the space named ``space_name``."""
    from archembed import encoders  # noqa: F401  (registers the built-in encoders)

    supervised = [
        name
        for name in ENCODERS.names()
        if ENCODERS.get(name).supervised and ENCODERS.get(name).applies_to(space_name)
    ]
    return supervised + list(BASELINE_HEADS)


def scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """The leaderboard's test metrics of one run (ranking only: scores need no units)."""
    out = {"kendall_tau": kendall_tau(y_true, y_pred), "spearman": spearman(y_true, y_pred)}
    out.update({name: precision_at_share(y_true, y_pred, s) for name, s in TOP_SHARES.items()})
    out["n@10"] = float(best_rank_at_k(y_true, y_pred, N_AT))
    return out


def fit_predictor(
    model: ArchPredictor,
    graphs: Sequence[ArchGraph],
    y: np.ndarray,
    validation: tuple[Sequence[ArchGraph], np.ndarray],
) -> ArchPredictor:
    """Fit ``model``; the model-selection cells go only to a ``fit`` that takes ``validation``."""
    if "validation" in inspect.signature(model.fit).parameters:
        return model.fit(graphs, y, validation=validation)  # type: ignore[call-arg]
    return model.fit(graphs, y)


def _model_config(spec: PredictorSpec, space: Any, plan: LeaderboardPlan) -> Any:
    """The parameters a run of ``spec`` trains under (defaults included, seed and threads
    left out), so a change of defaults, ``--param`` or ``--model`` never reuses a result."""
    if spec.supervised:
        config = supervised_model(spec, space, 0, plan.params.get(spec.encoder)).config()
        return {k: v for k, v in config.items() if k not in (*RUNTIME_PARAMS, "seed")}
    return {
        "encoder": plan.params.get(spec.encoder, {}),
        "head": plan.params.get(str(spec.head), {}),
        "model_dir": plan.model_dirs.get(spec.encoder),
    }


def unit_name(spec: PredictorSpec, size: int, split_seed: int, seed: int, config: Any) -> str:
    """The result unit of one run: readable fields, then a digest of the model config."""
    text = json.dumps(config, sort_keys=True, default=str).encode()
    digest = hashlib.md5(text).hexdigest()[:10]
    slug = "".join(c if c.isalnum() or c in "+-." else "_" for c in spec.text)
    return f"{slug}-n{size}-split{split_seed}-seed{seed}-{digest}"


@dataclass(frozen=True)
class Job:
    """One run: a predictor spec, a training size, a split seed and a model seed."""

    spec: PredictorSpec
    size: int
    split_seed: int
    seed: int
    unit: str


def plan_jobs(plan: LeaderboardPlan, space: Any) -> list[Job]:
    """Every run of ``plan`` with its unit name (each model constructed once, so a bad
    ``--param`` fails here, before any training)."""
    jobs = []
    for spec in (parse_spec(s) for s in plan.specs):
        config = _model_config(spec, space, plan)
        for size in plan.sizes:
            for split_seed in plan.split_seeds:
                for seed in plan.seeds:
                    unit = unit_name(spec, size, split_seed, seed, config)
                    jobs.append(Job(spec, size, split_seed, seed, unit))
    return jobs


def open_store(directory: str | Path, plan: LeaderboardPlan, n_cells: int) -> ResultStore:
    """The runs store ``directory``; refused when it holds results of another target."""
    return ResultStore(directory, "leaderboard-runs", plan.settings(n_cells))


def run_leaderboard(
    bench: Benchmark,
    plan: LeaderboardPlan,
    store: ResultStore,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Run (or read back) every job of ``plan``; one result dict per run."""
    graphs, y = bench.labels(plan.dataset, plan.metric, plan.epoch)
    jobs = plan_jobs(plan, bench.space)
    missing = [job.spec for job in jobs if store.get(job.unit) is None]
    tables = _embedding_tables(bench, plan, missing, graphs, progress)
    file_order = plan.benchmark in FILE_ORDER_BENCHMARKS
    results = []
    with ProgressBar(enabled=progress) as bar:
        task = bar.add_task("leaderboard", total=len(jobs))
        for job in jobs:
            bar.update(task, info=f"{job.spec.text} n={job.size} split {job.split_seed}")
            work = _runner(bench, plan, job, graphs, y, tables, file_order)
            results.append(store.compute(job.unit, work))
            bar.advance(task)
    return results


def _embedding_tables(
    bench: Benchmark,
    plan: LeaderboardPlan,
    specs: Sequence[PredictorSpec],
    graphs: list[ArchGraph],
    progress: bool,
) -> dict[str, Any]:
    """Each self-supervised encoder of ``specs`` fitted once without labels on all cells (or
    loaded from ``--model``), with its embeddings of every cell computed once."""
    tables = {}
    for spec in {s.encoder: s for s in specs if not s.supervised}.values():
        encoder = fitted_embedder(
            spec,
            bench.space,
            graphs,
            model_dir=plan.model_dirs.get(spec.encoder),
            params=plan.params.get(spec.encoder),
            progress=progress,
        )
        tables[spec.encoder] = tabulated(encoder, graphs)
    return tables


def _take(graphs: list[ArchGraph], rows: np.ndarray) -> list[ArchGraph]:
    return [graphs[i] for i in rows]


def _runner(
    bench: Benchmark,
    plan: LeaderboardPlan,
    job: Job,
    graphs: list[ArchGraph],
    y: np.ndarray,
    tables: dict[str, Any],
    file_order: bool,
) -> Callable[[], dict[str, Any]]:
    """The work of one job, for :meth:`ResultStore.compute`."""

    def work() -> dict[str, Any]:
        rows = split_indices(plan.protocol, len(graphs), job.size, job.split_seed, file_order)
        model = build_predictor(
            job.spec, bench.space, job.seed, plan.params, tables.get(job.spec.encoder)
        )
        start, cpu = time.perf_counter(), time.process_time()
        fit_predictor(
            model,
            _take(graphs, rows.train),
            y[rows.train],
            (_take(graphs, rows.valid), y[rows.valid]),
        )
        fitted, cpu = time.perf_counter() - start, time.process_time() - cpu
        predictions = np.asarray(model.predict(_take(graphs, rows.test))).reshape(len(rows.test))
        return {
            "predictor": job.spec.text,
            "n_train": job.size,
            "share": share_of(plan.protocol, len(graphs), job.size),
            "split_seed": job.split_seed,
            "seed": job.seed,
            "n_valid": len(rows.valid),
            "n_test": len(rows.test),
            **scores(y[rows.test], predictions),
            "fit_seconds": fitted,
            "fit_cpu_seconds": cpu,
            "predict_seconds": time.perf_counter() - start - fitted,
        }

    return work


def summarise(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (predictor, training size): each metric as ``{mean, std, n}`` over runs
    (sample std), in the order the runs came."""
    groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for result in results:
        groups.setdefault((result["predictor"], result["n_train"]), []).append(result)
    rows = []
    for (predictor, n_train), runs in groups.items():
        row: dict[str, Any] = {
            "predictor": predictor,
            "n_train": n_train,
            "share": runs[0]["share"],
            "runs": len(runs),
        }
        row.update({m: mean_std((r.get(m) for r in runs), ddof=1) for m in METRICS})
        rows.append(row)
    return rows


def plan_record(plan: LeaderboardPlan) -> dict[str, Any]:
    """The plan as plain JSON values, for the report."""
    return json.loads(json.dumps(asdict(plan), default=list))


HEADER = (
    "predictor",
    "train cells",
    "share",
    "runs",
    "Kendall tau",
    "Spearman",
    "P@1%",
    "P@5%",
    "N@10",
    "fit s",
    "fit CPU s",
)


def cell(stats: dict[str, Any], decimals: int) -> str:
    """``mean ± std`` over several runs, the value of a single run, ``-`` for none."""
    if stats["n"] == 1:
        return f"{stats['mean']:.{decimals}f}"
    return format_mean_std(stats, decimals)


def markdown(plan: LeaderboardPlan, rows: Sequence[dict[str, Any]], n_cells: int) -> str:
    """leaderboard.md: what was run, then mean ± std over runs of every metric."""
    pool = pool_size(plan.protocol, n_cells)
    share = "of the training pool" if plan.protocol == "tagates" else "of all cells"
    lines = [
        f"# Predictor leaderboard: {plan.benchmark} {plan.dataset} {plan.metric}@{plan.epoch}",
        "",
        f"Protocol `{plan.protocol}` on {n_cells} labelled cells (training pool {pool}; "
        f"share = training cells {share}); "
        f"split seeds {', '.join(map(str, plan.split_seeds))}; model seeds "
        f"{', '.join(map(str, plan.seeds))}. Mean ± sample std over runs; P@K = share of the "
        "true top K among the predicted top K test cells (K = int(share x test cells)); "
        "N@10 = best true rank among the 10 predicted best; fit s = wall seconds of `fit`, fit "
        "CPU s = CPU seconds of the process while it fits (all threads; - where not recorded).",
        "",
    ]
    table = [
        [
            row["predictor"],
            row["n_train"],
            f"{row['share']:.1%}",
            row["runs"],
            *(cell(row[m], 3) for m in METRICS[:4]),
            cell(row["n@10"], 1),
            cell(row["fit_seconds"], 2),
            cell(row["fit_cpu_seconds"], 2),
        ]
        for row in rows
    ]
    lines += markdown_table(HEADER, table, "lrrrrrrrrrr")
    return "\n".join(lines) + "\n"
