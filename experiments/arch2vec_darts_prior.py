"""Validity of arch2vec samples under the paper's per-slot prior and under a joint Gaussian.

Usage: python experiments/arch2vec_darts_prior.py --model M/darts-cell [--model M2 ...] \\
    --out runs/arch2vec-prior [--cells 20000] [--samples 1000] [--seed 0]
The paper's validity (and the number `archembed pretrain arch2vec` prints) decodes latents drawn
for every vertex slot and latent dimension independently from the training latents' mean and
std. A decoder that relies on correlations between slots loses validity under that prior. For
each model this encodes ``--cells`` random cells of its space and decodes ``--samples`` latents
from (1) the cells' posterior means, (2) the independent prior stored with the model, (3) a
joint Gaussian with the mean and full covariance of the encoded latents; it also reports how
strongly coordinates of different slots correlate. One unit of the results store per model;
DIR/summary.json and DIR/table.md hold all of them.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np

from archembed.checks import check_int
from archembed.cli.script import run_script
from archembed.encoders import load_encoder
from archembed.experiments.results import ResultStore
from archembed.io import write_json
from archembed.tables import markdown_table
from archembed.threads import set_threads


def joint_gaussian_samples(latents: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws from the Gaussian with the mean and full covariance of ``latents`` (n, V, D)."""
    flat = latents.reshape(len(latents), -1).astype(np.float64)
    draws = rng.multivariate_normal(flat.mean(0), np.cov(flat, rowvar=False), n)
    return draws.reshape((n, *latents.shape[1:])).astype(np.float32)


def cross_slot_correlation(latents: np.ndarray) -> dict[str, float]:
    """Mean and largest absolute correlation between coordinates of different vertex slots
    (constant coordinates, such as padding slots, count as uncorrelated)."""
    n, slots, dim = latents.shape
    flat = latents.reshape(n, -1).astype(np.float64)
    std = flat.std(0)
    live = std > 1e-8
    corr = np.zeros((slots * dim, slots * dim))
    corr[np.ix_(live, live)] = np.corrcoef(flat[:, live], rowvar=False)
    slot = np.repeat(np.arange(slots), dim)
    other = slot[:, None] != slot[None, :]
    values = np.abs(corr[other])
    return {"mean": float(values.mean()), "max": float(values.max())}


def prior_validity(encoder: Any, cells: int, samples: int, seed: int) -> dict[str, Any]:
    """The paper's validity and uniqueness of samples under the three latent distributions."""
    rng = np.random.default_rng(seed)
    latents = encoder.encode_nodes(encoder.space.sample(cells, rng))
    draws = {
        "posterior means": latents[:samples],
        "independent prior (paper)": encoder.sample_latents(samples, rng),
        "joint Gaussian": joint_gaussian_samples(latents, samples, rng),
    }
    quality = {}
    for name, z in draws.items():
        scores = encoder.latent_quality(z)
        quality[name] = {key: scores[key] for key in ("validity", "uniqueness")}
    return {"quality": quality, "cross_slot_correlation": cross_slot_correlation(latents)}


def unit_name(model: str) -> str:
    """The results-store unit of a model directory: its name and a hash of its full path, so
    two models in folders of the same name never share a unit."""
    path = Path(model).resolve()
    return f"{path.name}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"


def table(results: dict[str, dict[str, Any]]) -> str:
    """Markdown table: one row per model, validity / uniqueness % per distribution."""
    names = list(next(iter(results.values()))["quality"])
    rows = []
    for model, result in results.items():
        cells = [
            f"{100 * q['validity']:.1f} / {100 * q['uniqueness']:.1f}"
            for q in (result["quality"][name] for name in names)
        ]
        corr = result["cross_slot_correlation"]
        rows.append([model, *cells, f"{corr['mean']:.2f} / {corr['max']:.2f}"])
    header = ["model", *(f"{name}: validity / uniqueness %" for name in names)]
    return "\n".join(markdown_table([*header, "cross-slot |corr| mean / max"], rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", required=True, help="arch2vec model dir")
    parser.add_argument("--out", required=True, help="results directory (resumable)")
    parser.add_argument("--cells", type=int, default=20000, help="random cells encoded")
    parser.add_argument("--samples", type=int, default=1000, help="latents decoded per prior")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    check_int("--cells", args.cells, low=2)
    check_int("--samples", args.samples, low=1)
    set_threads(args.threads)
    encoders = {model: load_encoder(model) for model in args.model}
    settings = {"cells": args.cells, "samples": args.samples, "seed": args.seed}
    store = ResultStore(Path(args.out), "arch2vec-prior", settings)
    results = {}
    for model, encoder in encoders.items():

        def work(encoder: Any = encoder) -> dict[str, Any]:
            began = time.process_time()
            result = prior_validity(encoder, args.cells, args.samples, args.seed)
            return {**result, "cpu_seconds": time.process_time() - began}

        results[model] = store.compute(unit_name(model), work)
    write_json(store.directory / "summary.json", results)
    text = table(results)
    (store.directory / "table.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    run_script(main)
