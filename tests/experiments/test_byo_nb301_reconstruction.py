"""The checks of experiments/byo/nb301_reconstruction.py on tiny graphs (no data needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "byo" / "nb301_reconstruction.py"


@pytest.fixture(scope="module")
def script(load_file_module):
    return load_file_module(SCRIPT)


def test_free_latents_fit_small_dags_exactly(script):
    adj = torch.zeros(3, 5, 5)
    adj[0, [0, 1, 2, 3], [1, 2, 3, 4]] = 1  # a chain
    adj[1, [0, 0, 1, 2], [1, 2, 4, 4]] = 1  # two branches
    adj[2, [0, 0, 0, 1, 2, 3], [1, 2, 3, 4, 4, 4]] = 1  # three branches: unlinked twins
    scores = script.fit_free_latents(adj, dim=4, steps=400, seed=0)
    assert scores == {"graphs": 1.0, "adjacency": 1.0}
