"""The hardware-aware study: every arm of experiments/hardware_aware_study.yaml, cheapest first.

    ARCHEMBED_DATA=/path/to/data PYTHONPATH=src python experiments/hardware_aware_study.py \
        --out runs/hw_study [--seeds 30] [--round 5] [--threads 1] [--shard 0/2]
    ... --out runs/hw_study --table          # print the tables of what has finished
    ... --out runs/hw_study --figures DIR    # one PNG per device

Runs the arms that need no encoder (random search, NSGA-II) for every seed first, then the
Bayesian arms in rounds of ``--round`` seeds (every arm and benchmark gets seeds 0-4, then
5-9, ...), so an interrupted study leaves balanced seeds. Each seed is an ordinary run
directory of ``archembed run`` (``<out>/<run>/<seed>/``) whose summary.json also records the
seed's CPU seconds (user + sys of this one-thread process); the same command resumes.
``--shard I/N`` keeps every N-th (dataset, device) pair from the I-th, so N processes (one per
core) can share one output directory.
``--table`` prints, per (dataset, device) and arm, the hypervolume ratio at 50 and 100 queries
(mean ± std, seeds), IGD+ and the CPU seconds per seed, then each Bayesian arm against
NSGA-II; ``--figures DIR`` writes one PNG per device (HV ratio against queries and median
attainment surfaces, one column per dataset). See docs/benchmarks/hardware-aware.md.
"""

from __future__ import annotations

import argparse
import resource
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archembed.benchmarks.catalog import load_benchmark
from archembed.experiments.config import ExperimentConfig, parse_config, read_yaml_file
from archembed.experiments.executors import LocalExecutor
from archembed.experiments.results import find_runs, load_run
from archembed.experiments.runner import run_experiment
from archembed.experiments.tasks import SeedOutcome, SeedTask
from archembed.search.base import check_strategy
from archembed.search.multiobjective import MultiObjective, parse_objectives
from archembed.threads import set_threads
from archembed.viz.pareto import plot_study_device, raw_points, true_front

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


def shard(config: ExperimentConfig, spec: str) -> ExperimentConfig:
    """The experiment restricted to the benchmarks of shard ``I/N`` (every N-th from the I-th)."""
    index, count = (int(part) for part in spec.split("/"))
    if not 0 <= index < count:
        raise SystemExit(f"error: --shard {spec}: want I/N with 0 <= I < N")
    return config.model_copy(update={"benchmarks": config.benchmarks[index::count]})


def run_study(config: ExperimentConfig, out: Path, seeds: int, step: int) -> None:
    """Cheap arms for all ``seeds``, then the Bayesian arms in rounds of ``step`` seeds."""
    run_experiment(
        arms(config, True).model_copy(update={"seeds": seeds}), out, executor=TimedExecutor()
    )
    for upto in range(step, seeds + step, step):
        bayes = arms(config, False).model_copy(update={"seeds": min(upto, seeds)})
        run_experiment(bayes, out, executor=TimedExecutor())


Cells = dict[tuple[str, str], dict[str, list[tuple[pd.DataFrame, float]]]]
ARM_ORDER = (
    "random",
    "nsga2",
    "qlognehvi (onehot)",
    "qlognehvi (arch2vec)",
    "qlognehvi (contrastive)",
    "qlognehvi (locality)",
    "qnparego (onehot)",
)
"""Arms in the order of the tables and the figures' legends (cheapest first)."""
DATASETS = ("cifar10-valid", "cifar100", "ImageNet16-120")


def collect(out: Path, query: int = 100) -> Cells:
    """Per (dataset, device) and arm: each finished seed's trajectory and CPU seconds."""
    cells: Cells = defaultdict(dict)
    for run_dir in find_runs([out]):
        summaries, trajectories = load_run(run_dir)
        ok = [s for s in summaries if s["status"] == "ok" and int(s["seed"]) in trajectories]
        ok = [s for s in ok if len(trajectories[int(s["seed"])]) >= query]
        if not ok:
            continue
        config = read_yaml_file(run_dir / str(ok[0]["seed"]) / "config.yaml", "run config")
        dataset = config["benchmark"]["search"].split("/")[0]
        device = config["benchmark"]["objectives"][1].split(":")[0].removesuffix("_latency")
        encoder = (config.get("encoder") or {}).get("name")
        arm = config["strategy"]["name"] + (f" ({encoder})" if encoder else "")
        cells[(dataset, device)][arm] = [
            (trajectories[int(s["seed"])], float(s.get("cpu_seconds", np.nan))) for s in ok
        ]
    order = sorted(cells, key=lambda key: (DATASETS.index(key[0]), key[1]))
    return {
        key: dict(sorted(cells[key].items(), key=lambda arm: ARM_ORDER.index(arm[0])))
        for key in order
    }


def at(frame: pd.DataFrame, column: str, query: int) -> float:
    """``column`` of a trajectory after ``query`` queries."""
    return float(frame[column].iloc[query - 1])


def table(cells: Cells, query: int = 100) -> None:
    """Markdown tables: HV ratio, IGD+ and CPU per cell and arm; then each BO arm - NSGA-II."""
    print(
        f"| dataset | device | arm | seeds | HV ratio at {query // 2} | HV ratio at {query} "
        f"| SE at {query} | IGD+ at {query} | CPU s per seed |"
    )
    print("|---|---|---|---:|---|---|---:|---|---:|")
    for (dataset, device), arms in cells.items():
        for arm, seeds in arms.items():
            half = [at(f, "hv_ratio", query // 2) for f, _ in seeds]
            full = [at(f, "hv_ratio", query) for f, _ in seeds]
            igd = [at(f, "igd_plus", query) for f, _ in seeds]
            se = np.std(full, ddof=1) / np.sqrt(len(full)) if len(full) > 1 else np.nan
            print(
                f"| {dataset} | {device} | {arm} | {len(seeds)} | {mean_std(half)} | "
                f"{mean_std(full)} | {se:.4f} | {mean_std(igd)} | "
                f"{np.nanmean([c for _, c in seeds]):.1f} |"
            )
    bayes = [arm for arm in ARM_ORDER if arm.startswith("q")]
    print(f"\nHV ratio at {query}: each Bayesian arm minus NSGA-II, ± the standard error of the")
    print("difference (seeds of the arm in brackets).\n")
    print("| dataset | device | NSGA-II | " + " | ".join(bayes) + " |")
    print("|---|---|---|" + "---:|" * len(bayes))
    for (dataset, device), arms in cells.items():
        full = {arm: np.array([at(f, "hv_ratio", query) for f, _ in s]) for arm, s in arms.items()}
        if "nsga2" not in full:
            continue
        base = full["nsga2"]
        row = [difference(full[arm], base) if arm in full else "-" for arm in bayes]
        print(f"| {dataset} | {device} | {mean_std(list(base))} | " + " | ".join(row) + " |")


def difference(values: np.ndarray, base: np.ndarray) -> str:
    """``values``' mean minus ``base``'s, ± the standard error of that difference (seeds)."""
    spread = [v.var(ddof=1) / len(v) if len(v) > 1 else np.nan for v in (values, base)]
    return f"{values.mean() - base.mean():+.4f} ± {np.sqrt(sum(spread)):.4f} ({len(values)})"


def mean_std(values: list[float]) -> str:
    """``mean ± std`` (population std) with four decimals."""
    return f"{np.mean(values):.4f} ± {np.std(values):.4f}"


def figures(cells: Cells, directory: Path, query: int = 100) -> None:
    """One PNG per device: HV ratio against queries and median attainment, per dataset."""
    benchmark = load_benchmark("nb201")
    directory.mkdir(parents=True, exist_ok=True)
    devices = sorted({device for _, device in cells})
    for device in devices:
        panels = {}
        for (dataset, other), arms in cells.items():
            if other != device:
                continue
            objective = MultiObjective(
                benchmark, dataset, parse_objectives(f"val_acc:max,{device}_latency:min")
            )
            curves = {
                arm: (
                    np.arange(1, query + 1),
                    np.stack([f["hv_ratio"].to_numpy()[:query] for f, _ in seeds]),
                )
                for arm, seeds in arms.items()
            }
            surfaces = {
                arm: [raw_points(objective, f["arch"].iloc[:query].tolist()) for f, _ in seeds]
                for arm, seeds in arms.items()
            }
            panels[dataset] = (curves, surfaces, true_front(objective))
        name = directory / f"study_{device}.png"
        plot_study_device(
            panels, name, f"NB201, accuracy against {device} latency", f"{device} latency (ms)"
        )
        print(f"wrote {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--config", type=Path, default=STUDY)
    parser.add_argument("--seeds", type=int, default=None, help="default: the file's seeds")
    parser.add_argument("--round", type=int, default=5, help="seeds per round of Bayesian arms")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--shard", default="0/1", help="I/N: every N-th benchmark from the I-th")
    parser.add_argument("--table", action="store_true", help="only print the results tables")
    parser.add_argument("--figures", type=Path, help="only write one PNG per device here")
    args = parser.parse_args()
    if args.table or args.figures:
        cells = collect(args.out)
        if args.table:
            table(cells)
        if args.figures:
            figures(cells, args.figures)
        return
    set_threads(args.threads)
    config = shard(parse_config(read_yaml_file(args.config, "experiment")), args.shard)
    seeds = args.seeds or len(config.seed_list())
    run_study(config, args.out, seeds, max(1, args.round))


if __name__ == "__main__":
    main()
