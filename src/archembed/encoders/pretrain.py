"""Pretrain a self-supervised encoder into a model directory, checkpointing and resumable.

While training, ``MODEL/checkpoint.pt`` holds the last finished epoch; the finished model is
``MODEL/config.json`` + state, after which the checkpoint is removed. Works for any encoder
whose ``fit`` accepts ``checkpoint``, ``resume`` and ``progress`` keywords. A training run
that diverges raises :class:`~archembed.errors.TrainingDivergedError` and writes no model.
:func:`model_output` checks a pretraining command's ``--out`` before any work starts.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from archembed.checks import check_int
from archembed.encoders.base import Encoder
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.outputs import adopt_dir, output_dir
from archembed.spaces.base import SearchSpace

CHECKPOINT_NAME = "checkpoint.pt"
DEFAULT_SAMPLES = 50_000
"""Training-set size drawn from spaces that cannot be enumerated (DARTS, open user spaces)."""
MAX_SAMPLES = 2_000_000
"""Largest training set drawn (more architectures do not fit in memory as graphs)."""
MODEL_KIND = "model"
"""The output-directory kind of every pretraining command (see :mod:`archembed.outputs`)."""
MODEL_FILES = ("config.json", "state.pt", CHECKPOINT_NAME, "history.json", "vocabulary.json")
"""What a model directory holds (any encoder's files, and a run's checkpoint)."""


def model_output(out: str | os.PathLike[str], option: str = "--out") -> Path:
    """Check ``out`` as a model directory to write or resume (see :func:`output_dir`).

    An unmarked directory holding only model files (written before archembed marked its
    directories) is recognised as archembed's own.
    """
    adopt_dir(out, MODEL_KIND, MODEL_FILES)
    return output_dir(out, MODEL_KIND, option)


def training_graphs(
    space: SearchSpace, samples: int | None = None, seed: int = 0
) -> list[ArchGraph]:
    """Every architecture of a finite space, else ``samples`` random ones (seeded)."""
    check_samples(samples)
    if samples is None and space.finite:
        return space.enumerate()
    return space.sample(samples or DEFAULT_SAMPLES, np.random.default_rng(seed))


def check_samples(samples: int | None) -> None:
    """A training-set size: None (the default) or 2..:data:`MAX_SAMPLES`."""
    if samples is not None:
        check_int("samples", samples, 2, MAX_SAMPLES)


def check_target(out: str | os.PathLike[str], resume: bool) -> None:
    """A finished model is never overwritten; an unfinished run continues only with ``resume``."""
    directory = Path(out)
    if (directory / "config.json").is_file():
        raise ConfigError(f"{directory} already holds a trained model; choose another --out")
    if (directory / CHECKPOINT_NAME).exists() and not resume:
        raise ConfigError(
            f"{directory} holds an unfinished run; pass --resume to continue it or delete it"
        )


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
    check_target(directory, resume)
    directory.mkdir(parents=True, exist_ok=True)
    encoder.fit(graphs, checkpoint=checkpoint, resume=resume, progress=progress)  # type: ignore[call-arg]
    encoder.save(directory)
    checkpoint.unlink(missing_ok=True)
    return directory
