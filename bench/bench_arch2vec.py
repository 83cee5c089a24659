"""arch2vec speed: NB201 and NAS-Bench-Graph pretraining, NB101 training throughput, embedding.

Usage: ARCHEMBED_DATA=../shared/data python bench/bench_arch2vec.py [--threads N]
    [--nb101-model DIR] [--skip-nasbench-graph] [--official-epochs N]
    [--paired-official DIR [--paired-epochs N] [--repeats N]] [--step-profile N]

Prints Markdown rows: wall and CPU seconds, the quality reached, the target and the load
average. The NB101 8-epoch time is extrapolated from ``--nb101-steps`` training steps (the full
run: ``archembed pretrain arch2vec --space nb101 --batch-size 128``, see docs/BENCHMARKS.md).
Embedding all NB101 cells uses ``--nb101-model`` if given (speed does not depend on weights,
so by default a model fitted for 0 epochs on 1,000 cells is used). ``--official-epochs N`` times
only the official recipe on NB201: training CPU seconds per epoch and step, and the per-epoch
validity / reconstruction check (docs/BENCHMARKS.md, "arch2vec training speed").

``--step-profile N`` times N training steps of the official recipe on NB201 (CPU time): forward
and loss, backward, optimiser, and what the matrix products, batch norms and ReLUs cost alone.

``--paired-official DIR`` measures ``archembed pretrain arch2vec --space nb201 --recipe
official`` side by side with the official arch2vec code (a checkout of MSU-MLSys-Lab/arch2vec
in DIR) at equal per-epoch work: its NB201 script with ``--latent_points 1000``, on the CPU
(``.cuda()`` made a no-op), on NB201 cells written from archembed's data, with archembed's
``hash_module`` standing in for ``nasbench.lib.graph_util``. Both run ``--paired-epochs`` epochs
on one thread, alternately, ``--repeats`` times; the CPU seconds (user + sys) of each process
and their ratio are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

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


def cpu_us(fn: Callable[[], object], repeats: int = 200) -> float:
    """Median CPU microseconds of one call of ``fn`` (five rounds of ``repeats`` calls)."""
    fn()
    rounds = []
    for _ in range(5):
        began = time.process_time()
        for _ in range(repeats):
            fn()
        rounds.append((time.process_time() - began) / repeats * 1e6)
    return float(np.median(rounds))


def kernel_costs() -> dict[str, float]:
    """CPU microseconds per step of the step's main kernels run alone (hot cache)."""
    x, w, g = torch.randn(256, 128), torch.randn(128, 128), torch.randn(256, 128)
    gamma, beta, mean, var = torch.ones(128), torch.zeros(128), torch.zeros(128), torch.ones(128)
    empty = torch.empty(0)
    relu_back = torch.ops.aten.threshold_backward.default
    norm_back = torch.ops.aten.native_batch_norm_backward.default
    return {
        "21 products 256 x 128 by 128 x 128 (MKL)": 21 * cpu_us(lambda: x @ w),
        "8 batch norms (eval), forward and backward": 8
        * cpu_us(
            lambda: (
                torch.native_batch_norm(x, gamma, beta, mean, var, False, 0.1, 1e-5),
                norm_back(g, x, gamma, mean, var, empty, empty, False, 1e-5, [True] * 3),
            )
        ),
        "8 ReLUs, forward and backward": 8 * cpu_us(lambda: relu_back(g, torch.relu(x), 0)),
    }


def step_profile(steps: int) -> None:
    """CPU time of one training step of the official recipe on NB201 (batch 32, eval mode as in
    epochs 2-10), split into forward + loss, backward and optimiser, next to what its kernels
    alone cost (the 21 products of 256 x 128 by 128 x 128, batch norm, ReLU)."""
    from archembed.encoders.arch2vec import Arch2Vec, graph_batch
    from archembed.nn.training import FlatAdam
    from archembed.spaces import get_space

    space = get_space("nb201")
    encoder = Arch2Vec.from_recipe("official", space)
    settings = encoder.settings
    data = graph_batch(*space.tensors(space.enumerate()[: 32 * steps]))
    model = encoder.new_model().eval()
    optimizer = FlatAdam(model.parameters(), lr=settings.lr, grad_clip=settings.grad_clip)
    targets = model.targets(data.adj, data.codes, data.mask)
    batches = [
        (data.take(slice(i, i + 32), torch.device("cpu")), targets.rows(i, i + 32))
        for i in range(0, 32 * steps, 32)
    ]

    def forward(i: int) -> torch.Tensor:
        batch, target = batches[i % steps]
        args = (batch.adj, batch.ops, batch.codes, batch.mask, settings.kl_weight)
        return model.loss(*args, adj_weight=settings.adj_weight, targets=target).total

    def whole() -> None:
        for i in range(steps):
            optimizer.zero_grad()
            forward(i).backward()
            optimizer.step()

    whole_us = cpu_us(whole, 1) / steps
    forward_us = cpu_us(lambda: [forward(i) for i in range(steps)], 1) / steps
    optimiser_us = cpu_us(optimizer.step)
    print(f"| part of a step ({steps} steps, CPU) | ms per step |")
    print("|---|---|")
    print(f"| whole step | {whole_us / 1e3:.2f} |")
    print(f"| forward and loss | {forward_us / 1e3:.2f} |")
    backward_us = whole_us - forward_us - optimiser_us
    print(f"| backward (whole - forward - optimiser) | {backward_us / 1e3:.2f} |")
    print(f"| optimiser step (clipping check, Adam) | {optimiser_us / 1e3:.2f} |")
    for name, value in kernel_costs().items():
        print(f"| kernels alone: {name} | {value / 1e3:.2f} |")


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


OFFICIAL_RUNNER = """import runpy, sys, torch
torch.set_num_threads(1)
torch.Tensor.cuda = lambda self, *args, **kwargs: self
torch.nn.Module.cuda = lambda self, *args, **kwargs: self
sys.argv = ["models/pretraining_nasbench201.py", *sys.argv[1:]]
runpy.run_path("models/pretraining_nasbench201.py", run_name="__main__")
"""
OFFICIAL_OPS = ("input", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3", "skip_connect", "none")


def official_workdir(checkout: Path, work: Path) -> Path:
    """A copy of the official code with its NB201 data file and the CPU shims, in ``work``."""
    from archembed.spaces import get_space

    for part in ("models", "utils", "gin"):
        shutil.copytree(checkout / part, work / part)
    (work / "nasbench" / "lib").mkdir(parents=True)
    (work / "nasbench" / "__init__.py").touch()
    (work / "nasbench" / "lib" / "__init__.py").touch()
    (work / "nasbench" / "lib" / "graph_util.py").write_text(
        "from archembed.graph import hash_module  # noqa: F401\n"
    )
    (work / "run_official.py").write_text(OFFICIAL_RUNNER)
    space = get_space("nb201")
    adjacency, ops = space.tensors(space.enumerate())
    ops = ops[:, :, [space.ops.index(op) for op in (*OFFICIAL_OPS, "output")]]
    cells = {
        str(i): {
            "module_adjacency": adjacency[i].astype(int).tolist(),
            "module_operations": ops[i].astype(int).tolist(),
        }
        for i in range(len(adjacency))
    }
    (work / "data").mkdir()
    (work / "data" / "cifar10_valid_converged.json").write_text(json.dumps(cells))
    return work


def child_cpu(command: list[str], cwd: Path) -> float:
    """User + sys CPU seconds of one child process run to completion."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def paired_official(checkout: Path, epochs: int, repeats: int) -> None:
    """archembed's official recipe and the official code, alternately, CPU seconds each."""
    with tempfile.TemporaryDirectory() as tmp:
        work = official_workdir(checkout, Path(tmp) / "official")
        ours = [sys.executable, "-m", "archembed", "pretrain", "arch2vec", "--space", "nb201"]
        ours += ["--recipe", "official", "--epochs", str(epochs), "--threads", "1", "--quiet"]
        theirs = [sys.executable, "run_official.py", "--epochs", str(epochs)]
        theirs += ["--latent_points", "1000"]
        print("| repeat | archembed CPU s | official code CPU s | ratio | load avg 1/5/15 min |")
        print("|---|---|---|---|---|")
        for repeat in range(1, repeats + 1):
            load = "/".join(f"{x:.1f}" for x in os.getloadavg())
            out = Path(tmp) / f"model{repeat}"
            mine = child_cpu([*ours, "--out", str(out)], Path.cwd())
            official = child_cpu(theirs, work)
            print(f"| {repeat} | {mine:.2f} | {official:.2f} | {mine / official:.2f} | {load} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--nb101-model", default=None, help="trained NB101 model directory")
    parser.add_argument("--nb101-steps", type=int, default=300, help="NB101 steps to time")
    parser.add_argument("--skip-nasbench-graph", action="store_true")
    parser.add_argument(
        "--official-epochs", type=int, default=0, help="time the official recipe only (N epochs)"
    )
    parser.add_argument("--paired-official", type=Path, help="official arch2vec checkout")
    parser.add_argument("--paired-epochs", type=int, default=3, help="epochs per paired run")
    parser.add_argument("--repeats", type=int, default=3, help="paired runs")
    parser.add_argument("--step-profile", type=int, default=0, help="time N official steps")
    args = parser.parse_args()
    if args.paired_official:
        paired_official(args.paired_official, args.paired_epochs, args.repeats)
        return
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.step_profile:
        step_profile(args.step_profile)
        return
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
