"""Run-time plumbing shared by every torch model: devices, checkpoints, divergence.

Checkpoints are ``torch.save`` of plain dicts (state dicts, optimiser state, epoch, metrics),
written atomically so an interrupted run never leaves a half-written file behind. Training
loops call :func:`check_losses` so a non-finite loss stops the run before it is saved.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import torch

from archembed.errors import (
    ConfigError,
    CorruptFileError,
    DataNotFoundError,
    TrainingDivergedError,
)
from archembed.io import atomic_path


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """``None``/"cpu" -> CPU; "cuda" or "cuda:N" only when such a device exists."""
    if device is None:
        return torch.device("cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        resolved = None
    if resolved is None or resolved.type not in ("cpu", "cuda"):
        raise ConfigError(f"unknown device {device!r}; use cpu or cuda[:N]")
    if resolved.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ConfigError(
                f"device {device!r} requested but no CUDA device is available; use cpu"
            )
        if resolved.index is not None and resolved.index >= count:
            raise ConfigError(
                f"device {device!r} does not exist; this machine has cuda:0..{count - 1}"
            )
    return resolved


def save_checkpoint(path: str | os.PathLike[str], state: dict[str, Any]) -> None:
    """``torch.save`` a dict of tensors/state dicts/plain values atomically."""
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def load_checkpoint(
    path: str | os.PathLike[str],
    map_location: str | torch.device = "cpu",
    keys: tuple[str, ...] = (),
    kind: str = "an archembed checkpoint",
) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`; bad files raise a UserError.

    ``keys`` must all be present (else the file is another model's: a CorruptFileError saying
    it is not ``kind``).
    """
    target = Path(path)
    if not target.is_file():
        raise DataNotFoundError(f"checkpoint not found: {target}")
    try:
        state = torch.load(target, map_location=map_location, weights_only=True)
    except Exception as exc:  # torch raises many unrelated types for truncated/foreign files
        raise CorruptFileError(f"cannot read checkpoint {target}: {exc}") from None
    if not isinstance(state, dict):
        raise CorruptFileError(f"checkpoint {target} does not hold a state dict")
    missing = [key for key in keys if key not in state]
    if missing:
        raise CorruptFileError(
            f"{target} is not {kind} (no {', '.join(missing)}); it belongs to another kind of "
            "model or run"
        )
    return state


DIVERGED_HINT = "lower --lr or the loss weights"


def check_losses(
    what: str, epoch: int, losses: dict[str, float], hint: str = DIVERGED_HINT
) -> None:
    """Stop training when a loss term is NaN or infinite (``epoch`` counts from 1)."""
    for term, value in losses.items():
        if not math.isfinite(value):
            raise TrainingDivergedError(
                f"{what} training diverged at epoch {epoch}: {term} loss is {value}; {hint}"
            )


def check_weights(what: str, epoch: int, model: torch.nn.Module, hint: str = DIVERGED_HINT) -> None:
    """Stop training when an optimiser step left a weight NaN or infinite."""
    weights = [p.detach() for p in model.parameters()]
    if weights and not bool(torch.stack(torch._foreach_norm(weights, 1)).isfinite().all()):
        raise TrainingDivergedError(
            f"{what} training diverged at epoch {epoch}: the weights are no longer finite; {hint}"
        )
