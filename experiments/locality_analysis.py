"""Locality analyses (Choi et al. Fig. 1-2) on NB101 and NB201.

Usage: ARCHEMBED_DATA=../shared/data python experiments/locality_analysis.py --out DIR
    [--spaces ...]
Per space (a unit of the results store: a restart skips finished spaces) it writes
DIR/<space>_locality.json and PNGs:
1. edit distance vs absolute validation-accuracy difference between labelled cells
   (NB201 cifar10-valid 200 epochs: all 15,625 cells; NB101 cifar10 108 epochs: the 11,000
   labelled cells), over every pair of ``--pair-cells`` random cells with all labelled cells;
2. edit distance vs embedding cosine similarity for a controller pretrained without
   (NoMetricLoss) and with a metric loss, on cells 1-6 random edits from random anchors;
3. DIR/<space>_embeddings.npz: embeddings of anchors and their positives for the 2-D plot
   (DIR/<space>_umap_<loss>.png: a UMAP with one colour per anchor).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from archembed.benchmarks import load_benchmark
from archembed.cli.script import run_script
from archembed.encoders.locality import positive_samples
from archembed.encoders.nao import NAOEncoder
from archembed.experiments.locality import edit_distance_profile, pretrained_controller
from archembed.experiments.results import ResultStore
from archembed.io import atomic_path
from archembed.threads import set_threads
from archembed.viz.figure import new_figure, save_figure
from archembed.viz.projection import project_2d

LABELS = {"nb201": ("cifar10-valid", 200), "nb101": ("cifar10", 108)}
KIND = "locality-analysis"
COSINE_KEYS = ("distance", "mean_cosine", "pairs", "random_pairs_cosine")


def padded_arrays(graphs, max_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Flattened padded adjacency (n, N*N) and op names as codes (n, N), for edit distances."""
    adj = np.zeros((len(graphs), max_nodes * max_nodes), dtype=np.uint8)
    names: dict[str, int] = {}
    ops = np.zeros((len(graphs), max_nodes), dtype=np.int16)
    for i, graph in enumerate(graphs):
        a, o = graph.padded(max_nodes)
        adj[i] = a.ravel()
        ops[i] = [names.setdefault(op, len(names)) for op in o]
    return adj, ops


def distance_vs_accuracy(bench, space_name: str, n_cells: int, rng) -> dict:
    """Mean/std of |accuracy difference| per edit distance over pairs of labelled cells."""
    dataset, epoch = LABELS[space_name]
    graphs, values = bench.labels(dataset, "val_acc", epoch=epoch)
    adj, ops = padded_arrays(graphs, bench.space.max_nodes)
    sums = np.zeros(64)
    squares = np.zeros(64)
    counts = np.zeros(64, dtype=np.int64)
    for i in rng.choice(len(graphs), size=n_cells, replace=False):
        distance = (adj != adj[i]).sum(1) + (ops != ops[i]).sum(1)
        diff = np.abs(values - values[i])
        keep = distance > 0
        np.add.at(sums, distance[keep], diff[keep])
        np.add.at(squares, distance[keep], diff[keep] ** 2)
        np.add.at(counts, distance[keep], 1)
    used = np.flatnonzero(counts)
    mean = sums[used] / counts[used]
    std = np.sqrt(np.maximum(squares[used] / counts[used] - mean**2, 0))
    return {
        "dataset": dataset,
        "epoch": epoch,
        "distance": used.tolist(),
        "pairs": counts[used].tolist(),
        "mean_abs_diff": mean.tolist(),
        "std_abs_diff": std.tolist(),
    }


def pretrained(space_name: str, loss: str, args) -> tuple[NAOEncoder, float]:
    """A pretrained controller and its pretraining seconds."""
    started = time.perf_counter()
    encoder = pretrained_controller(
        space_name, loss, args.anchors, args.epochs, args.hidden, args.seed
    )
    return encoder, time.perf_counter() - started


def cosine_by_distance(encoder: NAOEncoder, anchors, rng) -> dict:
    """Mean centred cosine between anchors and cells k edits away (k = 1..6), and random."""
    profile = edit_distance_profile(encoder, anchors, rng)
    return {key: profile[key] for key in COSINE_KEYS}


def plot_accuracy(result: dict, space_name: str, path: Path) -> None:
    """Mean |accuracy difference| per edit distance, with a ± 1 std band cut at 0 (|Δ| >= 0)."""
    figure = new_figure(5, 3.5)
    axes = figure.add_subplot()
    mean, std = np.asarray(result["mean_abs_diff"]), np.asarray(result["std_abs_diff"])
    axes.fill_between(
        result["distance"], np.maximum(mean - std, 0), mean + std, alpha=0.25, label="± 1 std"
    )
    axes.plot(result["distance"], mean, "o-", label="mean")
    axes.set_ylim(bottom=0)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="upper left")
    axes.set_xlabel("edit distance")
    axes.set_ylabel("|validation accuracy difference| (%)")
    axes.set_title(f"{space_name}: {result['dataset']}, {result['epoch']} epochs")
    save_figure(figure, path)


def plot_cosine(results: dict[str, dict], space_name: str, path: Path) -> None:
    """Mean centred cosine per edit distance, one line per loss (dashed: its random pairs)."""
    figure = new_figure(5, 3.5)
    axes = figure.add_subplot()
    for loss, result in results.items():
        line = axes.plot(result["distance"], result["mean_cosine"], "o-", label=loss)
        axes.axhline(result["random_pairs_cosine"], ls="--", color=line[0].get_color())
    axes.set_xlabel("edit distance")
    axes.set_ylabel("centred cosine (dashed: random pairs)")
    axes.set_title(f"{space_name}: controller embeddings")
    axes.legend()
    save_figure(figure, path)


def projection_samples(encoder: NAOEncoder, rng, n_anchors: int, per_anchor: int):
    space = encoder.space
    anchors = space.sample(n_anchors, rng)
    graphs, labels = [], []
    for label, anchor in enumerate(anchors):
        graphs += [anchor, *positive_samples(space, anchor, per_anchor, 3, rng)]
        labels += [label] * (per_anchor + 1)
    return encoder.transform(graphs), np.asarray(labels)


def plot_anchor_map(embeddings: np.ndarray, labels: np.ndarray, path: Path, title: str) -> None:
    """2-D UMAP of anchors (stars) and their positives, one distinct colour per anchor."""
    points = project_2d(embeddings, "umap")
    figure = new_figure(6.0, 5.0)
    axes = figure.add_subplot()
    palette = colormaps["tab20"].colors
    colours = [*palette[::2], *palette[1::2]]  # the 10 strong colours, then the light ones
    anchor = np.r_[True, labels[1:] != labels[:-1]]  # each anchor precedes its positives
    for label in np.unique(labels):
        colour = colours[int(label) % len(colours)]
        mine = labels == label
        axes.scatter(*points[mine & ~anchor].T, s=6, color=colour, linewidths=0)
        axes.scatter(*points[mine & anchor].T, s=60, marker="*", color=colour, edgecolors="k")
    axes.legend(
        handles=[
            Line2D([], [], ls="", marker="*", ms=9, color="grey", mec="k", label="anchor"),
            Line2D([], [], ls="", marker="o", ms=3, color="grey", label="positive (1-3 edits)"),
        ],
        title="colour = anchor",
        fontsize=8,
    )
    axes.set_title(title, fontsize=9)
    axes.set_xlabel("UMAP 1")
    axes.set_ylabel("UMAP 2")
    axes.set_xticks([])
    axes.set_yticks([])
    save_figure(figure, path)


def plot_projections(out: Path, spaces: list[str]) -> None:
    """2-D UMAP of anchors and positives per saved model, coloured by anchor."""
    for space_name in spaces:
        path = out / f"{space_name}_embeddings.npz"
        if not path.is_file():
            continue
        arrays = np.load(path)
        for key in arrays.files:
            if key.endswith("_embeddings"):
                loss = key.removesuffix("_embeddings")
                plot_anchor_map(
                    arrays[key],
                    arrays["labels"],
                    out / f"{space_name}_umap_{loss}.png",
                    f"{space_name}, metric loss {loss}: 15 anchors + 30 positives each",
                )


def analyse(space_name: str, args: argparse.Namespace) -> dict:
    """One space's analyses and plots: the unit DIR/<space>_locality.json."""
    rng = np.random.default_rng(args.seed)
    bench = load_benchmark(space_name)
    accuracy = distance_vs_accuracy(bench, space_name, args.pair_cells, rng)
    plot_accuracy(accuracy, space_name, args.out / f"{space_name}_distance_vs_accuracy.png")
    cosine, seconds, arrays = {}, {}, {}
    anchors = bench.space.sample(300, rng)
    for loss in args.losses:
        encoder, seconds[loss] = pretrained(space_name, loss, args)
        cosine[loss] = cosine_by_distance(encoder, anchors, np.random.default_rng(args.seed))
        z, labels = projection_samples(encoder, np.random.default_rng(args.seed + 1), 15, 30)
        arrays[f"{loss}_embeddings"], arrays["labels"] = z, labels
    plot_cosine(cosine, space_name, args.out / f"{space_name}_distance_vs_cosine.png")
    with atomic_path(args.out / f"{space_name}_embeddings.npz") as tmp, tmp.open("wb") as f:
        np.savez(f, **arrays)
    print(f"{space_name}: done (load {os.getloadavg()[0]:.1f})", flush=True)
    return {
        "settings": {k: v for k, v in vars(args).items() if k != "out"},
        "distance_vs_accuracy": accuracy,
        "distance_vs_cosine": cosine,
        "pretrain_seconds": seconds,
        "load_average": os.getloadavg()[0],
    }


def parse() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the results directory")
    parser.add_argument("--spaces", nargs="+", default=["nb201", "nb101"], choices=list(LABELS))
    parser.add_argument("--losses", nargs="+", default=["none", "margin"])
    parser.add_argument("--pair-cells", type=int, default=1000)
    parser.add_argument("--anchors", type=int, default=4000, help="pretraining anchors")
    parser.add_argument("--epochs", type=int, default=2, help="pretraining epochs")
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--plot-only", action="store_true", help="only redraw the 2-D plots")
    return parser.parse_args()


def main() -> None:
    """Analyse the spaces not finished yet, then draw the 2-D plots."""
    args = parse()
    set_threads(args.threads)
    keep = ("losses", "pair_cells", "anchors", "epochs", "hidden", "seed")
    legacy = tuple(
        f"{space}_{name}"
        for space in LABELS
        for name in (
            "locality.json",
            "embeddings.npz",
            "distance_vs_accuracy.png",
            "distance_vs_cosine.png",
            *(f"umap_{loss}.png" for loss in args.losses),
        )
    )
    store = ResultStore(args.out, KIND, {k: vars(args)[k] for k in keep}, legacy=legacy)
    for space_name in [] if args.plot_only else args.spaces:
        store.compute(f"{space_name}_locality", lambda name=space_name: analyse(name, args))
    plot_projections(store.directory, args.spaces)


if __name__ == "__main__":
    run_script(main)
