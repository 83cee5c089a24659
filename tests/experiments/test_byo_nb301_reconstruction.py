"""The checks of experiments/byo/nb301_reconstruction.py on tiny graphs (no data needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from archembed.nn.gin import DenseGINLayer

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "byo" / "nb301_reconstruction.py"


@pytest.fixture(scope="module")
def script(load_file_module):
    return load_file_module(SCRIPT)


def path_graph(nodes: int) -> torch.Tensor:
    """The directed path 0 -> 1 -> ... as a (1, N, N) symmetrised adjacency."""
    adj = torch.diag(torch.ones(nodes - 1), 1)
    return (adj + adj.T).unsqueeze(0)


def test_free_latents_fit_small_dags_exactly(script):
    adj = torch.zeros(3, 5, 5)
    adj[0, [0, 1, 2, 3], [1, 2, 3, 4]] = 1  # a chain
    adj[1, [0, 0, 1, 2], [1, 2, 4, 4]] = 1  # two branches
    adj[2, [0, 0, 0, 1, 2, 3], [1, 2, 3, 4, 4, 4]] = 1  # three branches: unlinked twins
    scores = script.fit_free_latents(adj, dim=4, steps=400, seed=0)
    assert scores == {"graphs": 1.0, "adjacency": 1.0}


def test_directed_layer_tells_the_ends_of_a_path_apart(script):
    torch.manual_seed(0)
    features = torch.ones(1, 3, 2)
    plain = DenseGINLayer(2, 8).eval()
    directed = script.DirectedGINLayer(2, 8).eval()
    with torch.no_grad():
        same = plain(path_graph(3), features)
        apart = directed(path_graph(3), features)
    assert torch.allclose(same[0, 0], same[0, 2])
    assert not torch.allclose(apart[0, 0], apart[0, 2])
