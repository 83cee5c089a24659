"""Which arch2vec recipe searches best: plain vs official embeddings under GP-BO and DNGO.

For each pretraining seed, pretrains arch2vec on NAS-Bench-201 with archembed's plain VAE
recipe and with the complete official recipe, and searches nb201/cifar10-valid with each model
and each strategy (``--seeds`` search seeds x ``--queries`` queries, every unseen cell a candidate);
optionally one-hot GP-BO as a reference. Writes ``results.md`` under ``--out``:

- per pretraining seed and run: final incumbent validation / test accuracy, regret, regret
  averaged over every query ("anytime"), mean ± sample std over search seeds;
- per pretraining seed and strategy, plain vs official paired by search seed (the same
  seed draws the same initial cells): share of seeds where the plain one ends lower, ties,
  Wilcoxon signed-rank and Mann-Whitney U p-values;
- across pretraining seeds (the model is the unit): each model's mean regret over its first
  ``--seeds`` search seeds, and a Mann-Whitney U test over those model means.

Every step is resumable: a model already written is reused and a search continues its seeds.

    python experiments/arch2vec_recipe_search.py --data-dir /path/to/data --out runs/recipes \
        --pretrain-seeds 0,1,2,3,4,5 --seeds 10 --queries 100 --threads 1 --onehot
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from archembed.tables import markdown_table, mean_std_cell

BENCHMARK = "nb201/cifar10-valid"
RECIPES = ("plain", "official")
STRATEGIES = ("bo", "dngo")
COMPARED = ("regret", "anytime_regret")


def archembed(args: list[str]) -> None:
    """Run one archembed command in this interpreter's environment; stop if it fails."""
    subprocess.run([sys.executable, "-m", "archembed", *args], check=True)


def pretrain(recipe: str, out: Path, seed: int, threads: int) -> Path:
    """Pretrain arch2vec on NB201 with ``recipe`` unless its model directory is complete."""
    model = out / "models" / recipe
    if not (model / "state.pt").is_file():
        command = ["pretrain", "arch2vec", "--space", "nb201", "--seed", str(seed)]
        command += ["--recipe", recipe, "--threads", str(threads), "--out", str(model)]
        archembed(command)
    return model


def finished(run: Path, seeds: int) -> bool:
    """Whether search seeds ``0..seeds-1`` of ``run`` all ended ``ok``."""
    summaries = [run / str(seed) / "summary.json" for seed in range(seeds)]
    return all(p.is_file() and json.loads(p.read_text()).get("status") == "ok" for p in summaries)


def search(strategy: str, encoder: str, run: Path, args: argparse.Namespace) -> Path:
    """One resumable search run of ``strategy`` on ``encoder`` (not relaunched when its seeds
    are done); its directory."""
    if finished(run, args.seeds):
        return run
    command = ["search", "--benchmark", BENCHMARK, "--strategy", strategy, "--encoder", encoder]
    command += ["--queries", str(args.queries), "--seeds", str(args.seeds), "--workers", "1"]
    command += ["--threads", str(args.threads), "--data-dir", str(args.data_dir)]
    archembed([*command, "--quiet", "--out", str(run)])
    return run


def finals(run: Path) -> pd.DataFrame:
    """Per search seed (index): final incumbent validation / test, regret, and the regret
    averaged over every query (how fast the search gets there)."""
    rows = [json.loads(path.read_text()) for path in sorted(run.glob("*/summary.json"))]
    frame = pd.DataFrame([r for r in rows if r.get("status") == "ok"]).set_index("seed")
    frame["anytime_regret"] = [
        pd.read_parquet(run / str(seed) / "trajectory.parquet")["regret"].mean()
        for seed in frame.index
    ]
    columns = ["incumbent_val", "incumbent_test", *COMPARED, "wall_seconds"]
    return frame[columns].sort_index()


def mean_std(values: pd.Series, digits: int) -> str:
    """``mean ± sample std`` of ``values``."""
    return mean_std_cell(values, digits, ddof=1)


def p_values(a: np.ndarray, b: np.ndarray, paired: bool) -> list[str]:
    """Wilcoxon signed-rank (paired only) and Mann-Whitney U p-values of ``a`` vs ``b``."""
    if np.allclose(a, b):
        return ["1", "1"] if paired else ["1"]
    rank_sum = f"{stats.mannwhitneyu(a, b).pvalue:.3g}"
    return [f"{stats.wilcoxon(a, b).pvalue:.3g}", rank_sum] if paired else [rank_sum]


def runs_table(frames: dict[tuple[str, str], pd.DataFrame]) -> list[str]:
    """One row per (pretraining seed, strategy / encoder)."""
    header = (
        "pretraining seed",
        "strategy / encoder",
        "search seeds",
        "validation",
        "test",
        "regret",
        "anytime regret",
        "seed wall (s)",
    )
    rows = [
        [
            pretrain_seed,
            label,
            len(frame),
            mean_std(frame["incumbent_val"], 2),
            mean_std(frame["incumbent_test"], 2),
            mean_std(frame["regret"], 3),
            mean_std(frame["anytime_regret"], 3),
            mean_std(frame["wall_seconds"], 1),
        ]
        for (pretrain_seed, label), frame in frames.items()
    ]
    return markdown_table(header, rows, align="rlrllllr")


def paired_table(frames: dict[tuple[str, str], pd.DataFrame], seeds: list[int]) -> list[str]:
    """Per pretraining seed and strategy: plain vs official paired by search seed."""
    header = ("pretraining seed", "strategy", "compared", "search seeds", "plain better")
    header += ("tied", "Wilcoxon p", "Mann-Whitney p")
    rows = []
    for seed in seeds:
        for strategy in STRATEGIES:
            plain = frames.get((str(seed), f"{strategy}/plain"))
            official = frames.get((str(seed), f"{strategy}/official"))
            if plain is None or official is None:
                continue
            common = plain.index.intersection(official.index)
            for column in COMPARED:
                a, b = (
                    plain.loc[common, column].to_numpy(),
                    official.loc[common, column].to_numpy(),
                )
                better, tied = f"{np.mean(a < b):.0%}", f"{np.mean(np.isclose(a, b)):.0%}"
                p = p_values(a, b, paired=True)
                rows.append([seed, strategy, column, len(common), better, tied, *p])
    return markdown_table(header, rows, align="rllrrrrr")


def model_means(
    frames: dict[tuple[str, str], pd.DataFrame], label: str, column: str, first: int
) -> pd.Series:
    """Each ``label`` model's mean ``column`` over its first ``first`` search seeds, indexed by
    pretraining seed."""
    return pd.Series(
        {
            seed: frame[column].iloc[:first].mean()
            for (seed, lab), frame in frames.items()
            if lab == label
        },
        dtype=float,
    )


def lower_share(a: pd.Series, b: pd.Series) -> str:
    """``k of n``: pretraining seeds (present in both) whose ``a`` model mean is below ``b``'s."""
    common = a.index.intersection(b.index)
    return f"{int((a[common] < b[common]).sum())} of {len(common)}"


def models_table(frames: dict[tuple[str, str], pd.DataFrame], first: int) -> list[str]:
    """Across pretraining seeds: per-model mean over its first ``first`` search seeds."""
    header = ("strategy", "compared", "models (plain / official)", "plain: model means")
    header += ("official: model means", "plain lower", "Mann-Whitney p")
    rows = []
    for strategy in STRATEGIES:
        for column in COMPARED:
            a, b = (
                model_means(frames, f"{strategy}/{recipe}", column, first) for recipe in RECIPES
            )
            if len(a) < 2 or len(b) < 2:
                continue
            p = p_values(a.to_numpy(), b.to_numpy(), paired=False)
            counts = f"{len(a)} / {len(b)}"
            cells = [mean_std(a, 3), mean_std(b, 3), lower_share(a, b)]
            rows.append([strategy, column, counts, *cells, *p])
    return markdown_table(header, rows, align="llrllrr")


def report(runs: dict[tuple[str, str], Path], args: argparse.Namespace) -> str:
    """The three Markdown tables of the module docstring."""
    frames = {key: finals(run) for key, run in runs.items()}
    seeds = [int(s) for s in args.pretrain_seeds.split(",")]
    tables = [runs_table(frames), paired_table(frames, seeds), models_table(frames, args.seeds)]
    return "\n\n".join("\n".join(lines) for lines in tables) + "\n"


def parse() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="benchmark data directory")
    parser.add_argument("--out", type=Path, required=True, help="models, runs and results.md")
    parser.add_argument("--pretrain-seeds", default="0", help="comma-separated, e.g. 0,1,2")
    parser.add_argument("--seeds", type=int, default=30, help="search seeds per run")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--strategies", default=",".join(STRATEGIES), help="bo,dngo or one")
    parser.add_argument("--onehot", action="store_true", help="add one-hot GP-BO as reference")
    return parser.parse_args()


def main() -> None:
    """Pretrain both recipes per seed, search with each strategy, write and print the tables."""
    args = parse()
    runs: dict[tuple[str, str], Path] = {}
    for seed in args.pretrain_seeds.split(","):
        folder = args.out / f"pretrain-{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        models = {r: pretrain(r, folder, int(seed), args.threads) for r in RECIPES}
        for strategy in args.strategies.split(","):
            for recipe, model in models.items():
                run = folder / "runs" / f"{strategy}-{recipe}"
                runs[seed, f"{strategy}/{recipe}"] = search(strategy, str(model), run, args)
    if args.onehot:
        runs["-", "bo/onehot"] = search("bo", "onehot", args.out / "bo-onehot", args)
    text = report(runs, args)
    (args.out / "results.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
