"""Choi et al. Table 1 protocol on NB201 CIFAR-10-valid: NAO with locality-pretrained controllers.

Usage: ARCHEMBED_DATA=../shared/data python experiments/locality_table1.py --out DIR [--configs ...]
For every configuration (each metric loss, NoMetricLoss "none", "scratch" = NAO without
pretraining, "random" = random search) it runs ``--runs`` searches of ``--budget`` queries on
the complete NB201 table (every decoded cell has a score) and records, per run, the query at
which the best cell was found, its validation and test accuracy (200 epochs, seed mean), its
regret and rank by validation accuracy. Each configuration is a unit of the results store,
DIR/<config>.json, written as soon as it finishes (a restart skips finished ones);
DIR/table1.json, DIR/table1.md and DIR/table1_regret.png summarise whatever is finished.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from archembed.benchmarks import load_benchmark
from archembed.cli.script import run_script
from archembed.experiments.locality import pretrained_controller
from archembed.experiments.results import ResultStore
from archembed.io import write_json
from archembed.nn.metric_learning import METRIC_LOSSES, NO_METRIC_LOSS
from archembed.search.nao import NAOStrategy
from archembed.tables import format_mean_std, markdown_table, mean_std
from archembed.threads import set_threads
from archembed.viz.figure import new_figure, save_figure

DATASET = "cifar10-valid"
BASELINES = (NO_METRIC_LOSS, "scratch", "random")
CONFIGS = (*METRIC_LOSSES, *BASELINES)
BASELINE_STYLES = {NO_METRIC_LOSS: "-", "scratch": ":", "random": "--"}
"""Line style of each baseline in the regret plot (black); the metric losses get colours."""
KIND = "locality-table1"
SUMMARIES = ("table1.json", "table1.md", "table1_regret.png")
COLUMNS = ("queries_to_best", "val_acc", "test_acc", "regret", "rank")


def search_run(strategy: NAOStrategy | None, bench, budget: int, seed: int) -> list[str]:
    """Identities of the cells queried, in order (random search: a random permutation)."""
    space = bench.space
    if strategy is None:
        cells = space.enumerate()
        order = np.random.default_rng(seed).permutation(len(cells))[:budget]
        return [space.identity(cells[i]) for i in order]
    queried: list[str] = []
    while len(queried) < budget:
        graphs = strategy.ask(min(strategy.top_k, budget - len(queried)))
        if not graphs:
            break
        strategy.tell(graphs, bench.query(graphs, DATASET, "val_acc", epoch=200))
        queried += [space.identity(g) for g in graphs]
    return queried


def summarise(queried: list[str], val: dict[str, float], test: dict[str, float]) -> dict:
    """Queries until the best found cell, its accuracies, regret and rank by validation."""
    values = np.array([val[q] for q in queried])
    first_best = int(np.argmax(values))
    best = queried[first_best]
    all_val = np.array(list(val.values()))
    return {
        "queries_to_best": first_best + 1,
        "val_acc": float(values[first_best]),
        "test_acc": float(test[best]),
        "regret": float(all_val.max() - values[first_best]),
        "rank": int((all_val > values[first_best]).sum()) + 1,
        "incumbent": np.maximum.accumulate(values).tolist(),
    }


def run_config(name: str, bench, val: dict, test: dict, args: argparse.Namespace) -> dict:
    """One configuration's ``--runs`` searches: the unit stored as DIR/<name>.json."""
    started = time.perf_counter()
    encoder = None
    if name not in ("scratch", "random"):
        encoder = pretrained_controller(
            "nb201", name, args.anchors, args.pretrain_epochs, args.hidden, args.seed
        )
    pretrain_s = time.perf_counter() - started
    runs = []
    for seed in range(args.runs):
        rng = np.random.default_rng([args.seed, seed])
        strategy = None
        if name != "random":
            strategy = NAOStrategy(bench.space, rng, encoder=encoder, n_init=args.n_init)
        runs.append(summarise(search_run(strategy, bench, args.budget, seed), val, test))
    return {
        "config": name,
        "pretrain_seconds": round(pretrain_s, 1),
        "seconds": round(time.perf_counter() - started, 1),
        "load_average": os.getloadavg()[0],
        "runs": runs,
    }


def report(store: ResultStore) -> None:
    """Mean ± std over runs per finished configuration: JSON, Markdown and a regret plot."""
    rows, figure = [], new_figure(7, 4.5)
    axes = figure.add_subplot()
    for name in store.finished(list(CONFIGS)):
        runs = store.get(name)["runs"]
        stats = {key: mean_std(r[key] for r in runs) for key in COLUMNS}
        rows.append({"config": name, "runs": len(runs), "stats": stats})
        curves = np.array([r["incumbent"] for r in runs])
        global_best = runs[0]["val_acc"] + runs[0]["regret"]
        regret = np.maximum(global_best - curves, 1e-3)
        style = {"color": "black", "linestyle": BASELINE_STYLES[name]} if name in BASELINES else {}
        axes.plot(np.arange(1, curves.shape[1] + 1), regret.mean(axis=0), label=name, **style)
    axes.set_yscale("log")
    axes.set_xlabel("queries")
    axes.set_ylabel("validation regret (%), mean over runs\n(0 drawn at 0.001)")
    axes.set_title(f"NAO on NB201 {DATASET}")
    axes.legend(fontsize=7)
    save_figure(figure, store.directory / "table1_regret.png")
    write_json(
        store.directory / "table1.json",
        [
            {"config": r["config"], "runs": r["runs"]}
            | {k: [s["mean"], s["std"]] for k, s in r["stats"].items()}
            for r in rows
        ],
    )
    header = ("config", "runs", "queries to best", "val acc", "test acc", "regret", "rank")
    lines = markdown_table(
        header,
        [
            [r["config"], r["runs"], *(format_mean_std(r["stats"][k]) for k in COLUMNS)]
            for r in rows
        ],
    )
    (store.directory / "table1.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def parse() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the results directory")
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--budget", type=int, default=200, help="queries per run")
    parser.add_argument("--n-init", type=int, default=20, help="random cells before NAO")
    parser.add_argument("--anchors", type=int, default=2000, help="pretraining anchors")
    parser.add_argument("--pretrain-epochs", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args()


def main() -> None:
    """Run the missing configurations, then summarise every finished one."""
    args = parse()
    set_threads(args.threads)
    settings = {k: v for k, v in vars(args).items() if k not in ("out", "configs", "threads")}
    legacy = (*(f"{name}.json" for name in CONFIGS), *SUMMARIES)
    store = ResultStore(args.out, KIND, settings, legacy=legacy)
    bench = load_benchmark("nb201")
    graphs, values = bench.labels(DATASET, "val_acc", epoch=200)
    ids = [bench.space.identity(g) for g in graphs]
    val = dict(zip(ids, values))
    test = dict(zip(ids, bench.query(graphs, DATASET, "test_acc", epoch=200)))
    for name in args.configs:
        if store.get(name) is None:
            result = store.put(name, run_config(name, bench, val, test, args))
            print(f"{name}: {result['seconds']} s (load {result['load_average']:.1f})", flush=True)
    report(store)


if __name__ == "__main__":
    run_script(main)
