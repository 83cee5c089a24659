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
from typing import Any, Protocol, runtime_checkable

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

    @classmethod
    def applies_to(cls, space_name: str) -> bool:
        """Whether the encoder can be built for the space named ``space_name`` (most can)."""
        return True

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


@runtime_checkable
class Decoder(Protocol):
    """An encoder that maps embeddings back to architectures (None where not one of the space)."""

    def decode(self, embeddings: np.ndarray) -> list[ArchGraph | None]:
        """The architectures ``embeddings`` decode to (an entry is None if not valid)."""
        ...


@runtime_checkable
class GraphDecoder(Decoder, Protocol):
    """A graph autoencoder: decodes per-vertex latents, samples them, scores reconstruction."""

    def encode_nodes(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        """Per-vertex latents ``(n, max_nodes, latent_dim)``, the input of ``decode``."""
        ...

    def decode_codes(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Raw decoder output for latents ``z``: op class per vertex and adjacency."""
        ...

    def paper_decode_codes(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``decode_codes`` as the paper's validity check reads the decoder."""
        ...

    def sample_latents(self, n: int, rng: np.random.Generator, prior: str) -> np.ndarray:
        """``n`` per-vertex latents drawn from the prior named ``prior``."""
        ...

    def reconstruction_scores(self) -> dict[str, float]:
        """Held-out reconstruction accuracy: whole graphs, ops and adjacency."""
        ...


CHECKPOINT = "checkpoint.pt"
"""The file an interrupted pretraining run leaves in its model directory."""
LOAD_ERRORS = (KeyError, TypeError, ValueError, RuntimeError, AttributeError, IndexError)
"""What reading a mismatched state raises (another model's file, a hand-edited config)."""


def model_config(directory: Path) -> dict[str, Any]:
    """A model directory's ``config.json``; a missing, unfinished or foreign one is an error."""
    if not directory.exists():
        raise DataNotFoundError(f"model directory {directory} does not exist")
    if not directory.is_dir():
        raise DataNotFoundError(f"{directory} is a file, not a model directory")
    if not (directory / "config.json").is_file():
        if (directory / CHECKPOINT).is_file():
            raise DataNotFoundError(
                f"{directory} holds an unfinished training run (no config.json yet); finish "
                "it by rerunning its pretrain command (arch2vec: with --resume)"
            )
        raise DataNotFoundError(
            f"{directory} is not a model directory (no config.json); pretrain one with "
            "`archembed pretrain ...`"
        )
    config = read_json(directory / "config.json")
    if (
        not isinstance(config, dict)
        or config.get("schema_version") != ENCODER_SCHEMA
        or not isinstance(config.get("params", {}), dict)
    ):
        raise CorruptFileError(f"{directory / 'config.json'} is not an archembed model config")
    return config


def load_encoder(path: str | os.PathLike[str]) -> Encoder:
    """Load any saved encoder; a missing, corrupted or mixed-up model directory is a UserError."""
    directory = Path(path).expanduser()
    config = model_config(directory)
    from archembed import encoders  # noqa: F401  (registers the built-in encoders)

    cls = ENCODERS.get(str(config.get("encoder")))
    try:
        params = dict(config.get("params", {}))
        encoder = cls.from_config(get_space(str(config.get("space"))), params)
        encoder.load_state(directory)
    except LOAD_ERRORS as exc:
        raise CorruptFileError(
            f"{directory} does not hold a valid {cls.name} model ({_brief(exc)}); "
            "its files are damaged or from another model, retrain it"
        ) from None
    return encoder


def _brief(exc: BaseException, limit: int = 160) -> str:
    """An exception as one short line (torch's state-dict errors list every key)."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
