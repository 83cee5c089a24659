"""The shared training loop: divergence, checkpoints, resume and random streams."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from archembed.errors import ConfigError, CorruptFileError, TrainingDivergedError
from archembed.nn.runtime import save_checkpoint
from archembed.nn.training import Checkpoint, EpochRandom, Trainer, seeded, step
from archembed.threads import adapt, torch_threads

X = torch.linspace(-1, 1, 40).unsqueeze(1)
Y = X.pow(2) + 0.1 * X


class Stop(Exception):
    """Raised by a test's on_epoch hook to kill a run at an epoch boundary."""


def _model(seed: int = 0) -> torch.nn.Module:
    with seeded(seed):
        return torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))


def _batches(random: EpochRandom) -> list[torch.Tensor]:
    order = torch.randperm(len(X), generator=random.torch())
    return [order[i : i + 8] for i in range(0, len(X), 8)]


def _loss(rows: torch.Tensor, random: EpochRandom, model: torch.nn.Module):
    noise = 0.01 * torch.randn(len(rows), 1, generator=random.torch())
    mse = torch.mean((model(X[rows] + noise) - Y[rows]) ** 2)
    return mse, {"mse": float(mse.detach())}


def _train(epochs: int, checkpoint=None, on_epoch=None, config=None) -> torch.nn.Module:
    """A cosine-scheduled run on a fresh model; returns the model."""
    model = _model()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=6)
    trainer = Trainer(
        "demo",
        epochs,
        seed=7,
        config=config or {"lr": 0.05, "epochs": epochs},
        checkpoint=checkpoint,
        progress=False,
        on_epoch=on_epoch,
    )
    model.history = trainer.fit(
        model, optimizer, _batches, lambda rows, r: _loss(rows, r, model), schedule
    )
    return model


def _kill_at(epoch: int):
    def hook(done: int, metrics: dict[str, float]) -> None:
        if done + 1 == epoch:
            raise Stop

    return hook


def test_a_killed_run_resumes_bit_identical(tmp_path) -> None:
    straight = _train(6)
    checkpoint = tmp_path / "run.pt"
    with pytest.raises(Stop):
        _train(6, checkpoint, on_epoch=_kill_at(4))
    assert Checkpoint.load(checkpoint).epoch == 3
    resumed = _train(6, checkpoint)
    assert [row["epoch"] for row in resumed.history] == [1, 2, 3, 4, 5, 6]
    for name, value in straight.state_dict().items():
        assert torch.equal(resumed.state_dict()[name], value), name
    assert resumed.history[-1]["mse"] == straight.history[-1]["mse"]
    assert resumed.history[-1]["mse"] < resumed.history[0]["mse"]


def test_a_checkpoint_of_another_configuration_is_a_config_error(tmp_path) -> None:
    checkpoint = tmp_path / "run.pt"
    _train(2, checkpoint)
    _train(3, checkpoint)  # only the epochs changed: continues
    with pytest.raises(ConfigError, match="another configuration"):
        _train(3, checkpoint, config={"lr": 0.1, "epochs": 3})
    save_checkpoint(tmp_path / "foreign.pt", {"weights": torch.zeros(2)})
    with pytest.raises(CorruptFileError, match="not a demo training checkpoint"):
        _train(3, tmp_path / "foreign.pt")


def test_divergence_names_the_epoch_and_the_term(tmp_path) -> None:
    model = _model()

    def loss(rows: torch.Tensor, random: EpochRandom):
        mse, _ = _loss(rows, random, model)
        return mse, {"mse": float(mse.detach()), "kl": float("nan") if random.epoch == 2 else 0.0}

    trainer = Trainer("demo", 5, checkpoint=tmp_path / "run.pt", progress=False)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    with pytest.raises(TrainingDivergedError, match=r"^demo training diverged at epoch 3: kl loss"):
        trainer.fit(model, optimizer, _batches, loss)
    assert Checkpoint.load(tmp_path / "run.pt").epoch == 2


def test_training_leaves_the_global_generators_alone() -> None:
    torch.manual_seed(123)
    np.random.seed(5)
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()
    _train(2)
    assert torch.initial_seed() == 123
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert all(np.array_equal(a, b) for a, b in zip(np.random.get_state(), numpy_state))


def test_seeded_initialisation_repeats_and_differs_by_seed() -> None:
    first, again, other = _model(1), _model(1), _model(2)
    assert torch.equal(first[0].weight, again[0].weight)
    assert not torch.equal(first[0].weight, other[0].weight)


def test_epoch_streams_are_shared_within_an_epoch_and_differ_across() -> None:
    random = EpochRandom(3, 1)
    assert random.torch() is random.torch() and random.numpy(2) is random.numpy(2)
    draws = {
        (epoch, stream): EpochRandom(3, epoch).numpy(stream).random()
        for epoch in (0, 1)
        for stream in (0, 1)
    }
    assert len(set(draws.values())) == 4
    assert EpochRandom(3, 1).numpy(1).random() == draws[(1, 1)]


def test_step_updates_the_weights_once() -> None:
    model = _model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    before = [p.detach().clone() for p in model.parameters()]
    step(model, optimizer, model(X).pow(2).mean(), grad_clip=1.0)
    assert all(not torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_torch_threads_pins_the_count_and_restores_it() -> None:
    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
        assert adapt() == 1  # the load-following policy leaves a pinned count alone
    assert torch.get_num_threads() == before


def test_non_finite_weights_are_never_checkpointed(tmp_path) -> None:
    model = _model()
    optimizer = torch.optim.SGD(model.parameters(), lr=float("inf"))
    trainer = Trainer("demo", 3, checkpoint=tmp_path / "run.pt", progress=False)
    with pytest.raises(TrainingDivergedError, match="epoch 1: the weights are no longer finite"):
        trainer.fit(
            model,
            optimizer,
            lambda r: [torch.arange(len(X))],
            lambda rows, r: _loss(rows, r, model),
        )
    assert not (tmp_path / "run.pt").exists()
