"""Locality pretraining speed: NB101, default settings (target: 2 epochs <= 10 min on 2 cores).

Usage: python bench/bench_locality.py [--space nb101] [--loss margin] [--epochs 2] [--threads 2]
Prints one Markdown row: wall and CPU seconds, steps per second, peak memory, 1-minute load
average before and after, and the final losses. No benchmark data is needed.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import torch

from archembed.encoders.locality import LocalityConfig, pretrain_locality
from archembed.encoders.nao import NAOEncoder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--space", default="nb101")
    parser.add_argument("--loss", default="margin")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--anchors", type=int, default=LocalityConfig.anchors)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = LocalityConfig(loss=args.loss, anchors=args.anchors, epochs=args.epochs)
    encoder = NAOEncoder(args.space)
    load_before = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    history = pretrain_locality(encoder, config, progress=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    steps = args.epochs * -(-args.anchors // config.anchors_per_batch)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        "| space | loss | anchors x epochs | wall (s) | CPU (s) | steps/s | peak MiB "
        "| load before/after | final rec / metric |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.space} | {args.loss} | {args.anchors} x {args.epochs} | {wall:.1f} | {cpu:.1f} "
        f"| {steps / wall:.2f} | {peak_mib:.0f} | {load_before:.1f}/{os.getloadavg()[0]:.1f} "
        f"| {history[-1]['reconstruction']:.3f} / {history[-1]['metric']:.3f} |"
    )


if __name__ == "__main__":
    main()
