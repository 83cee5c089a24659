"""Throughput of real-network features: Jacobians, zero-cost proxies, parameter counts.

Usage: ARCHEMBED_DATA=../shared/data python bench/bench_nets.py [--n 40] [--store-cells N]
    [--workers 2]
Prints one Markdown row per measurement with the 1-minute load average at the time.
Single-process rows run torch with one thread (as the parallel workers do). The parallel
feature row uses ``--store-cells`` random NB201 cells (default ``--n``) and projects the time
of all 15,625 cells x 4 inits from its rate.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
import pandas as pd
import torch

from archembed.io import data_dir
from archembed.nets.build import build_network
from archembed.nets.jacobian import compute_jacobian_features, input_jacobian
from archembed.nets.nb201 import count_parameters
from archembed.nets.zero_cost import PROXIES, network_proxies, per_op_saliencies
from archembed.spaces import get_space
from archembed.spaces.nb201 import NB201_OPS


def row(name: str, count: int, seconds: float, unit: str) -> None:
    load = os.getloadavg()[0]
    print(
        f"| {name} | {count} | {seconds:.2f} s | {count / seconds:.2f} {unit}/s | {load:.1f} |",
        flush=True,
    )


def jacobian_rate(space: str, n: int) -> None:
    graphs = get_space(space).sample(n, np.random.default_rng(0))
    x = torch.randn(64, 3, 32, 32)
    start = time.perf_counter()
    for g in graphs:
        input_jacobian(build_network(space, g, "proxy"), x)
    row(f"{space} proxy network, build + Jacobian of 64 inputs, 1 process", n,
        time.perf_counter() - start, "networks")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--store-cells", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print("| measurement | n | time | rate | load (1 min) |")
    print("|---|---|---|---|---|")
    table = pd.read_csv(data_dir() / "nb201" / "nb201_cifar10_zc_proxies.csv")
    space = get_space("nb201")
    start = time.perf_counter()
    codes = [[NB201_OPS.index(o) for o in space.edge_ops(space.from_native(s))]
             for s in table["net_str"]]  # fmt: skip
    count_parameters(np.array(codes))
    row("nb201 closed-form parameter counts (parse + count)", len(codes),
        time.perf_counter() - start, "cells")  # fmt: skip
    jacobian_rate("nb201", args.n)
    jacobian_rate("nb101", max(4, args.n // 4))
    with tempfile.TemporaryDirectory() as tmp:
        cells = space.enumerate()
        n_cells = min(args.store_cells or args.n, len(cells))
        picked = np.random.default_rng(0).choice(len(cells), n_cells, replace=False)
        start = time.perf_counter()
        compute_jacobian_features(
            "nb201", [cells[i] for i in np.sort(picked)], f"{tmp}/f", n_inits=4,
            workers=args.workers, progress=False,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        row(f"nb201 compute_jacobian_features, random cells x 4 inits, {args.workers} workers "
            f"(incl. start-up; all 15,625 cells: {seconds * len(cells) / n_cells / 60:.1f} min)",
            4 * n_cells, seconds, "networks")  # fmt: skip
    cells = [space.from_native(s) for s in table["net_str"][:3]]
    start = time.perf_counter()
    for g in cells:
        network_proxies("nb201", g, PROXIES)
    row("nb201 official network, all 10 zero-cost proxies, batch 64", len(cells),
        time.perf_counter() - start, "networks")  # fmt: skip
    start = time.perf_counter()
    per_op_saliencies("nb201", space.enumerate()[: args.n])
    row("nb201 proxy network, per_op_saliencies (5 proxies)", args.n,
        time.perf_counter() - start, "networks")  # fmt: skip


if __name__ == "__main__":
    main()
