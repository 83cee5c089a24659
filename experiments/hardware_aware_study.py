"""The hardware-aware study: every arm of experiments/hardware_aware_study.yaml, cheapest first.

    ARCHEMBED_DATA=/path/to/data PYTHONPATH=src python experiments/hardware_aware_study.py \
        --out runs/hw_study [--seeds 30] [--round 5] [--threads 1]
    ... --out runs/hw_study --table          # print the table of what has finished

Runs the arms that need no encoder (random search, NSGA-II) for every seed first, then the
Bayesian arms in rounds of ``--round`` seeds (every arm and benchmark gets seeds 0-4, then
5-9, ...), so an interrupted study leaves balanced seeds. Each seed is an ordinary run
directory of ``archembed run`` (``<out>/<run>/<seed>/``) whose summary.json also records the
seed's CPU seconds (user + sys of this one-thread process); the same command resumes.
``--table`` prints, per (dataset, device) and arm, the hypervolume ratio at 100 queries
(mean ± std, seeds) and the CPU seconds per seed. See docs/benchmarks/hardware-aware.md.
"""

from __future__ import annotations

import argparse
import resource
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from archembed.experiments.config import ExperimentConfig, parse_config, read_yaml_file
from archembed.experiments.executors import LocalExecutor
from archembed.experiments.results import find_runs, load_run
from archembed.experiments.runner import run_experiment
from archembed.experiments.tasks import SeedOutcome, SeedTask
from archembed.search.base import check_strategy
from archembed.threads import set_threads

STUDY = Path(__file__).with_name("hardware_aware_study.yaml")


def cpu_seconds() -> float:
    """User + system CPU seconds of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class TimedExecutor(LocalExecutor):
    """Seeds one after the other in this process; each summary gets its ``cpu_seconds``."""

    def __init__(self) -> None:
        super().__init__(workers=1)

    def run(self, tasks: list[SeedTask], shared: dict[str, Any]) -> Iterator[SeedOutcome]:
        for task in tasks:
            start = cpu_seconds()
            (outcome,) = super().run([task], shared)
            outcome.summary["cpu_seconds"] = cpu_seconds() - start
            yield outcome


def arms(config: ExperimentConfig, cheap: bool) -> ExperimentConfig:
    """The experiment restricted to the strategies that need no encoder (or to the others)."""
    kept = [s for s in config.strategies if check_strategy(s.name, s.params).needs_encoder != cheap]
    return config.model_copy(update={"strategies": kept})


def run_study(config: ExperimentConfig, out: Path, seeds: int, step: int) -> None:
    """Cheap arms for all ``seeds``, then the Bayesian arms in rounds of ``step`` seeds."""
    run_experiment(
        arms(config, True).model_copy(update={"seeds": seeds}), out, executor=TimedExecutor()
    )
    for upto in range(step, seeds + step, step):
        bayes = arms(config, False).model_copy(update={"seeds": min(upto, seeds)})
        run_experiment(bayes, out, executor=TimedExecutor())


def table(out: Path, query: int = 100) -> None:
    """Markdown table: HV ratio at ``query`` and CPU seconds per seed, per cell and arm."""
    cells: dict[tuple[str, str], dict[str, list[tuple[float, float]]]] = defaultdict(dict)
    for run_dir in find_runs([out]):
        summaries, trajectories = load_run(run_dir)
        ok = [s for s in summaries if s["status"] == "ok" and int(s["seed"]) in trajectories]
        if not ok:
            continue
        config = read_yaml_file(run_dir / str(ok[0]["seed"]) / "config.yaml", "run config")
        dataset = config["benchmark"]["search"].split("/")[0]
        device = config["benchmark"]["objectives"][1].split("_")[0]
        encoder = (config.get("encoder") or {}).get("name")
        arm = config["strategy"]["name"] + (f" ({encoder})" if encoder else "")
        cells[(dataset, device)][arm] = [
            (
                float(trajectories[int(s["seed"])]["hv_ratio"].iloc[query - 1]),
                float(s.get("cpu_seconds", np.nan)),
            )
            for s in ok
            if len(trajectories[int(s["seed"])]) >= query
        ]
    print(f"| dataset | device | arm | seeds | HV ratio at {query} | CPU s per seed |")
    print("|---|---|---|---|---|---|")
    for (dataset, device), rows in sorted(cells.items()):
        for arm, values in sorted(rows.items()):
            ratio, cpu = np.array(values).T
            print(
                f"| {dataset} | {device} | {arm} | {len(values)} | "
                f"{ratio.mean():.4f} ± {ratio.std():.4f} | {np.nanmean(cpu):.1f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--config", type=Path, default=STUDY)
    parser.add_argument("--seeds", type=int, default=None, help="default: the file's seeds")
    parser.add_argument("--round", type=int, default=5, help="seeds per round of Bayesian arms")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--table", action="store_true", help="only print the results table")
    args = parser.parse_args()
    if args.table:
        table(args.out)
        return
    set_threads(args.threads)
    config = parse_config(read_yaml_file(args.config, "experiment"))
    seeds = args.seeds or len(config.seed_list())
    run_study(config, args.out, seeds, max(1, args.round))


if __name__ == "__main__":
    main()
