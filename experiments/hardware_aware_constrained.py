"""Constrained BO under one latency cap, seed by seed: regret, infeasible queries, CPU per seed.

    ARCHEMBED_DATA=/path/to/data PYTHONPATH=src python experiments/hardware_aware_constrained.py \
        --out runs/cbo-edgegpu5 --dataset cifar10-valid --constraint "edgegpu_latency<=5.0" \
        --seeds 10 [--encoder zcstats] [-p warp=false] [-p linear_slack=true]

Runs ``constrained_bo`` (strategy seed = the seed) through the multi-objective search loop,
one seed after the other in one thread, and prints one Markdown row: mean ± std of the regret
at the last query (percentage points below the table's best feasible validation accuracy),
seeds within 0.2, infeasible queries, CPU seconds per seed. ``--encoder`` takes what
``archembed search --encoder`` takes (a registered encoder's name, ``pretrained:NAME`` or a
model directory; default one-hot); the embeddings of every cell are computed once, before the
first seed, and that time is not in the CPU per seed.
Each finished seed is stored in ``--out`` (one JSON per seed); the same command resumes.
See docs/benchmarks/hardware-aware.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
from functools import partial
from pathlib import Path

import numpy as np
import yaml

from archembed.api import fitted_encoder
from archembed.benchmarks import load_benchmark
from archembed.cli.script import run_script
from archembed.encoders.base import Encoder
from archembed.encoders.precomputed import precompute
from archembed.experiments.results import ResultStore
from archembed.search import make_strategy
from archembed.search.budget import Budget
from archembed.search.mo_loop import run_mo_search
from archembed.search.multiobjective import MultiObjective, parse_constraint, parse_objectives
from archembed.threads import set_threads

KIND = "hardware-aware-constrained"
"""The results directory's kind (archembed refuses to mix it with other outputs)."""


def searched_encoder(name: str, objective: MultiObjective) -> Encoder:
    """The encoder ``name`` (``ae.fitted_encoder``: fitted on every cell of the space), with
    the embeddings of every searched cell computed once for all seeds."""
    return precompute(fitted_encoder(name, objective.space.base), objective.space)


def one_seed(
    objective: MultiObjective, encoder: Encoder, seed: int, queries: int, params: dict
) -> dict:
    """Regret, infeasible queries and CPU seconds of one seed."""
    start = time.process_time()
    rng = np.random.default_rng(seed)
    strategy = make_strategy("constrained_bo", objective.space, rng, encoder, **params)
    trajectory, _ = run_mo_search(strategy, objective, Budget(queries, None), rng)
    last = trajectory.iloc[-1]
    return {
        "regret": float(last["regret"]),
        "infeasible": int(last["infeasible"]),
        "cpu_seconds": time.process_time() - start,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the results directory")
    parser.add_argument("--dataset", default="cifar10-valid")
    parser.add_argument("--constraint", default="edgegpu_latency<=5.0")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--encoder", default="onehot", help="NAME, pretrained:NAME or a model")
    parser.add_argument("-p", dest="params", action="append", default=[], help="KEY=VALUE")
    args = parser.parse_args()
    set_threads(1)
    params = {k: yaml.safe_load(v) for k, v in (p.split("=", 1) for p in args.params)}
    objective = MultiObjective(
        load_benchmark("nb201"),
        args.dataset,
        parse_objectives("val_acc:max"),
        [parse_constraint(args.constraint)],
    )
    # one-hot runs keep the settings they were stored under before --encoder existed
    skip = ("out", "seeds") + (("encoder",) if args.encoder == "onehot" else ())
    settings = {k: v for k, v in vars(args).items() if k not in skip}
    encoder = searched_encoder(args.encoder, objective)
    store = ResultStore(args.out, KIND, settings | {"params": params})
    runs = [
        store.compute(
            f"seed-{seed}", partial(one_seed, objective, encoder, seed, args.queries, params)
        )
        for seed in range(args.seeds)
    ]
    regret, infeasible, cpu = (
        np.array([run[key] for run in runs]) for key in ("regret", "infeasible", "cpu_seconds")
    )
    spread = statistics.stdev(regret) if len(regret) > 1 else float("nan")
    print(
        f"| {args.dataset} | {args.constraint} | {args.encoder} | {params or 'defaults'} | "
        f"{len(runs)} | "
        f"{regret.mean():.3f} ± {spread:.3f} | {(regret <= 0.2).sum()}/{len(runs)} | "
        f"{infeasible.mean():.1f} | {cpu.mean():.1f} s |"
    )


if __name__ == "__main__":
    run_script(main)
