"""Rebuild a shipped model from its card and say whether it is bit-identical to the shipped one.

    python -m archembed.pretrained.build NAME --out DIR
    python -m archembed.pretrained.build --all --out DIR

trains the card's recipe with its seed on one CPU thread (deterministic), writes the model and
a fresh ``card.json`` (environment, metrics, digests) to DIR (``--all``: DIR/NAME for every
shipped model), and exits 0 when ``config.json`` is byte-identical and every tensor and value in
``state.pt`` bit-identical to the shipped model (:func:`archembed.pretrained.file_digests`), 1
when they differ (another torch version or platform), 2 on a bad ``--out``. Per-epoch timings
are left out of the saved history, so identical training gives identical files. To update a
shipped model, change its card's recipe, rebuild, and copy ``config.json``, ``state.pt`` and
``card.json`` from DIR into ``src/archembed/pretrained/NAME/``.

A card names the saved ``encoder`` kind (``arch2vec``, or ``nao`` for a locality-pretrained
NAO controller), its ``space``, ``seed`` and ``recipe``; ``samples`` (optional) trains on that
many random architectures drawn with the seed instead of the whole (finite) space.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archembed.errors import UserError
from archembed.pretrained import CARD_FILE, NAMES, file_digests, load_card

EMBEDDING_SAMPLE = 8
"""Architectures whose embeddings a card records (:func:`sample_graphs`)."""
ENUMERATED_MAX = 100_000
"""Spaces up to this size take their spot-check architectures from the enumeration."""
WALK_STEPS = 200
"""Steps of the random 1-edit walk whose distances a locality card's smoothness is measured on."""


def model_metrics(encoder: Any, samples: int, seed: int) -> dict[str, Any]:
    """Held-out reconstruction and validity/uniqueness of decoded samples, as ``evaluate``
    (strict: the decoded graph is an architecture of the space; paper: the arch2vec paper's
    Table 1 definition, see :func:`~archembed.evaluation.pretraining.sample_quality`)."""
    from archembed.evaluation.pretraining import sample_quality

    scores = encoder.reconstruction_scores()
    quality = sample_quality(encoder, samples, "train", seed)
    return {
        "holdout_reconstruction": scores["graphs"],
        "holdout_ops": scores["ops"],
        "holdout_adjacency": scores["adjacency"],
        "validity": quality["validity"],
        "uniqueness": quality["uniqueness"],
        "paper_validity": quality["paper_validity"],
        "paper_uniqueness": quality["paper_uniqueness"],
        "samples": samples,
        "sample_seed": seed,
    }


def locality_metrics(encoder: Any, samples: int, seed: int) -> dict[str, Any]:
    """Reconstruction of ``samples`` random cells (decode of the embedding gives the cell back)
    and smoothness (Spearman of embedding distance against edit distance on a random walk)."""
    import numpy as np

    from archembed.evaluation.smoothness import smoothness

    graphs = encoder.space.sample(samples, np.random.default_rng(seed))
    decoded = encoder.decode(encoder.transform(graphs))
    hits = [d is not None and d.key == g.key for g, d in zip(graphs, decoded, strict=True)]
    walk = smoothness(encoder, WALK_STEPS, seed)
    return {
        "reconstruction": float(np.mean(hits)),
        "smoothness_spearman": walk["spearman_edit_vs_l2"],
        "walk_steps": WALK_STEPS,
        "samples": samples,
        "sample_seed": seed,
    }


METRICS = {"arch2vec": model_metrics, "nao": locality_metrics}
"""The card metrics of each saved encoder kind: ``f(encoder, samples, seed)``."""


def card_metrics(encoder: Any, card: dict[str, Any]) -> dict[str, Any]:
    """The metrics a card records, measured on ``encoder`` with the card's sample settings."""
    checks = card["metrics"]
    return METRICS[card["encoder"]](encoder, checks["samples"], checks["sample_seed"])


def embedding_sample(encoder: Any) -> list[list[float]]:
    """Embeddings of the first architectures of the space, rounded (a card's spot check)."""
    graphs = sample_graphs(encoder.space)
    return [[round(float(v), 6) for v in row] for row in encoder.transform(graphs)]


def sample_graphs(space: Any) -> list[Any]:
    """The architectures of a card's spot check: the first of a small space's enumeration, else
    random ones (seed 0; enumerating NB101's 423,624 cells would take longer than the check)."""
    import numpy as np

    if space.finite and space.size <= ENUMERATED_MAX:
        return space.enumerate()[:EMBEDDING_SAMPLE]
    return space.sample(EMBEDDING_SAMPLE, np.random.default_rng(0))


def train(card: dict[str, Any], progress: bool) -> Any:
    """The card's encoder trained with its recipe and seed (on the current threads)."""
    from archembed.encoders import ENCODERS
    from archembed.encoders.pretrain import training_graphs
    from archembed.spaces import get_space

    space = get_space(card["space"])
    if card["encoder"] == "nao":
        from archembed.encoders.nao import NAOEncoder

        encoder = NAOEncoder.from_recipe(
            card["recipe_name"], space, seed=card["seed"], **card["recipe"]
        )
        encoder.pretrain(progress=progress)
        encoder.pretraining["history"] = untimed(encoder.pretraining["history"])
        return encoder
    encoder = ENCODERS.get(card["encoder"])(space, **card["recipe"], seed=card["seed"])
    encoder.fit(training_graphs(space, card.get("samples"), card["seed"]), progress=progress)
    encoder.history_ = untimed(encoder.history_)
    return encoder


def untimed(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A training history without its per-epoch timings (they differ between runs)."""
    return [{k: v for k, v in epoch.items() if not k.endswith("_seconds")} for epoch in history]


def build(name: str, out: Path, progress: bool = True) -> dict[str, Any]:
    """Train ``name``'s recipe into ``out`` and return its card (metrics and checksums filled)."""
    from archembed.encoders.pretrain import check_target, model_output
    from archembed.threads import set_threads

    card = load_card(name)
    out = model_output(out)
    check_target(out, resume=False)
    set_threads(1)  # one thread: the same float operations in the same order on every run
    encoder = train(card, progress)
    encoder.save(out)
    return {
        **card,
        "environment": environment(),
        "metrics": card_metrics(encoder, card),
        "embedding_sample": embedding_sample(encoder),
        "files": file_digests(out),
    }


def environment() -> dict[str, str]:
    """Versions that decide the bytes of a rebuilt model (torch's kernels, the package's data)."""
    import platform
    from importlib.metadata import version

    import torch

    return {
        "torch": torch.__version__,
        "nas-bench-graph": version("nas-bench-graph"),
        "machine": platform.machine(),
        "threads": "1",
    }


def rebuild(name: str, out: Path, progress: bool) -> int:
    """Rebuild one model into ``out``, write its card; 0 when bit-identical, 1 when not."""
    from archembed.io import write_json

    card = build(name, out, progress=progress)
    write_json(out / CARD_FILE, card)
    shipped = load_card(name)["files"]
    differ = [f for f, digest in card["files"].items() if shipped.get(f) != digest]
    if differ:
        print(f"{out}: differs from the shipped model in {', '.join(differ)}")
        return 1
    print(f"{out}: bit-identical to the shipped {name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line: rebuild, write the card, compare checksums with the shipped model."""
    parser = argparse.ArgumentParser(prog="python -m archembed.pretrained.build")
    parser.add_argument("name", nargs="?", choices=NAMES, help="shipped model to rebuild")
    parser.add_argument("--all", action="store_true", help="rebuild every model into OUT/NAME")
    parser.add_argument("--out", type=Path, required=True, help="new model directory")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.all == (args.name is not None):
        parser.error("give one model NAME or --all")
    jobs = [(n, args.out / n) for n in NAMES] if args.all else [(args.name, args.out)]
    try:
        return max(rebuild(name, out, not args.quiet) for name, out in jobs)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
