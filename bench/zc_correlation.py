"""Zero-cost proxies of NB201 cells vs the published values and vs CIFAR-10 test accuracy.

Usage: ARCHEMBED_DATA=../shared/data python bench/zc_correlation.py --n 150 [--setting official]
Samples ``--n`` cells of nb201_cifar10_zc_proxies.csv (seeded), computes every proxy on the
official C=16, N=5 network with the default natural-image inputs and prints Markdown rows:
Spearman(ours, published), Spearman(ours, accuracy), Spearman(published, accuracy) on the
same cells. Per-cell values are saved with ``--save`` (Parquet).
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import pandas as pd

from archembed.benchmarks import load_benchmark
from archembed.io import data_dir, write_parquet
from archembed.nets.build import NetSetting
from archembed.nets.zero_cost import PROXIES, proxy_table
from archembed.predictors.metrics import spearman
from archembed.spaces import get_space


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--setting", default="official", help="official, proxy or C,N")
    parser.add_argument("--inputs", default="natural")
    parser.add_argument("--save", default=None)
    args = parser.parse_args()
    setting = args.setting
    if "," in setting:
        setting = NetSetting(*(int(v) for v in setting.split(",")))
    published = pd.read_csv(data_dir() / "nb201" / "nb201_cifar10_zc_proxies.csv")
    rows = np.random.default_rng(args.seed).choice(len(published), args.n, replace=False)
    published = published.iloc[np.sort(rows)].reset_index(drop=True)
    space = get_space("nb201")
    graphs = [space.from_native(s) for s in published["net_str"]]
    ours = proxy_table(
        "nb201",
        graphs,
        PROXIES,
        setting=setting,
        inputs=args.inputs,
        seed=args.seed,
        progress=True,
    )
    if args.save:
        write_parquet(args.save, ours)
    accuracy = load_benchmark("nb201").query(graphs, "cifar10", "test_acc", epoch=200)
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.n} cells, setting {args.setting}, inputs {args.inputs}, load {load}")
    print("| proxy | rho(ours, published) | rho(ours, test acc) | rho(published, test acc) |")
    print("|---|---|---|---|")
    for name in PROXIES:
        mine, theirs = ours[name].to_numpy(), published[name].to_numpy()
        ok = np.isfinite(mine)
        print(
            f"| {name} | {spearman(theirs[ok], mine[ok]):.3f} | "
            f"{spearman(accuracy[ok], mine[ok]):.3f} | {spearman(accuracy, theirs):.3f} |"
        )


if __name__ == "__main__":
    main()
