"""Run-time plumbing shared by every torch model: seeding, devices, checkpoints.

Checkpoints are ``torch.save`` of plain dicts (state dicts, optimiser state, epoch, metrics),
written atomically so an interrupted run never leaves a half-written file behind.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from archembed.errors import ConfigError, CorruptFileError, DataNotFoundError
from archembed.io import atomic_path


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch globally; return a CPU ``torch.Generator`` with ``seed``."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """``None``/"cpu" -> CPU; "cuda" or "cuda:N" only when such a device exists."""
    if device is None:
        return torch.device("cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ConfigError(f"unknown device {device!r} ({exc}); use cpu or cuda[:N]") from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device {device!r} requested but no CUDA device is available; use cpu")
    return resolved


def save_checkpoint(path: str | os.PathLike[str], state: dict[str, Any]) -> None:
    """``torch.save`` a dict of tensors/state dicts/plain values atomically."""
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def load_checkpoint(
    path: str | os.PathLike[str], map_location: str | torch.device = "cpu"
) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`; bad files raise a UserError."""
    target = Path(path)
    if not target.is_file():
        raise DataNotFoundError(f"checkpoint not found: {target}")
    try:
        state = torch.load(target, map_location=map_location, weights_only=True)
    except Exception as exc:  # torch raises many unrelated types for truncated/foreign files
        raise CorruptFileError(f"cannot read checkpoint {target}: {exc}") from None
    if not isinstance(state, dict):
        raise CorruptFileError(f"checkpoint {target} does not hold a state dict")
    return state
