"""Zero-cost proxies of NB201 cells vs the published values and vs CIFAR-10 test accuracy.

Usage: ARCHEMBED_DATA=../shared/data python experiments/zc_correlation.py --out DIR --n 150
    [--n-points 64]
Samples ``--n`` cells of nb201_cifar10_zc_proxies.csv (seeded), computes every proxy on the
official C=16, N=5 network with the default natural-image inputs and prints Markdown rows:
Spearman(ours, published), Spearman(ours, accuracy), Spearman(published, accuracy) on the
same cells. The proxies are computed in blocks of 25 cells, each a unit of the results store
(DIR/cells-<first>.json; a restart computes only the missing blocks); DIR/proxies.parquet
holds every cell's values and DIR/correlation.md the table.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pandas as pd

from archembed.benchmarks import load_benchmark
from archembed.cli.script import run_script
from archembed.experiments.results import ResultStore
from archembed.io import data_dir, write_parquet
from archembed.nets.build import NetSetting
from archembed.nets.zero_cost import PROXIES, proxy_table
from archembed.predictors.metrics import spearman
from archembed.spaces import get_space
from archembed.tables import markdown_table
from archembed.threads import set_threads

KIND = "zc-correlation"
BLOCK = 25


def parse() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the results directory")
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--setting", default="official", help="official, proxy or C,N")
    parser.add_argument("--inputs", default="natural")
    parser.add_argument("--n-points", type=int, default=64, help="batch size of the proxies")
    parser.add_argument("--proxies", default=",".join(PROXIES), help="comma-separated subset")
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args()


def proxies_of(store: ResultStore, graphs: list, proxies: list[str], args) -> pd.DataFrame:
    """Every cell's proxies, block by block through the store."""
    setting = args.setting
    if "," in setting:
        setting = NetSetting(*(int(v) for v in setting.split(",")))
    frames = []
    for first in range(0, len(graphs), BLOCK):
        block = store.compute(
            f"cells-{first:05d}",
            lambda first=first: proxy_table(
                "nb201",
                graphs[first : first + BLOCK],
                proxies,
                setting=setting,
                inputs=args.inputs,
                n_points=args.n_points,
                seed=args.seed,
                progress=True,
            ).to_dict(orient="list"),
        )
        frames.append(pd.DataFrame(block))
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    """Compute the missing blocks, then print and write the correlation table."""
    args = parse()
    set_threads(args.threads)
    proxies = [p for p in args.proxies.split(",") if p]
    settings = {k: v for k, v in vars(args).items() if k not in ("out", "threads")}
    store = ResultStore(args.out, KIND, settings)
    published = pd.read_csv(data_dir() / "nb201" / "nb201_cifar10_zc_proxies.csv")
    rows = np.random.default_rng(args.seed).choice(len(published), args.n, replace=False)
    published = published.iloc[np.sort(rows)].reset_index(drop=True)
    space = get_space("nb201")
    graphs = [space.from_native(s) for s in published["net_str"]]
    ours = proxies_of(store, graphs, proxies, args)
    write_parquet(store.directory / "proxies.parquet", ours)
    accuracy = load_benchmark("nb201").query(graphs, "cifar10", "test_acc", epoch=200)
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{args.n} cells, setting {args.setting}, inputs {args.inputs}, batch {args.n_points}, "
        f"load {load}"
    )
    table = []
    for name in proxies:
        mine, theirs = ours[name].to_numpy(dtype=float), published[name].to_numpy()
        ok = np.isfinite(mine)
        table.append(
            [
                name,
                f"{spearman(theirs[ok], mine[ok]):.3f}",
                f"{spearman(accuracy[ok], mine[ok]):.3f}",
                f"{spearman(accuracy, theirs):.3f}",
            ]
        )
    header = ("proxy", "rho(ours, published)", "rho(ours, test acc)", "rho(published, test acc)")
    lines = markdown_table(header, table)
    (store.directory / "correlation.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    run_script(main)
