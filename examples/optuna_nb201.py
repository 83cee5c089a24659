"""Optuna studies over NAS-Bench-201, answered by the benchmark table: archembed's sampler
(Bayesian optimisation on one-hot or arch2vec embeddings) against Optuna's TPE and random
samplers, all drawing architectures through ``suggest_arch`` (one categorical per cell edge).

Every study maximises the cifar10-valid validation accuracy (200 epochs, mean of the training
seeds) for ``--trials`` trials; the regret is the best accuracy of the table (91.61) minus the
study's best value. Finished studies are appended to ``--out`` (a CSV), so an interrupted run
resumes where it stopped; the table of regrets (mean ± std over seeds) is printed at the end.

    archembed pretrain arch2vec --space nb201 --recipe plain --seed 0 --threads 1 \\
        --out models/a2v-nb201
    python examples/optuna_nb201.py --seeds 30 --trials 100 --arch2vec models/a2v-nb201 \\
        --out optuna_nb201.csv
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import optuna

import archembed as ae
from archembed.integrations.optuna import ArchSampler, suggest_arch
from archembed.threads import set_threads

CHECKPOINTS = (25, 50, 100)
"""Trial counts at which the regret is recorded."""
FIELDS = ("sampler", "seed", "trials", *(f"regret@{n}" for n in CHECKPOINTS), "cpu_seconds")


def nb201_table() -> tuple[Callable[[optuna.trial.Trial], float], float]:
    """The objective (validation accuracy of the suggested cell) and the table's best value."""
    space = ae.load_space("nb201")
    graphs, values = ae.load_benchmark("nb201").labels("cifar10-valid", "val_acc", 200)
    table = {space.identity(g): float(v) for g, v in zip(graphs, values)}

    def objective(trial: optuna.trial.Trial) -> float:
        return table[space.identity(suggest_arch(trial, space))]

    return objective, float(values.max())


def make_sampler(name: str, seed: int, arch2vec: str | None) -> optuna.samplers.BaseSampler:
    """A fresh sampler of the comparison, seeded."""
    space = ae.load_space("nb201")
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "tpe-independent":
        return optuna.samplers.TPESampler(seed=seed, multivariate=False)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "bo-onehot":
        return ArchSampler(space, "onehot", seed=seed)
    if name == "bo-arch2vec":
        if arch2vec is None:
            raise SystemExit("bo-arch2vec needs --arch2vec MODEL_DIR")
        return ArchSampler(space, arch2vec, seed=seed)
    raise SystemExit(f"unknown sampler {name!r}")


def run_study(sampler: optuna.samplers.BaseSampler, objective, trials: int, best: float) -> dict:
    """One study; the regret after each checkpoint's number of trials and the CPU seconds."""
    start = time.process_time()
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=trials)
    values = np.maximum.accumulate([t.value for t in study.trials])
    row = {f"regret@{n}": round(float(best - values[n - 1]), 6) for n in CHECKPOINTS if n <= trials}
    return {**row, "cpu_seconds": round(time.process_time() - start, 2)}


def done_runs(path: Path) -> set[tuple[str, int]]:
    if not path.exists():
        return set()
    with path.open() as handle:
        return {(r["sampler"], int(r["seed"])) for r in csv.DictReader(handle)}


def summary(path: Path) -> None:
    """Print regret mean ± std per sampler and checkpoint, the number of seeds and the mean
    CPU seconds of a study."""
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    heads = " | ".join(f"regret @{n}" for n in CHECKPOINTS)
    print(f"| sampler | seeds | {heads} | CPU s per study |")
    print("|---|---|" + "---|" * (len(CHECKPOINTS) + 1))
    for name in dict.fromkeys(r["sampler"] for r in rows):
        mine = [r for r in rows if r["sampler"] == name]
        cells = []
        for n in CHECKPOINTS:
            found = [float(r[f"regret@{n}"]) for r in mine if r.get(f"regret@{n}")]
            cells.append(f"{np.mean(found):.3f} ± {np.std(found):.3f}" if found else "-")
        cpu = np.mean([float(r["cpu_seconds"]) for r in mine])
        print(f"| {name} | {len(mine)} | " + " | ".join(cells) + f" | {cpu:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument(
        "--samplers",
        default="random,tpe,tpe-independent,bo-onehot,bo-arch2vec",
        help="comma-separated",
    )
    parser.add_argument("--arch2vec", help="an arch2vec model directory pretrained on nb201")
    parser.add_argument("--out", type=Path, default=Path("optuna_nb201.csv"))
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    set_threads(args.threads)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    objective, best = nb201_table()
    done = done_runs(args.out)
    names = args.samplers.split(",")
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for name in names:
            if (name, seed) in done:
                continue
            sampler = make_sampler(name, seed, args.arch2vec)
            row = {"sampler": name, "seed": seed, "trials": args.trials}
            row.update(run_study(sampler, objective, args.trials, best))
            new = not args.out.exists()
            with args.out.open("a", newline="") as handle:
                writer = csv.DictWriter(handle, FIELDS)
                if new:
                    writer.writeheader()
                writer.writerow(row)
            print(row, flush=True)
    summary(args.out)


if __name__ == "__main__":
    main()
