"""Run an experiment: expand benchmarks x strategies x encoders x seeds, skip finished seeds,
execute the rest (locally or on Ray) with one progress bar, write each seed as it finishes.

Everything that can be wrong is checked before the first minute of work: strategies and
their parameters, each benchmark's dataset and metrics, the budget, every encoder (built
untrained) and the executor; only then are encoders pretrained and seeds started.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archembed.benchmarks.catalog import load_benchmark
from archembed.encoders.base import Encoder
from archembed.encoders.precomputed import (
    EmbeddingFile,
    is_embedding_file,
    precompute,
    read_embedding_file,
)
from archembed.errors import ConfigError
from archembed.experiments.config import BenchmarkSpec, EncoderSpec, ExperimentConfig, StrategySpec
from archembed.experiments.defaults import (
    default_encoder,
    for_dataset,
    with_default_predictor,
)
from archembed.experiments.encoders import fit_encoder, new_encoder
from archembed.experiments.executors import Executor, make_executor
from archembed.experiments.results import finished, write_seed
from archembed.experiments.tasks import SeedTask
from archembed.progress import ProgressBar, status
from archembed.search.base import STRATEGIES, accepts_encoder, check_strategy
from archembed.search.budget import Budget
from archembed.search.mo_loop import check_pairing
from archembed.search.multiobjective import MultiObjective, parse_constraint
from archembed.search.objectives import BenchmarkObjective, Objective


@dataclass(frozen=True)
class RunSpec:
    """One (benchmark, strategy, encoder) combination and its run directory."""

    label: str
    directory: Path
    benchmark: BenchmarkSpec
    strategy: StrategySpec
    encoder: EncoderSpec | None

    def config(self, experiment: ExperimentConfig, seed: int) -> dict[str, Any]:
        """What ``config.yaml`` records: enough to rerun this seed exactly."""
        search, test = self.benchmark.requests()
        return {
            "experiment": experiment.name,
            "run": self.label,
            "seed": seed,
            "benchmark": {
                "name": self.benchmark.name,
                "search": search.label(),
                "test": test.label() if test else None,
                "noise": self.benchmark.noise,
                **self.benchmark.goals(),
            },
            "strategy": {"name": self.strategy.name, "params": dict(self.strategy.params)},
            "encoder": None
            if self.encoder is None
            else self.encoder.model_dump(mode="json", exclude_none=True),
            "budget": {"queries": experiment.queries, "seconds": experiment.seconds},
            "batch_size": experiment.batch_size,
        }


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")


def plan_runs(config: ExperimentConfig, out: Path, single: bool = False) -> list[RunSpec]:
    """Every combination; ``single`` puts a lone combination's seeds directly under ``out``."""
    runs = []
    encoders = {e.name: e for e in config.encoders}
    for bench in config.benchmarks:
        for given in config.strategies:
            strategy = with_default_predictor(given, bench)
            cls = check_strategy(strategy.name, strategy.params)
            if bench.multi_objective:
                check_pairing(cls, len(bench.objective_specs()))
            if strategy.encoders is not None:
                chosen: list[EncoderSpec | None] = [encoders[n] for n in strategy.encoders]
            elif cls.needs_encoder:
                chosen = list(encoders.values()) or [default_encoder(strategy.name, bench)]
                if chosen == [None]:
                    raise ConfigError(
                        f"strategy {strategy.run_label!r} needs an encoder: add one to encoders"
                    )
            else:
                chosen = [None]
            for encoder in (e and for_dataset(e, bench) for e in chosen):
                if encoder is not None and not accepts_encoder(cls):
                    raise ConfigError(f"strategy {strategy.name!r} does not use an encoder")
                parts = [bench.label, strategy.run_label] + ([encoder.name] if encoder else [])
                label = _slug("-".join(parts))
                directory = out if single else out / label
                runs.append(RunSpec(label, directory, bench, strategy, encoder))
    if single and len(runs) != 1:
        raise ConfigError(f"expected one run, the configuration gives {len(runs)}")
    return runs


def build_objective(spec: BenchmarkSpec, data_dir: Path | None = None) -> Objective:
    """The objective a benchmark spec names: one metric, or several and/or constraints."""
    benchmark = load_benchmark(spec.name, data_dir)
    if spec.multi_objective:
        assert spec.dataset is not None
        constraints = [parse_constraint(c) for c in spec.constraints]
        specs = spec.objective_specs()
        return MultiObjective(benchmark, spec.dataset, specs, constraints, spec.free_metrics)
    search, test = spec.requests()
    return BenchmarkObjective(benchmark, search, test, noise=spec.noise)


def run_experiment(
    config: ExperimentConfig,
    out: Path,
    *,
    single: bool = False,
    executor: Executor | None = None,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Run every unfinished seed of every combination; return all seeds' summaries."""
    runs = plan_runs(config, out, single)
    budget = Budget(config.queries, config.seconds)
    summaries: list[dict[str, Any]] = []
    todo: list[tuple[RunSpec, int, dict[str, Any]]] = []
    for run in runs:
        for seed in config.seed_list():
            seed_config = run.config(config, seed)
            done = finished(run.directory, seed, seed_config)
            if done is not None:
                summaries.append(done)
            else:
                todo.append((run, seed, seed_config))
    if not todo:
        return summaries
    pending = list({run.label: run for run, _, _ in todo}.values())
    files = _embedding_files(pending)
    objectives = _objectives(pending, budget)
    for run in pending:
        space = objectives[run.benchmark.label].space
        STRATEGIES.get(run.strategy.name).check_for_space(run.strategy.params, space)
    encoders = _new_encoders(pending, objectives, files)
    executor = executor or make_executor(config.executor, config.workers, config.address)
    shared = _shared_inputs(pending, objectives, encoders, out / "encoders", progress)
    tasks = [
        SeedTask(
            run=run.label,
            seed=seed,
            strategy=run.strategy.name,
            params=dict(run.strategy.params),
            shared_key=_shared_key(run),
            budget=budget,
            batch_size=config.batch_size,
        )
        for run, seed, _ in todo
    ]
    where = {(run.label, seed): (run, cfg) for run, seed, cfg in todo}
    failures = 0
    outcomes = executor.run(tasks, shared)
    with ProgressBar(enabled=progress) as bar, _closing(outcomes):
        job = bar.add_task(f"{config.name}: seeds", total=len(tasks))
        for outcome in outcomes:
            run, seed_config = where[(outcome.task.run, outcome.task.seed)]
            write_seed(
                run.directory, outcome.task.seed, seed_config, outcome.summary, outcome.trajectory
            )
            summaries.append(outcome.summary)
            failures += outcome.summary["status"] != "ok"
            bar.update(job, advance=1, info=_info(outcome.summary, failures))
    return summaries


@contextlib.contextmanager
def _closing(outcomes: Iterable[Any]) -> Iterator[None]:
    """Close the executor's generator as soon as the loop ends, also on an error: its workers
    are stopped then, not whenever the generator happens to be collected (at exit, after the
    interpreter already waits for the pool's threads, a shutdown could hang)."""
    try:
        yield
    finally:
        close = getattr(outcomes, "close", None)
        if close is not None:
            close()


def _info(summary: dict[str, Any], failures: int) -> str:
    text = f"{summary['run']} seed {summary['seed']}"
    if summary["status"] != "ok":
        text += " FAILED"
    elif summary.get("regret") is not None:
        text += f" regret {summary['regret']:.3g}"
    elif summary.get("hv_ratio") is not None:
        text += f" HV ratio {summary['hv_ratio']:.3g}"
    return text + (f" ({failures} failed)" if failures else "")


def _phase(message: str, progress: bool) -> AbstractContextManager[None]:
    """A status line for a long step of the set-up (nothing when progress is off)."""
    return status(message) if progress else nullcontext()


def _shared_key(run: RunSpec) -> str:
    return f"{run.benchmark.label}|{run.encoder.name if run.encoder else ''}"


def _objectives(runs: list[RunSpec], budget: Budget) -> dict[str, Objective]:
    """One objective per benchmark (its dataset and metrics checked); the budget must fit it."""
    objectives: dict[str, Objective] = {}
    for run in runs:
        label = run.benchmark.label
        if label in objectives:
            continue
        objectives[label] = build_objective(run.benchmark)
        if budget.seconds is not None and not objectives[label].has_cost:
            raise ConfigError(
                f"{label} records no training times, so a time budget (seconds) cannot be "
                "used; set queries instead"
            )
    return objectives


def _embedding_files(runs: list[RunSpec]) -> dict[Path, EmbeddingFile]:
    """Every embedding file an encoder names, read and checked before any benchmark loads."""
    models = {run.encoder.model for run in runs if run.encoder is not None}
    return {
        path: read_embedding_file(path)
        for path in models
        if path is not None and is_embedding_file(path)
    }


def _new_encoders(
    runs: list[RunSpec],
    objectives: dict[str, Objective],
    files: dict[Path, EmbeddingFile],
) -> dict[str, Encoder]:
    """Every encoder built untrained, so a bad one fails before any other trains; an
    embedding file must cover the searched architectures."""
    encoders: dict[str, Encoder] = {}
    for run in runs:
        key = _shared_key(run)
        if run.encoder is None or key in encoders:
            continue
        space = objectives[run.benchmark.label].space
        if run.encoder.model in files:
            encoders[key] = files[run.encoder.model].encoder(space)
        else:
            encoders[key] = new_encoder(run.encoder, space.base)
    return encoders


def _shared_inputs(
    runs: list[RunSpec],
    objectives: dict[str, Objective],
    encoders: dict[str, Encoder],
    cache: Path,
    progress: bool,
) -> dict[str, tuple[Objective, Encoder | None]]:
    """Per run: its objective and its encoder, pretrained (or loaded) and precomputed."""
    shared: dict[str, tuple[Objective, Encoder | None]] = {}
    for run in runs:
        key = _shared_key(run)
        if key in shared:
            continue
        objective = objectives[run.benchmark.label]
        encoder = None
        if run.encoder is not None:
            graphs = objective.space.enumerate()
            fitted = fit_encoder(run.encoder, encoders[key], graphs, cache, progress)
            with _phase(f"embedding {len(graphs)} architectures with {run.encoder.name}", progress):
                encoder = precompute(fitted, objective.space)
        shared[key] = (objective, encoder)
    return shared
