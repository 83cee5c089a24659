"""Encoders for experiments: built-in encodings, saved models, or pretrained on the space.

A pretrained encoder is cached in ``<out>/encoders/<name>-<space>/`` with the parameters it
was trained with, so a resumed or extended experiment reuses it instead of training again.
Building is split in two so that every encoder of an experiment is checked (its parameters,
its saved model) by :func:`new_encoder` before the first one spends minutes training.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from pathlib import Path

from archembed.encoders import ENCODERS, Encoder, load_encoder
from archembed.encoders.cellwise import encoder_for_space
from archembed.errors import ConfigError
from archembed.experiments.config import EncoderSpec
from archembed.graph import ArchGraph
from archembed.io import read_json, write_json
from archembed.progress import status
from archembed.spaces.base import SearchSpace

PRETRAIN_FILE = "pretrain.json"
FIXED_ENCODINGS = frozenset({"onehot", "path"})
"""Encodings with nothing to learn on an enumerable space: rebuilt, never cached."""


def new_encoder(spec: EncoderSpec, space: SearchSpace) -> Encoder:
    """The encoder a spec describes, not yet trained: a saved model loaded, or a new one built.

    Bad ``pretrain`` parameters, a supervised kind or a damaged model raise a UserError here.
    """
    if spec.model is not None:
        return encoder_for_space(load_encoder(spec.model), space)
    cls = ENCODERS.get(spec.encoder_kind)
    if cls.supervised:
        raise ConfigError(
            f"encoder {spec.encoder_kind!r} is supervised: train it first and give model: DIR"
        )
    try:
        return cls(space, **dict(spec.pretrain or {}))
    except (TypeError, ValueError, ConfigError) as exc:
        raise ConfigError(f"encoders.{spec.name}.pretrain: {exc}") from None


def fit_encoder(
    spec: EncoderSpec,
    encoder: Encoder,
    graphs: Sequence[ArchGraph],
    cache: Path,
    progress: bool = True,
) -> Encoder:
    """Train a :func:`new_encoder` on ``graphs``, or load the copy cached by an earlier run."""
    if spec.model is not None:
        return encoder
    params = dict(spec.pretrain or {})
    directory = cache / f"{spec.name}-{encoder.space.name}"
    record = {"kind": spec.encoder_kind, "params": params, "archs": len(graphs)}
    if (directory / PRETRAIN_FILE).is_file() and read_json(directory / PRETRAIN_FILE) == record:
        return load_encoder(directory)
    if "progress" in inspect.signature(encoder.fit).parameters:
        encoder.fit(list(graphs), progress=progress)  # type: ignore[call-arg]
    elif progress:  # an encoder without its own progress bar: one status line
        with status(f"pretraining {spec.name} on {len(graphs)} architectures"):
            encoder.fit(list(graphs))
    else:
        encoder.fit(list(graphs))
    if params or spec.encoder_kind not in FIXED_ENCODINGS:
        encoder.save(directory)
        write_json(directory / PRETRAIN_FILE, record)
    return encoder
