"""The GATES readout variants of experiments/byo/gates_readouts.py on tiny chains (no data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from archembed.graph import ArchGraph
from archembed.spaces.generic import GenericSpace

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "byo" / "gates_readouts.py"
BLOCKS = ("block", "block_s2")


@pytest.fixture(scope="module")
def script(load_file_module):
    return load_file_module(SCRIPT)


def chain(blocks: list[str]) -> ArchGraph:
    """input -> blocks ... -> output."""
    ops = ["input", *blocks, "output"]
    return ArchGraph(np.eye(len(ops), k=1), ops)


def chains() -> tuple[list[ArchGraph], np.ndarray]:
    """Chains of 2 to 4 blocks scored by where the first ``block_s2`` sits from the input."""
    rng = np.random.default_rng(0)
    graphs, scores = [], []
    for _ in range(24):
        blocks = [str(b) for b in rng.choice(BLOCKS, size=rng.integers(2, 5))]
        graphs.append(chain(blocks))
        scores.append(next((i for i, b in enumerate(blocks) if b == "block_s2"), len(blocks)))
    return graphs, np.asarray(scores, dtype=float)


def test_longest_hops_counts_the_longest_input_to_output_path(script):
    adj = np.zeros((5, 5))
    adj[[0, 0, 1, 2], [1, 3, 2, 3]] = 1  # 0 -> 1 -> 2 -> 3 and 0 -> 3
    adj[3, 4] = 1
    assert script.longest_hops(adj, 5) == 4
    assert script.longest_hops(np.eye(3, k=1), 3) == 2


@pytest.mark.parametrize("readout", ["output", "depth", "reverse", "both", "tied"])
def test_every_readout_trains_and_ranks_by_stem_side_position(script, readout):
    space = GenericSpace(list(BLOCKS), max_nodes=6)
    graphs, scores = chains()
    model = script.ReadoutGATES(
        space, readout=readout, hidden=(16,) * 5, head=(16,), epochs=150, min_steps=0, seed=0
    )
    model.fit(graphs, scores)
    predicted = np.asarray(model.predict(graphs)).reshape(-1)
    assert np.corrcoef(predicted, scores)[0, 1] > 0.5


def test_output_readout_is_gates_itself(script):
    from archembed.encoders.gates import GATES

    space = GenericSpace(list(BLOCKS), max_nodes=6)
    graphs, scores = chains()
    options = {"hidden": (8,) * 5, "head": (8,), "epochs": 5, "min_steps": 0, "seed": 1}
    ours = script.ReadoutGATES(space, readout="output", **options).fit(graphs, scores)
    shipped = GATES(space, **options).fit(graphs, scores)
    np.testing.assert_array_equal(ours.predict(graphs), shipped.predict(graphs))
