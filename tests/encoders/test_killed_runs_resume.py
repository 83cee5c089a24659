"""A run killed at an epoch boundary resumes bit-identical, for every supervised model family
(GATES, TA-GATES, MLP, LSTM, GCN; cosine learning-rate schedule, so the scheduler's state
must come back too) and for the contrastive and NAO encoders.

The kill is a test double: a subclass whose batches for epoch ``KILL_AT`` raise, after the
Trainer has written the checkpoint of the epoch before, as a process killed there would.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tests.feature_stores import random_store

from archembed.encoders import ENCODERS
from archembed.encoders.contrastive import ContrastiveEncoder
from archembed.encoders.nao import NAOEncoder
from archembed.nn.training import Checkpoint
from archembed.spaces.base import get_space

EPOCHS, KILL_AT = 3, 2
"""Runs of 3 epochs, killed when epoch 2 (0-based index) starts: the checkpoint holds 2."""
SUPERVISED = {
    "gates": {"op_dim": 8, "input_dim": 8, "hidden": [16, 16]},
    "tagates": {"op_dim": 8, "input_dim": 8, "hidden": [16, 16], "backward_dim": 8, "head": [16]},
    "mlp": {"hidden": [16]},
    "lstm": {"hidden": 16},
    "gcn": {"hidden": [16, 16]},
}


class Killed(Exception):
    """The process dies here."""


def killed(cls: type) -> type:
    """``cls`` whose run dies as the batches of epoch ``KILL_AT`` are asked for."""

    class Dying(cls):
        def _batches(self, *args):
            if args[-1].epoch == KILL_AT:
                raise Killed
            return super()._batches(*args)

    return Dying


@pytest.fixture(scope="module")
def cells():
    space = get_space("nb201")
    graphs = [space.enumerate()[i] for i in range(0, 15_625, 260)][:60]
    y = np.array([sum(op.startswith("nor_conv") for op in g.ops) for g in graphs], float)
    return graphs, y + np.random.default_rng(0).normal(0, 0.1, len(graphs))


def assert_same_weights(a: torch.nn.Module, b: torch.nn.Module) -> None:
    for name, value in a.state_dict().items():
        assert torch.equal(b.state_dict()[name], value), name


@pytest.mark.parametrize("name", list(SUPERVISED))
def test_a_killed_supervised_fit_resumes_bit_identical(name, cells, tmp_path) -> None:
    graphs, y = cells
    params = {**SUPERVISED[name], "epochs": EPOCHS, "min_steps": 0, "batch_size": 16, "seed": 5}
    cls = ENCODERS.get(name)
    straight = cls("nb201", **params).fit(graphs, y)
    checkpoint = tmp_path / "run.pt"
    with pytest.raises(Killed):
        killed(cls)("nb201", **params).fit(graphs, y, checkpoint=checkpoint)
    assert Checkpoint.load(checkpoint).epoch == KILL_AT
    resumed = cls("nb201", **params).fit(graphs, y, checkpoint=checkpoint)
    assert_same_weights(straight.model_, resumed.model_)
    assert np.array_equal(resumed.predict(graphs[:10]), straight.predict(graphs[:10]))


def test_a_killed_nao_fit_resumes_bit_identical(cells, tmp_path) -> None:
    graphs, y = cells
    params = {"hidden": 16, "batch_size": 16, "seed": 2}
    straight = NAOEncoder("nb201", **params).fit(graphs, y, epochs=EPOCHS)
    checkpoint = tmp_path / "run.pt"
    with pytest.raises(Killed):
        killed(NAOEncoder)("nb201", **params).fit(graphs, y, EPOCHS, checkpoint=checkpoint)
    resumed = NAOEncoder("nb201", **params).fit(graphs, y, EPOCHS, checkpoint=checkpoint)
    assert_same_weights(straight.model_, resumed.model_)


def test_a_killed_contrastive_fit_resumes_bit_identical(cells, tmp_path) -> None:
    graphs, _ = cells
    store = random_store(tmp_path / "store", graphs, seed=1)
    params = {"epochs": EPOCHS, "batch_size": 16, "progress": False}
    paths = [store.directory]
    straight = ContrastiveEncoder.from_recipe("fast", paths, **params).fit()
    model = tmp_path / "model"
    with pytest.raises(Killed):
        killed(ContrastiveEncoder).from_recipe("fast", paths, checkpoint_dir=model, **params).fit()
    resumed = ContrastiveEncoder.from_recipe("fast", paths, checkpoint_dir=model, **params).fit()
    assert [row["epoch"] for row in resumed.history_] == [1, 2, 3]
    assert_same_weights(straight.model_, resumed.model_)
