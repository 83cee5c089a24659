"""Device resolution, atomic checkpoints and divergence checks."""

from __future__ import annotations

import pytest
import torch

from archembed.errors import (
    ConfigError,
    CorruptFileError,
    DataNotFoundError,
    TrainingDivergedError,
)
from archembed.nn.runtime import (
    check_losses,
    check_weights,
    load_checkpoint,
    resolve_device,
    save_checkpoint,
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


def test_a_checkpoint_of_another_kind_names_what_it_lacks(tmp_path) -> None:
    save_checkpoint(tmp_path / "other.pt", {"model": {}, "epoch": 1})
    with pytest.raises(CorruptFileError, match=r"is not a thing \(no fingerprint\)"):
        load_checkpoint(tmp_path / "other.pt", keys=("model", "fingerprint"), kind="a thing")


@pytest.mark.parametrize("device", ["tpu", "", "meta", "cuda:x", "cuda:-1"])
def test_unknown_devices_are_config_errors(device) -> None:
    with pytest.raises(ConfigError, match="unknown device"):
        resolve_device(device)


def test_non_finite_losses_and_weights_stop_training() -> None:
    check_losses("demo", 3, {"op": 0.5, "kl": 1e30})
    with pytest.raises(TrainingDivergedError, match=r"^demo training diverged at epoch 3: kl loss"):
        check_losses("demo", 3, {"op": 0.5, "kl": float("inf")})
    layer = torch.nn.Linear(2, 2)
    check_weights("demo", 1, layer)
    with torch.no_grad():
        layer.bias[0] = float("nan")
    with pytest.raises(TrainingDivergedError, match="epoch 2: the weights are no longer finite"):
        check_weights("demo", 2, layer)
