"""Foundation timings: NB101 enumeration (cold/warm), benchmark loading, NB201 queries.

Usage: ARCHEMBED_DATA=../shared/data python bench/bench_foundation.py [--workers N]
Runs in a fresh temporary cache directory (so "cold" really is cold) and prints one row per
measurement with its target and the load average at the time.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable

from archembed.io import CACHE_ENV


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def row(name: str, seconds: float, target: str) -> None:
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"| {name} | {seconds:.3f} s | {target} | {load} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workers", type=int, default=None, help="hashing processes (default: cores)"
    )
    parser.add_argument(
        "--repeats", type=int, default=5, help="repeats of the short timings (best is shown)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="archembed-bench-") as cache:
        os.environ[CACHE_ENV] = cache
        from archembed.benchmarks import import_benchmark, load_benchmark
        from archembed.spaces import nb101_cells
        from archembed.spaces.nb101 import NB101Space

        print(f"cores: {len(os.sched_getaffinity(0))}, cache: fresh temporary directory")
        print("| measurement | time | target | load avg 1/5/15 min |")
        print("|---|---|---|---|")
        seconds, _ = timed(lambda: nb101_cells.load_cells(args.workers, progress=False))
        row("nb101 enumeration, cold (enumerate + hash + write cache)", seconds, "<= 120 s")
        nb101_cells._LOADED.clear()
        seconds, graphs = timed(lambda: NB101Space().enumerate())
        row(
            f"nb101 enumerate() warm: read cache + build {len(graphs)} ArchGraphs",
            seconds,
            "<= 3 s",
        )
        del graphs
        nb101_cells._LOADED.clear()
        seconds, _ = timed(nb101_cells.load_cells)
        row("nb101 arrays() warm: read cache only", seconds, "-")
        for name in ("nb201", "nb101"):
            seconds, _ = timed(lambda name=name: import_benchmark(name))
            row(f"{name} first import into the cache", seconds, "once")
            best = min(
                timed(lambda name=name: load_benchmark(name))[0] for _ in range(args.repeats)
            )
            row(f"{name} load_benchmark (cached)", best, "<= 1 s")
        bench = load_benchmark("nb201")
        cells = bench.space.enumerate()
        bench.query(cells, "cifar10-valid", "val_acc", epoch=200)
        best = min(
            timed(lambda: bench.query(cells, "cifar10-valid", "val_acc", epoch=200))[0]
            for _ in range(args.repeats)
        )
        row(f"nb201 query of all {len(cells)} cells (warm)", best, "<= 0.020 s")


if __name__ == "__main__":
    main()
