"""Run every embedding evaluation for one model and benchmark into a directory (JSON + PNGs).

Files: ``pretraining.json`` (encoders with a decoder), ``predictive.json``, ``smoothness.json``
and ``smoothness.png``, ``tsne.json`` and ``tsne.png``, ``neighbours.json`` and
``neighbours.png``, and ``summary.json`` with the headline numbers.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from archembed.benchmarks.base import Benchmark
from archembed.checks import check_choice, check_float, check_int, check_seed
from archembed.encoders.base import GraphDecoder
from archembed.encoders.cellwise import encoder_for_space
from archembed.errors import ConfigError
from archembed.evaluation.neighbours import neighbour_sequence
from archembed.evaluation.predictive import predictive_power
from archembed.evaluation.pretraining import pretraining_quality
from archembed.evaluation.smoothness import smoothness
from archembed.io import write_json
from archembed.predictors import EmbeddingPredictor, make_predictor, tabulated
from archembed.progress import ProgressBar
from archembed.viz.neighbours import plot_cell_sequence
from archembed.viz.projection import PROJECTIONS, plot_embedding_2d
from archembed.viz.smoothness import plot_smoothness

MAX_COUNT = 1_000_000
"""Upper bound of the size settings (samples, training archs, walk steps, points)."""


@dataclass(frozen=True)
class EvaluationSettings:
    """Sizes of each evaluation (defaults follow the arch2vec paper where it gives them)."""

    dataset: str
    metric: str = "val_acc"
    epoch: int | None = None
    samples: int = 10_000
    n_train: int = 250
    threshold: float = 80.0
    seeds: int = 10
    walk_steps: int = 1000
    tsne_points: int = 3000
    projection: str = "tsne"
    chain_length: int = 8
    seed: int = 0

    def __post_init__(self) -> None:
        check_int("samples", self.samples, 1, MAX_COUNT)
        check_int("n_train", self.n_train, 2, MAX_COUNT)
        check_float("threshold", self.threshold)
        check_int("seeds", self.seeds, 1, 1000)
        check_int("walk_steps", self.walk_steps, 1, MAX_COUNT)
        check_int("tsne_points", self.tsne_points, 3, MAX_COUNT)
        check_choice("projection", self.projection, PROJECTIONS)
        check_int("chain_length", self.chain_length, 1, 100)
        check_seed("seed", self.seed)
        if self.epoch is not None:
            check_int("epoch", self.epoch, 0)


def check_evaluation(encoder: Any, benchmark: Benchmark, settings: EvaluationSettings) -> int:
    """Check the labels and the model's space before any work; the number of labelled archs."""
    encoder_for_space(encoder, benchmark.space)
    graphs, _ = benchmark.labels(settings.dataset, settings.metric, settings.epoch)
    if len(graphs) <= settings.n_train:
        raise ConfigError(
            f"n_train must be below the {len(graphs)} labelled architectures of "
            f"{benchmark.name}/{settings.dataset}, got {settings.n_train}"
        )
    return len(graphs)


SUMMARY_KEYS = ("validity", "uniqueness", "op_validity", "paper_validity", "paper_uniqueness")
"""Sample-quality figures copied into the evaluation summary (see ``pretraining.json``)."""


def evaluate_model(
    encoder: Any,
    benchmark: Benchmark,
    settings: EvaluationSettings,
    out: str | os.PathLike[str],
    progress: bool = True,
) -> dict[str, Any]:
    """All evaluations; returns the summary also written to ``out/summary.json``.

    A model of single cells (``darts_cell``) evaluates on a benchmark of whole genotypes
    (``darts``): pretraining quality on its cells, everything else on the genotypes' cell
    embeddings side by side (:mod:`archembed.encoders.cellwise`).
    """
    check_evaluation(encoder, benchmark, settings)
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    model, encoder = encoder, encoder_for_space(encoder, benchmark.space)
    graphs, targets = benchmark.labels(settings.dataset, settings.metric, settings.epoch)
    label = f"{benchmark.name}/{settings.dataset} {settings.metric}"
    summary: dict[str, Any] = {
        "encoder": encoder.name,
        "space": encoder.space.name,
        "model_space": model.space.name,
        "benchmark": benchmark.name,
        "settings": asdict(settings),
        "seconds": {},
    }
    has_decoder = isinstance(model, GraphDecoder)
    with ProgressBar(enabled=progress) as bar:
        task = bar.add_task("evaluating", total=4 + has_decoder)

        def step(name: str, started: float) -> None:
            summary["seconds"][name] = round(time.perf_counter() - started, 3)
            bar.update(task, advance=1, info=name)

        if has_decoder:
            started = time.perf_counter()
            quality = pretraining_quality(model, settings.samples, settings.seed)
            write_json(directory / "pretraining.json", quality)
            summary["pretraining"] = {
                "reconstruction_accuracy": quality["reconstruction_accuracy"],
                "reconstruction_elementwise": quality["reconstruction_elementwise"],
                **{s["prior"]: {k: s[k] for k in SUMMARY_KEYS} for s in quality["samples"]},
            }
            step("pretraining", started)

        started = time.perf_counter()
        table = tabulated(encoder, graphs)
        predictive = predictive_power(
            EmbeddingPredictor(table, make_predictor("gp")),
            graphs,
            targets,
            n_train=settings.n_train,
            threshold=settings.threshold,
            seeds=range(settings.seed, settings.seed + settings.seeds),
        )
        write_json(directory / "predictive.json", {"target": label, **predictive})
        summary["predictive"] = {
            k: predictive[k] for k in ("rmse_mean", "rmse_std", "pearson_mean", "pearson_std")
        }
        summary["predictive"]["prediction_filtered"] = predictive["prediction_filtered"]
        step("predictive", started)

        started = time.perf_counter()
        smooth = smoothness(encoder, settings.walk_steps, settings.seed)
        write_json(directory / "smoothness.json", smooth)
        plot_smoothness(smooth, directory / "smoothness.png", title=f"{encoder.name} latent space")
        summary["smoothness"] = {"spearman_edit_vs_l2": smooth["spearman_edit_vs_l2"]}
        step("smoothness", started)

        started = time.perf_counter()
        rng = np.random.default_rng(settings.seed)
        chosen = rng.choice(len(graphs), min(settings.tsne_points, len(graphs)), replace=False)
        coords = plot_embedding_2d(
            table.matrix[chosen],
            targets[chosen],
            directory / f"{settings.projection}.png",
            method=settings.projection,
            title=f"{settings.projection}: {encoder.name} on {encoder.space.name}, colour {label}",
            seed=settings.seed,
            colour_label=settings.metric,
        )
        write_json(
            directory / f"{settings.projection}.json",
            {
                "indices": chosen.tolist(),
                "coordinates": np.asarray(coords).tolist(),
                "values": targets[chosen].tolist(),
            },
        )
        step(settings.projection, started)

        started = time.perf_counter()
        chain, cells = neighbour_sequence(encoder, graphs, settings.chain_length, settings.seed)
        write_json(directory / "neighbours.json", chain)
        captions = [
            f"step {i}: edit {s['edit_to_previous']}, L2 {s['l2_to_anchor']:.2f}" if i else "anchor"
            for i, s in enumerate(chain["sequence"])
        ]
        plot_cell_sequence(
            cells,
            directory / "neighbours.png",
            captions,
            title=f"nearest-neighbour sequence in {encoder.name} latent space",
        )
        summary["neighbours"] = {
            "edit_to_previous": [s["edit_to_previous"] for s in chain["sequence"][1:]]
        }
        step("neighbours", started)
    write_json(directory / "summary.json", summary)
    return summary
