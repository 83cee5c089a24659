"""Pretrain a self-supervised encoder into a model directory, checkpointing and resumable.

While training, ``MODEL/checkpoint.pt`` holds the last finished epoch; the finished model is
``MODEL/config.json`` + state, after which the checkpoint is removed. Works for any encoder
whose ``fit`` accepts ``checkpoint``, ``resume`` and ``progress`` keywords.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from archembed.encoders.base import Encoder
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.spaces.base import SearchSpace

CHECKPOINT_NAME = "checkpoint.pt"
DEFAULT_SAMPLES = 50_000
"""Training-set size drawn from spaces that cannot be enumerated (DARTS, open user spaces)."""


def training_graphs(
    space: SearchSpace, samples: int | None = None, seed: int = 0
) -> list[ArchGraph]:
    """Every architecture of a finite space, else ``samples`` random ones (seeded)."""
    if samples is None and space.finite:
        return space.enumerate()
    return space.sample(samples or DEFAULT_SAMPLES, np.random.default_rng(seed))


def pretrain_to(
    encoder: Encoder,
    graphs: Sequence[ArchGraph],
    out: str | os.PathLike[str],
    *,
    resume: bool = False,
    progress: bool = True,
) -> Path:
    """Fit ``encoder`` on ``graphs`` and save it to the directory ``out``.

    A finished model in ``out`` is never overwritten; ``resume`` continues from its checkpoint.
    """
    directory = Path(out)
    checkpoint = directory / CHECKPOINT_NAME
    if (directory / "config.json").exists():
        raise ConfigError(f"{directory} already holds a trained model; choose another --out")
    if checkpoint.exists() and not resume:
        raise ConfigError(
            f"{directory} holds an unfinished run; pass --resume to continue it or delete it"
        )
    directory.mkdir(parents=True, exist_ok=True)
    encoder.fit(graphs, checkpoint=checkpoint, resume=resume, progress=progress)  # type: ignore[call-arg]
    encoder.save(directory)
    checkpoint.unlink(missing_ok=True)
    return directory
