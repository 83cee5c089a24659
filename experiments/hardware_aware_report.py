"""Tables and figures of the hardware-aware study (docs/benchmarks/hardware-aware.md).

    archembed run experiments/hardware_aware_fronts.yaml --out runs/hw_fronts --threads 2
    archembed run experiments/hardware_aware_caps.yaml --out runs/hw_caps --threads 2
    archembed run experiments/hardware_aware_predicted.yaml --out runs/hw_predicted
    ARCHEMBED_DATA=../shared/data PYTHONPATH=src python experiments/hardware_aware_report.py \
        --fronts runs/hw_fronts --caps runs/hw_caps --out docs/benchmarks/hardware-aware \
        [--predicted runs/hw_predicted] [--seeds 30]

Reads every seed's trajectory, prints Markdown tables (hypervolume ratio, IGD+ and front share
per strategy; the front found on the edge GPU scored on the other devices; best feasible
accuracy under each latency cap; the same with the latency measured or predicted) and draws
the median attainment surfaces and the cross-device bars.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from archembed.benchmarks.catalog import load_benchmark
from archembed.experiments.config import read_yaml_file
from archembed.experiments.results import load_run
from archembed.search.multiobjective import MultiObjective, parse_constraint, parse_objectives
from archembed.tables import markdown_table
from archembed.viz.pareto import (
    cross_device,
    plot_attainment,
    plot_cross_device,
    raw_points,
    true_front,
)
from archembed.viz.regret import plot_regret_curves

DEVICES = ("edgegpu", "raspi4", "edgetpu", "pixel3", "eyeriss", "fpga")
POINTS = (25, 50, 100)


def load_runs(root: Path, first: int) -> dict[str, tuple[dict, list[pd.DataFrame]]]:
    """Each run directory's config and the trajectories of its finished seeds below ``first``."""
    runs = {}
    for run in sorted(p for p in root.iterdir() if p.is_dir()):
        seeds = sorted(
            s
            for s in run.iterdir()
            if s.name.isdigit() and int(s.name) < first and (s / "trajectory.parquet").is_file()
        )
        if seeds:
            config = read_yaml_file(seeds[0] / "config.yaml", "run config")
            runs[run.name] = (config, [pd.read_parquet(s / "trajectory.parquet") for s in seeds])
    return runs


def mean_std(values: list[float]) -> str:
    return f"{np.mean(values):.4f} ± {np.std(values):.4f}"


def at(frame: pd.DataFrame, query: int, column: str) -> float:
    return float(frame[column].iloc[min(query, len(frame)) - 1])


def label_of(config: dict) -> str:
    encoder = config.get("encoder") or {}
    name = config["strategy"]["name"]
    return f"{name} ({encoder['name']})" if encoder.get("name") and name.startswith("q") else name


def fronts_section(root: Path, figures: Path, first: int) -> None:
    """HV ratio table, attainment figure and cross-device table of the two-objective runs."""
    runs = load_runs(root, first)
    print("| strategy | seeds | " + " | ".join(f"HV ratio at {q}" for q in POINTS), end="")
    print(" | SE at 100 | IGD+ at 100 | front share at 100 |")
    print("|---|---|" + "---|" * (len(POINTS) + 3))
    benchmark = load_benchmark("nb201")
    groups: dict[str, dict[str, list[np.ndarray]]] = defaultdict(dict)
    found: dict[str, list[list[str]]] = {}
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    objective = None
    for config, frames in runs.values():
        label = label_of(config)
        hv = [[at(f, q, "hv_ratio") for f in frames] for q in POINTS]
        se = np.std(hv[-1], ddof=1) / np.sqrt(len(frames)) if len(frames) > 1 else np.nan
        cells = " | ".join(mean_std(v) for v in hv)
        igd = mean_std([at(f, 100, "igd_plus") for f in frames])
        share = mean_std([at(f, 100, "front_share") for f in frames])
        print(f"| {label} | {len(frames)} | {cells} | {se:.4f} | {igd} | {share} |")
        spec = config["benchmark"]
        dataset = spec["search"].split("/")[0]
        objective = MultiObjective(benchmark, dataset, parse_objectives(spec["objectives"]))
        device = spec["objectives"][1].split(":")[0]
        key = f"{dataset}|{device}"
        groups[key][label] = [raw_points(objective, f["arch"].tolist()) for f in frames]
        found[label] = [f["arch"].tolist() for f in frames]
        curves[label] = (
            np.arange(1, 101),
            np.stack([f["hv_ratio"].to_numpy()[:100] for f in frames]),
        )
    name = "hv_ratio_queries.png"
    plot_regret_curves(
        curves, figures / name, "queries", "NB201 cifar10-valid", "hypervolume ratio"
    )
    print(f"\n![{name}](hardware-aware/{name})\n")
    for key, surfaces in groups.items():
        dataset, device = key.split("|")
        objective = MultiObjective(
            benchmark, dataset, parse_objectives(f"val_acc:max,{device}:min")
        )
        name = f"attainment_{dataset}_{device}.png"
        plot_attainment(
            surfaces,
            true_front(objective),
            figures / name,
            f"NB201 {dataset}: median attainment surface after 100 queries vs the true front",
            ("validation accuracy (%)", f"{device} (ms)"),
        )
        print(f"\n![{name}](hardware-aware/{name})\n")
        targets = {
            d: MultiObjective(benchmark, dataset, parse_objectives(f"val_acc:max,{d}_latency:min"))
            for d in DEVICES
        }
        table = cross_device(found, targets)
        print("| strategy (searched on " + device + ") | " + " | ".join(DEVICES) + " |")
        print("|---|" + "---|" * len(DEVICES))
        for label, row in table.items():
            print(f"| {label} | " + " | ".join(f"{row[d][0]:.4f}" for d in DEVICES) + " |")
        name = f"cross_device_{dataset}_{device}.png"
        plot_cross_device(
            table, figures / name, f"NB201 {dataset}: cells found for {device}, on each device"
        )
        print(f"\n![{name}](hardware-aware/{name})\n")


def caps_section(root: Path, first: int) -> None:
    """Best feasible validation accuracy, regret and infeasible queries under each cap."""
    benchmark = load_benchmark("nb201")
    columns = (
        "dataset",
        "cap",
        "table's best feasible val_acc",
        "strategy",
        "seeds",
        "best feasible val_acc found",
        "regret at 100",
        "seeds within 0.2",
        "infeasible queries",
        "test_acc of the incumbent",
    )
    print("\n".join(markdown_table(columns, [])))
    for config, frames in load_runs(root, first).values():
        spec = config["benchmark"]
        dataset = spec["search"].split("/")[0]
        cap = spec["constraints"][0]
        objective = MultiObjective(
            benchmark, dataset, parse_objectives("val_acc:max"), [parse_constraint(cap)]
        )
        regret = [at(f, 100, "regret") for f in frames]
        best = [objective.optimum - r for r in regret]
        within = sum(r <= 0.2 for r in regret)
        infeasible = mean_std([at(f, 100, "infeasible") for f in frames])
        tests = _incumbent_tests(benchmark, dataset, [f["incumbent_arch"].iloc[-1] for f in frames])
        print(
            f"| {dataset} | {cap} | {objective.optimum:.2f} | {label_of(config)} | {len(frames)} "
            f"| {mean_std(best)} | "
            f"{mean_std(regret)} | {within}/{len(frames)} | {infeasible} | {tests} |"
        )


def predicted_section(root: Path, first: int) -> None:
    """Constrained search with the capped latency measured or predicted from N cells: regret
    of the best truly feasible query, and whether the cell the strategy would return (the best
    one it was told is feasible) truly is."""
    columns = (
        "strategy",
        "latency told to the strategy",
        "seeds",
        "prediction RMSE (ms)",
        "regret at 100",
        "infeasible queries",
        "returned cell truly feasible",
        "regret of the returned cell",
    )
    print("\n".join(markdown_table(columns, [])))
    for run in sorted(p for p in root.iterdir() if p.is_dir()):
        summaries, trajectories = load_run(run)
        seeds = sorted(s for s in trajectories if s < first)
        if not seeds:
            continue
        config = read_yaml_file(run / str(seeds[0]) / "config.yaml", "run config")
        frames = [trajectories[s] for s in seeds]
        cap = parse_constraint(config["benchmark"]["constraints"][0])
        free = config["benchmark"].get("free_metrics") or []
        told = f"predicted from {free[0].split('~')[1]} cells" if free else "measured"
        column = f"predicted.{cap.metric}" if free else f"metric.{cap.metric}"
        by_seed = {int(s["seed"]): s for s in summaries}
        rmse = mean_std([by_seed[s][f"{cap.metric}_rmse"] for s in seeds]) if free else "-"
        returned = [_returned(f, cap, column) for f in frames]
        feasible = [r for r in returned if r is not None]
        print(
            f"| {label_of(config)} | {told} | {len(frames)} | {rmse} | "
            f"{mean_std([at(f, 100, 'regret') for f in frames])} | "
            f"{mean_std([at(f, 100, 'infeasible') for f in frames])} | "
            f"{len(feasible)}/{len(frames)} | {mean_std(feasible) if feasible else '-'} |"
        )


def _returned(frame: pd.DataFrame, cap: object, column: str) -> float | None:
    """Regret of the best cell the strategy was told is feasible; None if it is not truly."""
    told = frame[cap.slack(frame[column].to_numpy()) >= 0]
    if told.empty:
        return None
    best = told.loc[told["metric.val_acc"].idxmax()]
    optimum = frame["regret"].iloc[-1] + frame["incumbent_val"].iloc[-1]
    return float(optimum - best["metric.val_acc"]) if best["feasible"] else None


def _incumbent_tests(benchmark: object, dataset: str, natives: list[str]) -> str:
    """Mean ± std test accuracy of the final incumbents (the dataset's test split)."""
    where = "cifar10" if dataset == "cifar10-valid" else dataset
    graphs = [benchmark.space.from_native(a) for a in natives]
    values = benchmark.query(graphs, where, "test_acc", epoch=200)
    return mean_std(list(np.asarray(values, dtype=float)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fronts", type=Path)
    parser.add_argument("--caps", type=Path)
    parser.add_argument("--predicted", type=Path)
    parser.add_argument("--out", type=Path, help="directory for the figures (with --fronts)")
    parser.add_argument("--seeds", type=int, default=30, help="use seeds 0..N-1 (finished ones)")
    args = parser.parse_args()
    if args.fronts:
        if args.out is None:
            parser.error("--fronts draws figures: give --out")
        args.out.mkdir(parents=True, exist_ok=True)
        fronts_section(args.fronts, args.out, args.seeds)
        print()
    if args.caps:
        caps_section(args.caps, args.seeds)
        print()
    if args.predicted:
        predicted_section(args.predicted, args.seeds)


if __name__ == "__main__":
    main()
