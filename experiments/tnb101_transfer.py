"""Cross-task transfer on TransNAS-Bench-101 micro: train on one task, rank another's cells.

For every predictor, share of labels and seed: draw the training cells from the 4,096 cells
(``training_subset``: the same cells for every task, predictor and source; the 1 % draw is
the first 41 cells of the 10 % draw), fit on the source task's labels, predict every other
cell, and score the ranking of each target task's labels by Kendall tau: one 7 x 7 matrix per
run (rows: source task, columns: target task). The ``labels`` matrix is the tau between the
tasks' own labels over all cells: what a perfect source-task predictor would reach.

Predictors are ``archembed predict`` specs: ``onehot+gp``, ``gates``, ``tagates``,
``arch2vec+gp`` (``--model arch2vec=DIR``: an NB201 arch2vec model), ``contrastive+gp``
(``--model contrastive=DIR``: a contrastive model whose feature stores hold the 4,096 cells).
Each run is saved under ``--out/runs`` and reused. Writes ``results.json``, ``results.md``
and one heatmap PNG per predictor under ``--out``.

    python experiments/tnb101_transfer.py --data-dir /path/to/data --out runs/tnb101 \
        --predictors onehot+gp,gates,arch2vec+gp --model arch2vec=runs/arch2vec-nb201 \
        --shares 0.01,0.1 --seeds 3 --limit tagates:0.1:1 --threads 1
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from archembed.benchmarks import load_benchmark
from archembed.benchmarks.importers.tnb101 import TASKS
from archembed.encoders.base import Encoder
from archembed.graph import ArchGraph
from archembed.predictors.arch import tabulated
from archembed.predictors.metrics import kendall_tau
from archembed.predictors.models import build_predictor, fitted_embedder, parse_spec
from archembed.predictors.protocol import training_subset
from archembed.spaces.base import SearchSpace
from archembed.threads import apply_torch_threads, set_threads
from archembed.viz.figure import new_figure, save_figure

SHORT = ("scene", "object", "jigsaw", "segment", "normal", "autoenc", "layout")
"""Axis labels of :data:`TASKS`, in order."""


def load_targets(data_dir: str | None) -> tuple[SearchSpace, list[ArchGraph], np.ndarray]:
    """The benchmark's space, its 4,096 cells and their ``val_acc`` per task, (4096, 7)."""
    bench = load_benchmark("tnb101_micro", data_dir)
    graphs = bench.graphs()
    return bench.space, graphs, np.stack([bench.query(graphs, task) for task in TASKS], axis=1)


def label_matrix(y: np.ndarray) -> np.ndarray:
    """Kendall tau between the labels of every pair of tasks, over all cells."""
    n = y.shape[1]
    return np.array([[kendall_tau(y[:, s], y[:, t]) for t in range(n)] for s in range(n)])


def transfer_run(
    spec: str,
    space: SearchSpace,
    encoder: Encoder | None,
    graphs: list[ArchGraph],
    y: np.ndarray,
    share: float,
    seed: int,
    sources: tuple[str, ...] = TASKS,
) -> dict[str, Any]:
    """One 7 x 7 matrix of ``spec`` trained on ``share`` of the cells (seed ``seed``); the
    rows of tasks not in ``sources`` are NaN (not trained)."""
    parsed = parse_spec(spec)
    train = training_subset(len(graphs), share, seed)
    test = np.setdiff1d(np.arange(len(graphs)), train)
    train_graphs, test_graphs = [graphs[i] for i in train], [graphs[i] for i in test]
    matrix, constant, started = [], [], time.process_time()
    for source, task in enumerate(TASKS):
        if task not in sources:
            matrix.append([float("nan")] * len(TASKS))
            continue
        predictor = build_predictor(parsed, space, seed, {}, encoder)
        predictor.fit(train_graphs, y[train, source])
        predicted = np.asarray(predictor.predict(test_graphs))
        if np.ptp(predicted) == 0:  # a constant ranking carries no order: tau 0, not NaN
            constant.append(task)
            matrix.append([0.0] * len(TASKS))
            continue
        matrix.append([kendall_tau(y[test, target], predicted) for target in range(len(TASKS))])
    return {
        "spec": spec,
        "share": share,
        "seed": seed,
        "n_train": len(train),
        "n_test": len(test),
        "cpu_seconds": round(time.process_time() - started, 1),
        "tau": matrix,
        "constant": constant,
    }


def embedder(spec: str, space: SearchSpace, graphs: list[ArchGraph], models: dict[str, str]):
    """The fitted self-supervised encoder of ``spec`` with every cell embedded once (or None)."""
    parsed = parse_spec(spec)
    if parsed.supervised:
        return None
    encoder = fitted_embedder(parsed, space, graphs, model_dir=models.get(parsed.encoder))
    return tabulated(encoder, graphs)


Plan = list[tuple[str, list[float], int, tuple[str, ...]]]


def plan(args: argparse.Namespace) -> Plan:
    """(predictor, shares, number of seeds, source tasks) entries; each ``--limit
    SPEC:SHARES:SEEDS[:TASKS]`` replaces the default entry of SPEC (TASKS: comma-separated
    source tasks), and several limits of one SPEC are all run."""
    limits: dict[str, list[tuple[list[float], int, tuple[str, ...]]]] = {}
    for text in args.limit:
        spec, shares, seeds, *tasks = text.split(":")
        sources = tuple(tasks[0].split(",")) if tasks else TASKS
        limits.setdefault(spec, []).append(
            ([float(s) for s in shares.split(",")], int(seeds), sources)
        )
    out: Plan = []
    for spec in dict.fromkeys([*args.predictors, *limits]):
        for shares, seeds, sources in limits.get(spec, [(args.shares, args.seeds, TASKS)]):
            out.append((spec, shares, seeds, sources))
    return out


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    """Every (predictor, share, seed) run, each loaded from ``--out/runs`` when done before."""
    space, graphs, y = load_targets(args.data_dir)
    runs_dir = args.out / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"tasks": list(TASKS), "labels": label_matrix(y).tolist()}
    results["runs"] = []
    encoders: dict[str, Any] = {}
    for spec, shares, seeds, sources in plan(args):
        for share in shares:
            for seed in range(seeds):
                rows = "" if sources == TASKS else "-" + "_".join(sources)
                path = runs_dir / f"{spec.replace('+', '_')}-{share:g}-{seed}{rows}.json"
                if not path.is_file():
                    if spec not in encoders:
                        encoders[spec] = embedder(spec, space, graphs, args.models)
                    run = transfer_run(spec, space, encoders[spec], graphs, y, share, seed, sources)
                    path.write_text(json.dumps(run, indent=1))
                    print(f"{spec} {share:g} seed {seed}: {run['cpu_seconds']} s", flush=True)
                results["runs"].append(json.loads(path.read_text()))
    return results


def merged_runs(runs: list[dict[str, Any]]) -> dict[tuple[str, float, int], np.ndarray]:
    """One tau matrix per (predictor, share, seed): runs of the same seed trained on different
    source tasks fill each other's rows (a row stays NaN where no run trained it)."""
    found: dict[tuple[str, float, int], np.ndarray] = {}
    for run in runs:
        key = (run["spec"], run["share"], run["seed"])
        tau = np.array(run["tau"], dtype=float)
        found[key] = np.where(np.isnan(tau), found[key], tau) if key in found else tau
    return found


def summary(results: dict[str, Any]) -> dict[tuple[str, float], dict[str, Any]]:
    """Mean, std and seed count of the tau matrices per (predictor, share); per cell over the
    seeds that trained its row (``n`` counts seeds with any trained row)."""
    groups: dict[tuple[str, float], list[np.ndarray]] = {}
    for (spec, share, _), tau in merged_runs(results["runs"]).items():
        groups.setdefault((spec, share), []).append(tau)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: not trained
        return {
            key: {
                "mean": np.nanmean(ms, axis=0),
                "std": np.nanstd(ms, axis=0, ddof=1)
                if len(ms) > 1
                else np.full_like(ms[0], np.nan),
                "n": len(ms),
                "n_train": next(
                    r["n_train"] for r in results["runs"] if (r["spec"], r["share"]) == key
                ),
            }
            for key, ms in groups.items()
        }


def _cell(mean: float, std: float) -> str:
    """``mean ± std``, ``mean`` when std is unknown, ``-`` for an untrained row."""
    if np.isnan(mean):
        return "-"
    return f"{mean:.2f}" + ("" if np.isnan(std) else f" ± {std:.2f}")


def markdown_matrix(mean: np.ndarray, std: np.ndarray | None = None) -> str:
    """A 7 x 7 Markdown table, source tasks as rows; ``mean ± std`` when std is known."""
    lines = ["| train \\ rank | " + " | ".join(SHORT) + " |", "|---" * (len(SHORT) + 1) + "|"]
    for i, name in enumerate(SHORT):
        cells = [_cell(mean[i, j], np.nan if std is None else std[i, j]) for j in range(len(SHORT))]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_markdown(results: dict[str, Any], stats: dict, path: Path) -> None:
    """Every matrix as Markdown, plus the diagonal / off-diagonal means per predictor."""
    parts = ["# TransNAS-Bench-101 micro: cross-task transfer (Kendall tau)", ""]
    parts += ["## Task labels against each other (all 4,096 cells)", ""]
    parts += [markdown_matrix(np.array(results["labels"])), ""]
    rows = ["| predictor | labels | runs | same task | other tasks |", "|---|---|---|---|---|"]
    off = ~np.eye(len(TASKS), dtype=bool)
    for (spec, share), s in stats.items():
        same, other = np.nanmean(np.diag(s["mean"])), np.nanmean(s["mean"][off])
        rows.append(
            f"| {spec} | {share:.0%} ({s['n_train']}) | {s['n']} | {same:.3f} | {other:.3f} |"
        )
        parts += [f"## {spec}, {share:.0%} of labels ({s['n_train']} cells), {s['n']} seed(s)", ""]
        parts += [markdown_matrix(s["mean"], s["std"]), ""]
    parts[2:2] = ["## Summary (mean tau over the diagonal / off-diagonal cells)", "", *rows, ""]
    path.write_text("\n".join(parts))


def heatmap(spec: str, stats: dict, path: Path) -> None:
    """One panel per share: the mean tau matrix of ``spec``, annotated."""
    shares = sorted(share for s, share in stats if s == spec)
    figure = new_figure(4.6 * len(shares), 4.4)
    for k, share in enumerate(shares):
        s = stats[(spec, share)]
        axes = figure.add_subplot(1, len(shares), k + 1)
        image = axes.imshow(s["mean"], vmin=-0.2, vmax=0.8, cmap="viridis")
        for i in range(len(TASKS)):
            for j in range(len(TASKS)):
                value = s["mean"][i, j]
                if np.isnan(value):
                    continue
                colour = "white" if value < 0.3 else "black"
                axes.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, c=colour)
        axes.set_xticks(range(len(TASKS)), SHORT, rotation=45, fontsize=8)
        axes.set_yticks(range(len(TASKS)), SHORT, fontsize=8)
        axes.set_xlabel("ranked task")
        axes.set_ylabel("trained on")
        axes.set_title(f"{spec}, {share:.0%} labels, {s['n']} seed(s)", fontsize=9)
    figure.colorbar(image, ax=figure.axes, shrink=0.8, label="Kendall tau")
    save_figure(figure, path)


def main() -> None:
    """Parse the options, run or reuse every run, write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data-dir")
    parser.add_argument("--predictors", default="onehot+gp,gates")
    parser.add_argument("--model", action="append", default=[], help="ENCODER=DIR")
    parser.add_argument("--shares", default="0.01,0.1")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--limit", action="append", default=[], help="SPEC:SHARES:SEEDS[:TASKS]")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    args.predictors = args.predictors.split(",")
    args.shares = [float(s) for s in args.shares.split(",")]
    args.models = dict(text.split("=", 1) for text in args.model)
    set_threads(args.threads)
    apply_torch_threads()
    results = run_all(args)
    stats = summary(results)
    (args.out / "results.json").write_text(json.dumps(results, indent=1))
    write_markdown(results, stats, args.out / "results.md")
    for spec in dict.fromkeys(spec for spec, _ in stats):
        heatmap(spec, stats, args.out / f"heatmap_{spec.replace('+', '_')}.png")


if __name__ == "__main__":
    main()
