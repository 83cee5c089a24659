"""Rebuild a shipped model from its card and say whether it is bit-identical to the shipped one.

    python -m archembed.pretrained.build arch2vec-nasbench_graph --out DIR

trains the card's recipe with its seed on one CPU thread (deterministic), writes the model and
a fresh ``card.json`` (environment, metrics, digests) to DIR, and exits 0 when ``config.json``
is byte-identical and every tensor and value in ``state.pt`` bit-identical to the shipped model
(:func:`archembed.pretrained.file_digests`), 1 when they differ (another torch version or
platform), 2 on a bad ``--out``. Per-epoch timings are left out of the saved history, so
identical training gives identical files. To update a shipped model, change its card's recipe,
rebuild, and copy ``config.json``, ``state.pt`` and ``card.json`` from DIR into
``src/archembed/pretrained/NAME/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archembed.errors import UserError
from archembed.pretrained import CARD_FILE, NAMES, file_digests, load_card

EMBEDDING_SAMPLE = 8
"""Architectures (the first of the space's enumeration) whose embeddings a card records."""


def model_metrics(encoder: Any, samples: int, seed: int) -> dict[str, Any]:
    """Held-out reconstruction and validity/uniqueness of decoded samples, as ``evaluate``."""
    from archembed.evaluation.pretraining import sample_quality

    scores = encoder.reconstruction_scores()
    quality = sample_quality(encoder, samples, "train", seed)
    return {
        "holdout_reconstruction": scores["graphs"],
        "holdout_ops": scores["ops"],
        "holdout_adjacency": scores["adjacency"],
        "validity": quality["validity"],
        "uniqueness": quality["uniqueness"],
        "samples": samples,
        "sample_seed": seed,
    }


def embedding_sample(encoder: Any) -> list[list[float]]:
    """Embeddings of the first architectures of the space, rounded (a card's spot check)."""
    graphs = encoder.space.enumerate()[:EMBEDDING_SAMPLE]
    return [[round(float(v), 6) for v in row] for row in encoder.transform(graphs)]


def build(name: str, out: Path, progress: bool = True) -> dict[str, Any]:
    """Train ``name``'s recipe into ``out`` and return its card (metrics and checksums filled)."""
    from archembed.encoders import ENCODERS
    from archembed.encoders.pretrain import check_target, model_output
    from archembed.spaces import get_space
    from archembed.threads import set_threads

    card = load_card(name)
    out = model_output(out)
    check_target(out, resume=False)
    set_threads(1)  # one thread: the same float operations in the same order on every run
    space = get_space(card["space"])
    encoder = ENCODERS.get(card["encoder"])(space, **card["recipe"], seed=card["seed"])
    encoder.fit(space.enumerate(), progress=progress)
    encoder.history_ = [
        {key: value for key, value in epoch.items() if not key.endswith("_seconds")}
        for epoch in encoder.history_
    ]
    encoder.save(out)
    checks = card["metrics"]
    return {
        **card,
        "environment": environment(),
        "metrics": model_metrics(encoder, checks["samples"], checks["sample_seed"]),
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


def main(argv: list[str] | None = None) -> int:
    """Command line: rebuild, write the card, compare checksums with the shipped model."""
    from archembed.io import write_json

    parser = argparse.ArgumentParser(prog="python -m archembed.pretrained.build")
    parser.add_argument("name", choices=NAMES, help="shipped model to rebuild")
    parser.add_argument("--out", type=Path, required=True, help="new model directory")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        card = build(args.name, args.out, progress=not args.quiet)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_json(args.out / CARD_FILE, card)
    shipped = load_card(args.name)["files"]
    differ = [f for f, digest in card["files"].items() if shipped.get(f) != digest]
    if differ:
        print(f"{args.out}: differs from the shipped model in {', '.join(differ)}")
        return 1
    print(f"{args.out}: bit-identical to the shipped {args.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
