"""Search NAS-Bench-201 cells by really training them, in parallel, within a time budget.

Each trial builds the cell's network with archembed's builder (the NB201 skeleton at a small
width), trains it for a few epochs on scikit-learn's handwritten digits (bundled with
scikit-learn, no download; 8x8 images upsampled to 16x16) and scores its validation accuracy.
A search strategy (default: Bayesian optimisation on one-hot embeddings) proposes the cells;
``--workers`` processes train them side by side, each on its own share of ``--threads``.

Everything is kept in ``--out``: ``trials.jsonl`` (each trial when it starts and when it
ends), one training checkpoint per trial, written after every epoch, and ``report.md`` /
``report.json``. Run the same command again after an interruption (Ctrl-C, a killed job): the
finished trials are told to the strategy again, an interrupted trial continues from its last
epoch, and the search goes on until the budget (wall time of all runs together) is spent.

    python examples/train_your_own.py --out runs/digits --budget-minutes 8 --workers 2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from pathlib import Path
from typing import Any

import numpy as np

TRIALS_FILE = "trials.jsonl"
DATA: dict[str, Any] = {}
"""The data set of a worker process, loaded once by :func:`load_data`."""


def load_data(size: int) -> None:
    """Digits as 3-channel ``size`` x ``size`` images, standardised; a fixed 2/3 : 1/3 split."""
    import torch
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32)[:, None] / 16.0
    images = torch.nn.functional.interpolate(images, size=(size, size), mode="bilinear")
    images = ((images - images.mean()) / images.std()).expand(-1, 3, -1, -1).contiguous()
    labels = torch.tensor(digits.target)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    cut = 2 * len(order) // 3
    DATA.update(train=(images[order[:cut]], labels[order[:cut]]))
    DATA.update(valid=(images[order[cut:]], labels[order[cut:]]))
    DATA.update(size=size)


def train_trial(job: dict[str, Any]) -> dict[str, Any]:
    """Train one cell (resuming from its checkpoint) and return its validation accuracy (%)."""
    import torch

    from archembed.nets.build import NetSetting, build_network
    from archembed.nn.training import Checkpoint, Trainer, seeded
    from archembed.spaces import get_space

    began = time.perf_counter()
    graph = get_space("nb201").from_native(job["arch"])
    setting = NetSetting(job["channels"], job["cells"], 10, DATA["size"])
    with seeded(job["seed"]):
        net = build_network("nb201", graph, setting)
    optimizer = torch.optim.Adam(net.parameters(), lr=job["lr"])
    images, labels = DATA["train"]
    checkpoint = Path(job["checkpoint"])
    start = Checkpoint.load(checkpoint).epoch if checkpoint.is_file() else 0

    def batches(random: Any) -> Any:
        order = torch.randperm(len(labels), generator=random.torch())
        return order.split(job["batch_size"])

    def loss(rows: torch.Tensor, random: Any) -> tuple[torch.Tensor, dict[str, float]]:
        return torch.nn.functional.cross_entropy(net(images[rows]), labels[rows]), {}

    trainer = Trainer(
        what=f"trial {job['trial']}",
        epochs=job["epochs"],
        seed=job["seed"],
        config={k: job[k] for k in ("arch", "channels", "cells", "lr", "batch_size")},
        checkpoint=checkpoint,
        progress=False,
    )
    trainer.fit(net, optimizer, batches, loss)
    valid_images, valid_labels = DATA["valid"]
    with torch.no_grad():
        correct = (net(valid_images).argmax(1) == valid_labels).float().mean()
    return {
        "trial": job["trial"],
        "arch": job["arch"],
        "score": round(100.0 * float(correct), 3),
        "resumed_from_epoch": start,
        "train_seconds": round(time.perf_counter() - began, 2),
    }


class Search:
    """The strategy, its trials so far (from ``trials.jsonl``) and the budget."""

    def __init__(self, args: argparse.Namespace) -> None:
        from archembed.encoders.baseline import OneHotEncoder
        from archembed.search import make_strategy
        from archembed.spaces import get_space
        from archembed.spaces.restricted import RestrictedSpace

        self.args = args
        self.log = args.out / TRIALS_FILE
        records = (
            [json.loads(line) for line in self.log.read_text().splitlines()]
            if (self.log.exists())
            else []
        )
        self.started = {r["trial"]: r for r in records if r["event"] == "start"}
        self.done = {r["trial"]: r for r in records if r["event"] == "done"}
        self.spent = max((r["elapsed"] for r in self.done.values()), default=0.0)
        base = get_space("nb201")
        self.space = RestrictedSpace(base, base.enumerate())
        rng = np.random.default_rng([args.seed, len(self.started)])
        params = {"n_init": args.n_init} if args.strategy == "bo" else {}
        encoder = OneHotEncoder(base)
        self.strategy = make_strategy(args.strategy, self.space, rng, encoder, **params)
        if self.done:
            finished = sorted(self.done.values(), key=lambda r: r["trial"])
            graphs = [self.space.from_native(r["arch"]) for r in finished]
            self.strategy.tell(graphs, [r["score"] for r in finished])
        self.clock = time.perf_counter()

    def elapsed(self) -> float:
        """Wall seconds of this search, earlier runs included."""
        return self.spent + time.perf_counter() - self.clock

    def interrupted(self) -> list[dict[str, Any]]:
        """Jobs of trials that started in an earlier run and never finished."""
        return [
            self.job(r["trial"], r["arch"])
            for r in self.started.values()
            if r["trial"] not in self.done
        ]

    def may_start(self) -> bool:
        return len(self.started) < self.args.max_trials and self.elapsed() < self.args.budget

    def next_job(self) -> dict[str, Any] | None:
        """A new trial: the strategy's next cell that no trial has taken."""
        taken = {r["arch"] for r in self.started.values()}
        for _ in range(len(taken) + 1):
            proposed = self.strategy.ask(1)
            if not proposed:
                return None
            arch = self.space.to_native(proposed[0])
            if arch not in taken:
                trial = len(self.started)
                self.record({"event": "start", "trial": trial, "arch": arch}, self.started)
                return self.job(trial, arch)
        return None

    def job(self, trial: int, arch: str) -> dict[str, Any]:
        a = self.args
        checkpoint = a.out / "checkpoints" / f"trial-{trial}.pt"
        return {
            "trial": trial,
            "arch": arch,
            "seed": a.seed + trial,
            "epochs": a.epochs,
            "channels": a.channels,
            "cells": a.cells,
            "lr": a.lr,
            "batch_size": a.batch_size,
            "checkpoint": str(checkpoint),
        }

    def finish(self, result: dict[str, Any]) -> None:
        self.record({"event": "done", **result, "elapsed": round(self.elapsed(), 2)}, self.done)
        self.strategy.tell([self.space.from_native(result["arch"])], [result["score"]])

    def record(self, entry: dict[str, Any], into: dict[int, dict[str, Any]]) -> None:
        into[entry["trial"]] = entry
        with self.log.open("a") as handle:
            handle.write(json.dumps(entry) + "\n")


def run(search: Search, workers: int) -> None:
    """Train trials on ``workers`` processes until the budget or the trial limit is reached."""
    from archembed.workers import process_pool

    queue = search.interrupted()
    with process_pool(workers, load_data, search.args.size) as pool:
        running: set[Future[dict[str, Any]]] = set()
        while True:
            while len(running) < workers and (queue or search.may_start()):
                job = queue.pop(0) if queue else search.next_job()
                if job is None:
                    break
                running.add(pool.submit(train_trial, job))
            if not running:
                return
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                result = future.result()
                search.finish(result)
                print(
                    f"trial {result['trial']}: {result['score']:.1f}% {result['arch']} "
                    f"({result['train_seconds']:.0f} s)",
                    flush=True,
                )


def cell(arch: str) -> str:
    """An NB201 string as a Markdown table cell (its ``|`` escaped)."""
    return "`" + arch.replace("|", "\\|") + "`"


def report(search: Search) -> dict[str, Any]:
    """Write report.json and report.md: the best cells, trial count, time; return the summary."""
    done = sorted(search.done.values(), key=lambda r: -r["score"])
    summary = {
        "trials": len(done),
        "resumed_trials": sum(r["resumed_from_epoch"] > 0 for r in done),
        "elapsed_seconds": round(search.elapsed(), 1),
        "budget_seconds": search.args.budget,
        "best": done[0] if done else None,
        "top": done[:5],
    }
    (search.args.out / "report.json").write_text(json.dumps(summary, indent=2) + "\n")
    lines = [
        f"# {len(done)} trials in {summary['elapsed_seconds']:.0f} s",
        "",
        "| trial | validation accuracy (%) | cell | train s |",
        "|---|---|---|---|",
        *(
            f"| {r['trial']} | {r['score']:.1f} | {cell(r['arch'])} | {r['train_seconds']:.0f} |"
            for r in summary["top"]
        ),
    ]
    (search.args.out / "report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return summary


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="run directory (resumable)")
    parser.add_argument("--budget-minutes", type=float, default=8.0)
    parser.add_argument("--max-trials", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--strategy", default="bo")
    parser.add_argument("--n-init", type=int, default=4, help="random trials before BO models")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--cells", type=int, default=1)
    parser.add_argument("--size", type=int, default=16, help="image side after upsampling")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    args.budget = 60.0 * args.budget_minutes
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    from archembed.errors import UserError
    from archembed.outputs import output_dir
    from archembed.threads import cpu_count, set_threads

    args = parse_args(argv)
    try:  # an existing directory must be one this script made (then the run resumes)
        args.out = output_dir(args.out, "train-your-own")
    except UserError as exc:
        sys.exit(f"error: {exc}")
    workers = max(1, min(args.workers, cpu_count()))
    set_threads(workers)  # each worker gets one share: workers x threads <= cores
    (args.out / "checkpoints").mkdir(exist_ok=True)
    search = Search(args)
    run(search, workers)
    return report(search)


if __name__ == "__main__":
    main()
