"""arch2vec speed: NB201 and NAS-Bench-Graph pretraining, NB101 training throughput, embedding.

Usage: ARCHEMBED_DATA=../shared/data python bench/bench_arch2vec.py [--threads N]
    [--nb101-model DIR] [--skip-nasbench-graph] [--official-epochs N]

Prints Markdown rows: wall and CPU seconds, the quality reached, the target and the load
average. The NB101 8-epoch time is extrapolated from ``--nb101-steps`` training steps (the full
run: ``archembed pretrain arch2vec --space nb101 --batch-size 128``, see docs/BENCHMARKS.md).
Embedding all NB101 cells uses ``--nb101-model`` if given (speed does not depend on weights,
so by default a model fitted for 0 epochs on 1,000 cells is used). ``--official-epochs N`` times
only the official recipe on NB201: training CPU seconds per epoch and step, and the per-epoch
validity / reconstruction check (docs/BENCHMARKS.md, "arch2vec training speed").
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np
import torch


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def row(name: str, wall: float, cpu: float, quality: str, target: str) -> None:
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"| {name} | {wall:.1f} | {cpu:.1f} | {quality} | {target} | {load} |", flush=True)


def pretraining(space_name: str, target: str) -> None:
    from archembed.encoders.arch2vec import Arch2Vec
    from archembed.spaces import get_space

    space = get_space(space_name)
    graphs = space.enumerate()
    encoder = Arch2Vec(space)
    wall, cpu, _ = timed(lambda: encoder.fit(graphs, progress=False))
    last = encoder.history_[-1]
    quality = f"held-out recon {last['holdout_recon_acc']:.2%}, validity {last['validity']:.1%}"
    name = f"{space_name}: pretrain {encoder.n_epochs} epochs on {len(graphs)} (batch 64)"
    row(f"{name}, incl. per-epoch validity check", wall, cpu, quality, target)


def official_speed(epochs: int) -> None:
    """NB201 official recipe: training CPU seconds per epoch and per step, per-epoch check."""
    from archembed.encoders.arch2vec import Arch2Vec
    from archembed.spaces import get_space

    space = get_space("nb201")
    graphs = space.enumerate()
    encoder = Arch2Vec.from_recipe("official", space, epochs=epochs)
    wall, cpu, _ = timed(lambda: encoder.fit(graphs, progress=False))
    train = [h["train_cpu_seconds"] for h in encoder.history_]
    steps = int(np.ceil(0.9 * len(graphs) / encoder.settings.batch_size))
    quality = (
        f"train {min(train):.2f}-{max(train):.2f} CPU s/epoch "
        f"({1000 * float(np.mean(train)) / steps:.1f} ms/step), check "
        f"{float(np.mean([h['monitor_seconds'] for h in encoder.history_])):.2f} s/epoch wall"
    )
    row(f"nb201: official recipe, epochs {epochs}", wall, cpu, quality, "<= 0.5x official")


def nb101_throughput(steps: int) -> None:
    from archembed.encoders.arch2vec import graph_batch
    from archembed.nn.graph_autoencoder import GraphAutoencoder
    from archembed.spaces import get_space

    space = get_space("nb101")
    cells = space.arrays()
    data = graph_batch(*cells.tensors(space.ops))
    model = GraphAutoencoder(len(space.ops), (128,) * 4, 16)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    batch = 128
    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(0))

    def train() -> None:
        for step in range(steps):
            part = data.take(order[step * batch : (step + 1) * batch], torch.device("cpu"))
            loss = model.loss(part.adj, part.ops, part.codes, part.mask, 0.005)
            optimiser.zero_grad()
            loss.total.backward()
            optimiser.step()

    wall, cpu, _ = timed(train)
    epoch_steps = int(np.ceil(0.9 * len(data) / batch))
    scale = 8 * epoch_steps / steps
    row(
        f"nb101: {steps} training steps at batch 128 -> 8 epochs over 381k cells "
        f"(extrapolated x{scale:.0f}, no validity check)",
        wall * scale,
        cpu * scale,
        "-",
        "<= 480 s",
    )


def nb101_embedding(model_dir: str | None) -> None:
    from archembed.encoders import load_encoder
    from archembed.encoders.arch2vec import Arch2Vec
    from archembed.spaces import get_space

    space = get_space("nb101")
    graphs = space.enumerate()
    if model_dir:
        encoder = load_encoder(model_dir)
    else:
        encoder = Arch2Vec(space, epochs=0, validity_samples=0).fit(graphs[:1000], progress=False)
    wall, cpu, emb = timed(lambda: encoder.transform(graphs))
    row(
        f"nb101: transform all {len(graphs)} cells (incl. tensor building)",
        wall,
        cpu,
        f"shape {emb.shape}",  # type: ignore[union-attr]
        "<= 60 s",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--nb101-model", default=None, help="trained NB101 model directory")
    parser.add_argument("--nb101-steps", type=int, default=300, help="NB101 steps to time")
    parser.add_argument("--skip-nasbench-graph", action="store_true")
    parser.add_argument(
        "--official-epochs", type=int, default=0, help="time the official recipe only (N epochs)"
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"cores: {len(os.sched_getaffinity(0))}, torch threads: {torch.get_num_threads()}")
    print("| measurement | wall s | CPU s | quality | target | load avg 1/5/15 min |")
    print("|---|---|---|---|---|---|")
    if args.official_epochs:
        official_speed(args.official_epochs)
        return
    pretraining("nb201", "<= 30 s")
    if not args.skip_nasbench_graph:
        pretraining("nasbench_graph", "search job < 5 min in all")
    nb101_throughput(args.nb101_steps)
    nb101_embedding(args.nb101_model)


if __name__ == "__main__":
    main()
