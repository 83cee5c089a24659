"""Fit time of one leaderboard predictor at a share of the ``tagates`` protocol's training pool.

Usage: ARCHEMBED_DATA=../shared/data python bench/predictor_fit.py --predictor tagates
       [--fraction 0.1] [--threads 2] [--split-seed 21] [--seed 0]
Prints one Markdown row: training cells, threads, fit wall-clock and CPU seconds (user + sys
of this process, all threads), Kendall tau on the protocol's 7,772 NB201 test cells, load
average. The issue's target: the best predictor at 10 % on 2 CPU cores in at most 5 minutes.
Self-supervised encoders (``onehot+gp``) are fitted before the clock starts.
"""

from __future__ import annotations

import argparse
import os
import time

from archembed.benchmarks import load_benchmark
from archembed.predictors.leaderboard import fit_predictor, scores
from archembed.predictors.leaderboard_splits import split_indices, train_size
from archembed.predictors.models import build_predictor, fitted_embedder, parse_spec
from archembed.threads import apply_torch_threads, set_threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictor", default="tagates")
    parser.add_argument("--fraction", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--split-seed", type=int, default=21)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    set_threads(args.threads)
    apply_torch_threads()
    bench = load_benchmark("nb201")
    graphs, y = bench.labels("cifar10-valid", "val_acc", 200)
    size = train_size("tagates", len(graphs), args.fraction)
    rows = split_indices("tagates", len(graphs), size, args.split_seed)
    spec = parse_spec(args.predictor)
    encoder = None if spec.supervised else fitted_embedder(spec, bench.space, graphs)
    model = build_predictor(spec, bench.space, args.seed, {}, encoder)

    def take(idx: list[int]) -> list:
        return [graphs[i] for i in idx]

    start, cpu_start = time.perf_counter(), os.times()
    fit_predictor(model, take(rows.train), y[rows.train], (take(rows.valid), y[rows.valid]))
    seconds, cpu_end = time.perf_counter() - start, os.times()
    cpu = (cpu_end.user - cpu_start.user) + (cpu_end.system - cpu_start.system)
    tau = scores(y[rows.test], model.predict(take(rows.test)))["kendall_tau"]
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print("| predictor | train cells | threads | fit wall (s) | fit CPU (s) | Kendall tau | load |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print(
        f"| {args.predictor} | {size} | {args.threads} | {seconds:.1f} | {cpu:.1f} | {tau:.4f} "
        f"| {load} |"
    )


if __name__ == "__main__":
    main()
