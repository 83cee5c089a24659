"""Encoders for experiments: built-in encodings, saved models, or pretrained on the space.

A pretrained encoder is cached in ``<out>/encoders/<name>-<space>/`` with the parameters it
was trained with, so a resumed or extended experiment reuses it instead of training again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from archembed.encoders import ENCODERS, Encoder, load_encoder
from archembed.encoders.cellwise import encoder_for_space
from archembed.errors import ConfigError
from archembed.experiments.config import EncoderSpec
from archembed.graph import ArchGraph
from archembed.io import read_json, write_json
from archembed.spaces.base import SearchSpace

PRETRAIN_FILE = "pretrain.json"
FIXED_ENCODINGS = frozenset({"onehot", "path"})
"""Encodings with nothing to learn on an enumerable space: rebuilt, never cached."""


def build_encoder(
    spec: EncoderSpec, space: SearchSpace, graphs: Sequence[ArchGraph], cache: Path
) -> Encoder:
    """The encoder an :class:`EncoderSpec` describes, fitted on ``graphs`` when it learns."""
    if spec.model is not None:
        return encoder_for_space(load_encoder(spec.model), space)
    cls = ENCODERS.get(spec.encoder_kind)
    params = dict(spec.pretrain or {})
    directory = cache / f"{spec.name}-{space.name}"
    record = {"kind": spec.encoder_kind, "params": params, "archs": len(graphs)}
    if (directory / PRETRAIN_FILE).is_file() and read_json(directory / PRETRAIN_FILE) == record:
        return load_encoder(directory)
    try:
        encoder = cls(space, **params)
    except TypeError as exc:
        raise ConfigError(f"encoders.{spec.name}.pretrain: {exc}") from None
    if cls.supervised:
        raise ConfigError(
            f"encoder {spec.encoder_kind!r} is supervised: train it first and give model: DIR"
        )
    encoder.fit(list(graphs))
    if params or spec.encoder_kind not in FIXED_ENCODINGS:
        encoder.save(directory)
        write_json(directory / PRETRAIN_FILE, record)
    return encoder
