"""Jacobian features of the 4,096 TransNAS-Bench-101 micro cells on NB201's proxy network.

``archembed features jacobian --space nb201`` enumerates all 15,625 cells or a benchmark's
own; this computes the store for the cells of ``tnb101_micro`` only (resumable), for
``archembed pretrain contrastive --features OUT``.

    python experiments/tnb101_jacobians.py --data-dir /path/to/data --out runs/tnb-jacobian \
        --n-inits 2 --n-points 32 --k 64 --threads 1
"""

from __future__ import annotations

import argparse

from archembed.benchmarks import load_benchmark
from archembed.nets.jacobian import compute_jacobian_features
from archembed.threads import set_threads


def main() -> None:
    """Parse the options and compute (or resume) the store."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--data-dir")
    parser.add_argument("--n-inits", type=int, default=2)
    parser.add_argument("--n-points", type=int, default=32)
    parser.add_argument("--k", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    set_threads(args.threads)
    graphs = load_benchmark("tnb101_micro", args.data_dir).graphs()
    compute_jacobian_features(
        "nb201",
        graphs,
        args.out,
        n_inits=args.n_inits,
        n_points=args.n_points,
        k=args.k,
        seed=args.seed,
        workers=1,
    )


if __name__ == "__main__":
    main()
