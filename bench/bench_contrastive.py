"""Training and embedding speed of the contrastive encoder on a full-size NB201 feature set.

Trains for a few epochs on 15,625 architectures x 4 inits x 64 points x 128 dimensions and
projects the time of a full training run; then embeds every architecture. Without
``--features`` the store is filled with random numbers of the real shape (speed does not depend
on the values). Prints Markdown rows.
Usage: python bench/bench_contrastive.py [--features F] [--epochs 2] [--full-epochs 30]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from archembed.encoders.contrastive import ContrastiveEncoder
from archembed.nets.feature_store import FeatureStore
from archembed.spaces import get_space


def synthetic_store(directory: Path, n_inits: int, n_points: int, dim: int) -> FeatureStore:
    """Every NB201 cell with random feature sets of the real shape, written in chunks."""
    space = get_space("nb201")
    graphs = space.enumerate()
    store = FeatureStore.create(
        directory,
        "nb201",
        [space.identity(g) for g in graphs],
        [space.to_native(g) for g in graphs],
        n_inits=n_inits,
        n_points=n_points,
        dim=dim,
        params={"kind": "random (benchmark only)"},
    )
    rng = np.random.default_rng(0)
    for start in range(0, len(graphs), 1024):
        rows = np.arange(start, min(start + 1024, len(graphs)))
        store.write(rows, rng.standard_normal((len(rows), n_inits, n_points, dim), np.float32))
    return FeatureStore.open(directory, require_complete=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=Path, help="A complete feature store to train on.")
    parser.add_argument("--epochs", type=int, default=2, help="Epochs to time.")
    parser.add_argument("--full-epochs", type=int, default=30, help="Epochs of a full run.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.features is None:
            started = time.perf_counter()
            store = synthetic_store(Path(tmp) / "features", 4, 64, 128)
            print(f"(random store written in {time.perf_counter() - started:.0f} s)")
        else:
            store = FeatureStore.open(args.features, require_complete=True)
        encoder = ContrastiveEncoder.from_stores([store.directory], epochs=0, progress=False)
        started = time.perf_counter()
        encoder.fit()
        setup = time.perf_counter() - started
        encoder.epochs = args.epochs
        started = time.perf_counter()
        encoder.fit()
        per_epoch = (time.perf_counter() - started - setup) / args.epochs
        started = time.perf_counter()
        embedded = encoder.embed_store(store)
        embed = time.perf_counter() - started
    shape = "x".join(str(s) for s in store.features.shape)
    load = os.getloadavg()[0]
    print(
        f"\nfeatures {shape}, batch {encoder.batch_size} x 2 views, torch threads "
        f"{torch.get_num_threads()}, 1-min load average {load:.1f}\n"
    )
    print("| step | seconds |")
    print("|---|---|")
    print(f"| setup (split, input standardisation, model) | {setup:.1f} |")
    print(f"| one training epoch (mean of {args.epochs}) | {per_epoch:.1f} |")
    full = setup + args.full_epochs * per_epoch
    print(f"| projected {args.full_epochs}-epoch training | {full:.0f} |")
    print(f"| embed all {len(embedded):,} architectures (mean over inits) | {embed:.1f} |")


if __name__ == "__main__":
    main()
