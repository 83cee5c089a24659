"""Training time of GATES / TA-GATES on 10% of the NB201 training split (paper epochs).

Usage: ARCHEMBED_DATA=../shared/data python bench/bench_predict.py [--encoders tagates,gates]
       [--fraction 0.1] [--epochs 200] [--threads 1]
Prints one Markdown row per encoder: training architectures, epochs, fit wall-clock and CPU
seconds (CPU time is what the fit costs a core of its own; on a shared machine wall-clock is
longer), Kendall tau on the whole 7,812-cell test split, and the load average.
Target: TA-GATES <= 5 min.
"""

from __future__ import annotations

import argparse
import os
import time

from archembed.benchmarks import load_benchmark
from archembed.benchmarks.protocols import PREDICTION_PROTOCOLS
from archembed.predictors.models import parse_spec, supervised_model
from archembed.predictors.protocol import fixed_split, score, training_subset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoders", default="tagates,gates")
    parser.add_argument("--fraction", type=float, default=0.1)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    bench = load_benchmark("nb201")
    protocol = PREDICTION_PROTOCOLS["nb201"]
    split = fixed_split(
        bench, protocol.dataset, protocol.metric, (protocol.epoch,), protocol.train_share
    )
    rows = training_subset(len(split.train), args.fraction, args.seed)
    graphs = [split.train[i] for i in rows]
    print(
        "| encoder | train archs | epochs | fit wall (s) | fit CPU (s) | Kendall tau | load avg |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in args.encoders.split(","):
        params = {"epochs": args.epochs, "threads": args.threads}
        model = supervised_model(parse_spec(name), bench.space, args.seed, params)
        start, cpu_start = time.perf_counter(), time.process_time()
        model.fit(graphs, split.y_train[rows])
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        tau = score(split.y_test, model.predict(split.test), False)["kendall_tau"]
        load = "/".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"| {name} | {len(rows)} | {args.epochs} | {seconds:.1f} | {cpu:.1f} | {tau:.4f} "
            f"| {load} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
