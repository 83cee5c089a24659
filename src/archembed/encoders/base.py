"""Encoder: graphs -> fixed-size vectors, scikit-learn style, saved as a directory.

A saved encoder is a directory with ``config.json`` (encoder name, space, parameters, schema
version) and whatever state the encoder needs (``state.pt`` for torch models).
:func:`load_encoder` reads any of them back.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from archembed.errors import CorruptFileError, DataNotFoundError, InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.io import read_json, write_json
from archembed.registry import Registry
from archembed.spaces.base import SearchSpace, get_space

ENCODER_SCHEMA = 1
ENCODERS: Registry[type[Encoder]] = Registry("encoder")
register_encoder = ENCODERS.register


class Encoder(ABC):
    """Maps architectures of one search space to vectors.

    ``fit(graphs, y=None)`` learns state (self-supervised encoders ignore ``y``),
    ``transform(graphs)`` returns an ``(n, dim)`` float array. Learned attributes end in ``_``.
    """

    name: str = ""
    supervised: bool = False

    def __init__(self, space: SearchSpace | str) -> None:
        self.space = get_space(space) if isinstance(space, str) else space

    @abstractmethod
    def fit(self, graphs: Sequence[ArchGraph], y: np.ndarray | None = None) -> Encoder:
        """Learn the encoder's state from ``graphs`` (and targets ``y`` when supervised)."""

    @abstractmethod
    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        """Embed ``graphs`` as an ``(n, dim)`` float32 array."""

    def fit_transform(self, graphs: Sequence[ArchGraph], y: np.ndarray | None = None) -> np.ndarray:
        return self.fit(graphs, y).transform(graphs)

    def config(self) -> dict[str, Any]:
        """Constructor parameters (JSON-ready) that :meth:`from_config` accepts back."""
        return {}

    @classmethod
    def from_config(cls, space: SearchSpace, config: dict[str, Any]) -> Encoder:
        return cls(space, **config)

    def save_state(self, directory: Path) -> None:
        """Write learned state into ``directory`` (default: nothing to save)."""

    def load_state(self, directory: Path) -> None:
        """Read learned state written by :meth:`save_state`."""

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save config and state to the directory ``path`` (config written last, atomically)."""
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        self.save_state(directory)
        write_json(
            directory / "config.json",
            {
                "schema_version": ENCODER_SCHEMA,
                "encoder": self.name,
                "space": self.space.name,
                "params": self.config(),
            },
        )
        return directory

    def check_space(self, space: SearchSpace | str) -> None:
        """Raise a clear error when asked to embed architectures of another space."""
        name = space if isinstance(space, str) else space.name
        if name != self.space.name:
            raise InvalidArchitectureError(
                f"this {self.name} model was trained on space {self.space.name!r}, not {name!r}; "
                f"pretrain one on {name!r} first"
            )


def load_encoder(path: str | os.PathLike[str]) -> Encoder:
    """Load any saved encoder; a missing or corrupted model directory raises a UserError."""
    directory = Path(path)
    if not directory.is_dir():
        raise DataNotFoundError(f"model directory {directory} does not exist")
    config = read_json(directory / "config.json")
    if not isinstance(config, dict) or config.get("schema_version") != ENCODER_SCHEMA:
        raise CorruptFileError(f"{directory / 'config.json'} is not an archembed model config")
    from archembed import encoders  # noqa: F401  (registers the built-in encoders)

    cls = ENCODERS.get(str(config.get("encoder")))
    encoder = cls.from_config(get_space(str(config.get("space"))), dict(config.get("params", {})))
    encoder.load_state(directory)
    return encoder
