"""Seeding, device resolution and atomic checkpoints."""

from __future__ import annotations

import pytest
import torch

from archembed.errors import ConfigError, CorruptFileError, DataNotFoundError
from archembed.nn.runtime import load_checkpoint, resolve_device, save_checkpoint, seed_everything


def test_seed_everything_makes_torch_draws_repeatable() -> None:
    seed_everything(3)
    first = torch.randn(4)
    generator = seed_everything(3)
    assert torch.equal(first, torch.randn(4))
    assert torch.equal(
        torch.rand(2, generator=generator), torch.rand(2, generator=seed_everything(3))
    )


def test_checkpoint_round_trip_and_bad_files(tmp_path) -> None:
    path = tmp_path / "run" / "ckpt.pt"
    save_checkpoint(path, {"weights": torch.arange(3.0), "epoch": 2})
    state = load_checkpoint(path)
    assert state["epoch"] == 2 and torch.equal(state["weights"], torch.arange(3.0))
    assert [p.name for p in path.parent.iterdir()] == ["ckpt.pt"]
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CorruptFileError):
        load_checkpoint(tmp_path / "junk.pt")
    with pytest.raises(DataNotFoundError):
        load_checkpoint(tmp_path / "absent.pt")


def test_resolve_device() -> None:
    assert resolve_device(None).type == "cpu"
    with pytest.raises(ConfigError):
        resolve_device("tpu-ish")
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError):
            resolve_device("cuda")
