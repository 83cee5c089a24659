"""Small models shipped with archembed, so a first run needs no pretraining.

``archembed.from_pretrained("arch2vec-nb201")`` loads one (offline); the command line takes
``pretrained:NAME`` wherever it takes a model directory (``--encoder``, ``embed``, run files'
``model:``) and ``archembed models`` lists them. Each model is a directory here (a saved
encoder: ``config.json`` + ``state.pt``; a contrastive model is the table of its embeddings of
every cell, ``table.pt``, see :mod:`archembed.encoders.table`, with the trained encoder's
``state.pt`` and ``history.json``) with a ``card.json``: the recipe and seed it was
trained with, the data, the metrics it reaches, the SHA-256 of its files and the command that
rebuilds it bit-identically (``python -m archembed.pretrained.build NAME --out DIR``, see
:mod:`archembed.pretrained.build`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from archembed.errors import UnknownNameError
from archembed.io import read_json

PRETRAINED_DIR = Path(__file__).parent
CARD_FILE = "card.json"
MODEL_FILES = ("config.json", "state.pt", "history.json", "table.pt")
"""The files a shipped model may have; those present are what its card's digests cover."""
CHECKPOINTS = frozenset({"state.pt", "table.pt"})
"""Model files digested by content (:func:`state_digest`), not by their bytes."""
NAMES = (
    "arch2vec-nasbench_graph",
    "arch2vec-nb201",
    "arch2vec-nb101",
    "arch2vec-darts",
    "locality-nb201",
    "contrastive-nb201",
)
"""The shipped models, in the order ``archembed models`` lists them."""
PREFIX = "pretrained:"
"""How the command line and run files name a shipped model: ``pretrained:NAME``."""


def pretrained_path(name: str) -> Path:
    """The model directory of a shipped model (load it with ``load_encoder``)."""
    if name not in NAMES:
        raise UnknownNameError("shipped model", name, NAMES)
    return PRETRAINED_DIR / name


def from_pretrained(name: str) -> Any:
    """The shipped model ``name`` loaded as an encoder, ready to ``transform`` (no download)."""
    from archembed.encoders.base import load_encoder

    return load_encoder(pretrained_path(name))


def model_size(name: str) -> int:
    """Bytes of a shipped model's files (what loading it reads)."""
    return sum(path.stat().st_size for path in model_files(pretrained_path(name)))


def model_files(directory: Path) -> list[Path]:
    """The model files (:data:`MODEL_FILES`) present in ``directory``."""
    return [directory / name for name in MODEL_FILES if (directory / name).is_file()]


def resolve_model(value: str) -> str:
    """``pretrained:NAME`` -> the shipped model's directory; any other value is returned as is."""
    if not value.startswith(PREFIX):
        return value
    return str(pretrained_path(value[len(PREFIX) :]))


def load_card(name: str) -> dict[str, Any]:
    """The card of a shipped model: recipe, seed, data, metrics, file checksums, rebuild command."""
    return read_json(pretrained_path(name) / CARD_FILE)


def file_digests(directory: Path) -> dict[str, str]:
    """SHA-256 per model file in ``directory``: of the bytes of JSON files, and of the tensors
    and values inside checkpoints (torch's zip container names its records after the file it
    was first written to, so equal states can differ in their file bytes)."""
    return {
        path.name: state_digest(path)
        if path.name in CHECKPOINTS
        else hashlib.sha256(path.read_bytes()).hexdigest()
        for path in model_files(directory)
    }


def state_digest(path: Path) -> str:
    """SHA-256 of a checkpoint's content: keys, tensor dtypes, shapes and bytes, other values."""
    from archembed.nn.runtime import load_checkpoint

    digest = hashlib.sha256()
    _feed(digest, load_checkpoint(path))
    return digest.hexdigest()


def _feed(digest: Any, value: Any) -> None:
    import torch

    if isinstance(value, dict):
        for key in sorted(value, key=str):
            digest.update(f"key:{key}".encode())
            _feed(digest, value[key])
    elif isinstance(value, (list, tuple)):
        digest.update(f"seq:{len(value)}".encode())
        for item in value:
            _feed(digest, item)
    elif isinstance(value, torch.Tensor):
        data = value.detach().cpu().contiguous()
        digest.update(f"tensor:{data.dtype}:{tuple(data.shape)}".encode())
        digest.update(data.reshape(-1).view(torch.uint8).numpy().tobytes())
    else:
        digest.update(f"value:{value!r}".encode())
