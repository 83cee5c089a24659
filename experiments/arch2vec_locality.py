"""arch2vec + locality on NB201: does the locality metric loss help arch2vec pretraining?

Usage: ARCHEMBED_DATA=../shared/data python experiments/arch2vec_locality.py --out DIR
    [--models MODELS] [--variants plain margin multisimilarity] [--seeds 0 1 2] [--threads 1]

For every variant and pretraining seed it pretrains arch2vec on all 15,625 NB201 cells with
the paper's settings (10 epochs, 90/10 split, latent 16, batch 64; ``plain`` = no locality loss,
otherwise ``locality_loss`` = the variant with ``--weight``), saves the model under
MODELS/<variant>-s<seed>/ (default DIR/models) and measures

1. held-out reconstruction accuracy and the last epoch's validity/uniqueness check;
2. predictive power: GP on 250 random labelled cells, RMSE / Pearson r on the other cells with
   cifar10-valid 200-epoch validation accuracy > 80, 10 GP seeds (the ``archembed evaluate``
   predictive evaluation);
3. locality: centred cosine similarity and L2 distance between 300 random anchors and cells
   1-6 random edits away (the paper's Fig. 2 analysis of experiments/locality_analysis.py), the
   ratio of the mean L2 at distance d to the mean L2 of random pairs, and the Spearman
   correlation of edit and L2 distance over all pairs of a 1,000-step random walk
   (``archembed evaluate``'s smoothness evaluation).

Results: DIR/<variant>-s<seed>.json, one unit of the results store per model (a restart
skips finished ones), and DIR/summary.json + a Markdown table on stdout (mean ± std over
seeds).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from archembed.benchmarks import load_benchmark
from archembed.cli.script import run_script
from archembed.encoders.arch2vec import Arch2Vec
from archembed.encoders.base import load_encoder
from archembed.evaluation.predictive import predictive_power_of
from archembed.evaluation.smoothness import smoothness
from archembed.experiments.locality import edit_distance_profile
from archembed.experiments.results import ResultStore
from archembed.io import write_json
from archembed.spaces import get_space
from archembed.tables import markdown_table, mean_std_cell
from archembed.threads import set_threads

ANCHORS = 300
KIND = "arch2vec-locality"


def measure(variant: str, seed: int, args, graphs, targets, space) -> dict:
    """Pretrain (or load) one model and measure it: the unit DIR/<variant>-s<seed>.json."""
    directory = (args.models or args.out / "models") / f"{variant}-s{seed}"
    started = time.perf_counter()
    if (directory / "config.json").is_file():
        encoder = load_encoder(directory)
        seconds = None
    else:
        options = {} if variant == "plain" else {"locality_loss": variant}
        encoder = Arch2Vec(space, seed=seed, locality_weight=args.weight, **options)
        encoder.fit(space.enumerate(), progress=False)
        encoder.save(directory)
        seconds = time.perf_counter() - started
    last = encoder.history_[-1]
    started = time.perf_counter()
    predictive = predictive_power_of(encoder, graphs, targets, n_train=250, seeds=range(10))
    predictive_seconds = time.perf_counter() - started
    rng = np.random.default_rng(args.analysis_seed)
    anchors = space.sample(ANCHORS, rng)
    walk = smoothness(encoder, steps=1000, seed=args.analysis_seed)
    return {
        "variant": variant,
        "seed": seed,
        "config": encoder.config(),
        "pretrain_seconds": seconds,
        "predictive_seconds": predictive_seconds,
        "load_average": os.getloadavg()[0],
        "reconstruction_accuracy": encoder.reconstruction_accuracy(),
        "validity": last.get("validity"),
        "uniqueness": last.get("uniqueness"),
        "final_epoch": last,
        "rmse": predictive["rmse_mean"],
        "pearson": predictive["pearson_mean"],
        "predictive": predictive,
        "locality": edit_distance_profile(encoder, anchors, rng),
        "walk_spearman_edit_vs_l2": walk["spearman_edit_vs_l2"],
        "walk_by_edit_distance": walk["by_edit_distance"][:8],
    }


def fmt(values: list[float], digits: int) -> str:
    """``mean ± std`` over seeds (population std), or the value itself for one seed."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return mean_std_cell(values, digits)


HEADER = (
    "variant",
    "seeds",
    "recon %",
    "validity %",
    "GP RMSE",
    "GP Pearson",
    "cos d=1",
    "cos d=3",
    "cos d=5",
    "L2 d=1 / random",
    "walk Spearman",
)


def summarise(results: list[dict]) -> tuple[dict, str]:
    """Per variant: the values over seeds (JSON) and a Markdown table of mean ± std."""
    variants = list(dict.fromkeys(r["variant"] for r in results))
    summary: dict = {}
    table = []
    for variant in variants:
        rows = [r for r in results if r["variant"] == variant]

        def col(key, rows=rows):
            return [float(r[key]) for r in rows]

        def loc(key, d, rows=rows):
            return [
                r["locality"][key][r["locality"]["distance"].index(d)]
                if d in r["locality"]["distance"]
                else float("nan")
                for r in rows
            ]

        summary[variant] = {
            "seeds": [r["seed"] for r in rows],
            "reconstruction_accuracy": col("reconstruction_accuracy"),
            "validity": col("validity"),
            "rmse": col("rmse"),
            "pearson": col("pearson"),
            "cosine_by_distance": {d: loc("mean_cosine", d) for d in range(1, 7)},
            "relative_l2_by_distance": {d: loc("relative_l2", d) for d in range(1, 7)},
            "walk_spearman": col("walk_spearman_edit_vs_l2"),
        }
        table.append(
            [
                variant,
                len(rows),
                fmt([100 * v for v in col("reconstruction_accuracy")], 2),
                fmt([100 * v for v in col("validity")], 1),
                fmt(col("rmse"), 3),
                fmt(col("pearson"), 3),
                *(fmt(loc("mean_cosine", d), 3) for d in (1, 3, 5)),
                fmt(loc("relative_l2", 1), 3),
                fmt(col("walk_spearman_edit_vs_l2"), 3),
            ]
        )
    lines = [*markdown_table(HEADER, table), "", *paired_lines(results)]
    return summary, "\n".join(lines)


def paired_lines(results: list[dict]) -> list[str]:
    """Each variant against ``plain`` on the same (pretraining seed, GP split) pairs."""
    plain = {r["seed"]: r for r in results if r["variant"] == "plain"}
    table = []
    for variant in dict.fromkeys(r["variant"] for r in results):
        if variant == "plain":
            continue
        d_rmse, d_r = [], []
        for r in results:
            if r["variant"] != variant or r["seed"] not in plain:
                continue
            base = {run["seed"]: run for run in plain[r["seed"]]["predictive"]["runs"]}
            for run in r["predictive"]["runs"]:
                d_rmse.append(run["rmse"] - base[run["seed"]]["rmse"])
                d_r.append(run["pearson"] - base[run["seed"]]["pearson"])
        if d_rmse:
            table.append(
                [
                    variant,
                    len(d_rmse),
                    fmt(d_rmse, 3),
                    f"{int(np.sum(np.array(d_rmse) < 0))}/{len(d_rmse)}",
                    fmt(d_r, 3),
                    f"{int(np.sum(np.array(d_r) > 0))}/{len(d_r)}",
                ]
            )
    header = ("variant - plain", "pairs", "Δ RMSE", "RMSE lower in", "Δ Pearson")
    return markdown_table((*header, "Pearson higher in"), table)


def parse() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the results directory")
    parser.add_argument("--variants", nargs="+", default=["plain", "margin", "multisimilarity"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--models", type=Path, help="model directory (default: OUT/models)")
    parser.add_argument("--weight", type=float, default=0.5, help="locality_weight (lambda_e)")
    parser.add_argument("--analysis-seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args()


def main() -> None:
    """Measure the missing models, then summarise every one asked for."""
    args = parse()
    set_threads(args.threads)
    settings = {"weight": args.weight, "analysis_seed": args.analysis_seed}
    legacy = (
        *(f"{v}-s{seed}.json" for v in args.variants for seed in args.seeds),
        "summary.json",
        "models",
        "bo",
    )
    store = ResultStore(args.out, KIND, settings, legacy=legacy)
    space = get_space("nb201")
    graphs, targets = load_benchmark("nb201").labels("cifar10-valid", "val_acc", epoch=200)
    results = []
    for seed in args.seeds:
        for variant in args.variants:
            result = store.compute(
                f"{variant}-s{seed}",
                lambda variant=variant, seed=seed: measure(
                    variant, seed, args, graphs, targets, space
                ),
            )
            results.append(result)
            print(
                f"{variant} seed {seed}: recon {result['reconstruction_accuracy']:.4f} "
                f"rmse {result['rmse']:.3f} pearson {result['pearson']:.3f} "
                f"({result['pretrain_seconds']} s, load {result['load_average']:.1f})",
                flush=True,
            )
    summary, table = summarise(results)
    write_json(
        store.directory / "summary.json",
        {"settings": vars(args) | {"out": None, "models": None}, **summary},
    )
    print(table)


if __name__ == "__main__":
    run_script(main)
