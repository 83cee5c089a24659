"""FlowerFormer: its flow layers on hand-made DAGs, and the predictor on NB201 and NB101 cells."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from archembed.encoders import ENCODERS, load_encoder
from archembed.encoders.flowformer import FlowFormer, flow_inputs
from archembed.errors import ConfigError
from archembed.nn.flow_attention import FlowAttention, FlowEncoder, longest_paths, reachability
from archembed.predictors.metrics import kendall_tau
from archembed.spaces.base import get_space
from archembed.spaces.generic import GenericSpace

SMALL = {
    "dim": 16,
    "layers": 2,
    "heads": 2,
    "epochs": 30,
    "min_steps": 0,
    "batch_size": 32,
    "lr": 3e-3,
}


def diamond_and_branch() -> torch.Tensor:
    """One 6-node DAG: 0 -> 1 -> 3 -> 5, 0 -> 2 -> 3, and a side branch 0 -> 4 -> 5."""
    adj = torch.zeros(1, 6, 6)
    for i, j in [(0, 1), (1, 3), (3, 5), (0, 2), (2, 3), (0, 4), (4, 5)]:
        adj[0, i, j] = 1.0
    return adj


def graph_of(adj: torch.Tensor) -> dict[str, torch.Tensor]:
    return {
        "adj": adj,
        "real": torch.ones(adj.shape[:2]),
        "depth": longest_paths(adj).long(),
        "height": longest_paths(adj.transpose(1, 2)).long(),
        "paths": reachability(adj),
    }


def test_generations_and_paths_of_a_dag():
    adj = diamond_and_branch()
    assert longest_paths(adj)[0].tolist() == [0, 1, 1, 2, 1, 3]
    assert longest_paths(adj.transpose(1, 2))[0].tolist() == [3, 2, 2, 1, 1, 0]
    paths = reachability(adj)[0]
    assert paths[1, 5] and paths[5, 1] and paths[0, 3] and paths[2, 2]
    assert not paths[1, 2] and not paths[4, 3] and not paths[1, 4]


def test_one_asynchronous_pass_carries_every_node_to_every_node_on_its_paths():
    torch.manual_seed(0)
    adj = diamond_and_branch()
    x = torch.randn(1, 6, 8, requires_grad=True)
    FlowEncoder(8)(x, graph_of(adj))[0, 1].sum().backward()
    # forward: the input and node 1 itself; backward: everything downstream of node 1, which
    # also read (forward) the input and node 2 on its way to node 3
    assert x.grad is not None and (x.grad[0].abs().sum(-1) > 0).all()


def test_attention_reads_only_nodes_on_a_path():
    torch.manual_seed(0)
    adj = diamond_and_branch()
    attention = FlowAttention(8, heads=2, dropout=0.0)
    x = torch.randn(1, 6, 8)
    moved = x.clone()
    moved[0, 4] += 5.0  # node 4 shares no path with nodes 1, 2 and 3
    before, after = attention(x, graph_of(adj)), attention(moved, graph_of(adj))
    assert torch.allclose(before[0, 1:4], after[0, 1:4])
    assert not torch.allclose(before[0, 5], after[0, 5])


@pytest.fixture(scope="module")
def nb201_split(nb201_labelled_split):
    return nb201_labelled_split(seed=1, n_train=120, n_test=600)


def test_flowformer_ranks_unseen_nb201_cells_and_round_trips(nb201_split, tmp_path):
    train, y_train, test, y_test = nb201_split
    model = ENCODERS.get("flowformer")("nb201", seed=3, **SMALL).fit(train, y_train)
    scores = model.predict(test)
    assert scores.shape == (len(test),)
    assert kendall_tau(y_test, scores) > 0.4
    encoding = model.transform(test[:5])
    assert encoding.shape == (5, SMALL["dim"]) and np.isfinite(encoding).all()
    restored = load_encoder(model.save(tmp_path / "flowformer"))
    assert np.allclose(restored.predict(test[:50]), scores[:50], atol=1e-5)


def test_flowformer_is_deterministic_given_a_seed(nb201_split):
    train, y_train, test, _ = nb201_split
    params = {**SMALL, "epochs": 3}
    first = FlowFormer("nb201", seed=4, **params).fit(train, y_train).predict(test)
    again = FlowFormer("nb201", seed=4, **params).fit(train, y_train).predict(test)
    other = FlowFormer("nb201", seed=5, **params).fit(train, y_train).predict(test)
    assert np.array_equal(first, again)
    assert not np.allclose(first, other)


@pytest.mark.parametrize(
    "space",
    [get_space("nb101"), GenericSpace(("gat.x", "sage-2", "k9", "id0"), 9)],
    ids=["nb101", "generic"],
)
def test_flowformer_learns_on_other_spaces_with_graphs_of_several_sizes(space):
    rng = np.random.default_rng(0)
    graphs = space.sample(240, rng)
    assert len({g.n_nodes for g in graphs}) > 1
    # a structural target: the first inner op counts, and the longest path counts more
    depth = flow_inputs(space, graphs, prune=True)["depth"].amax(dim=1).numpy()
    counts = np.array([g.ops.count(space.ops[1]) for g in graphs])
    target = counts + 2.0 * depth + rng.normal(0, 0.1, len(graphs))
    model = FlowFormer(space, seed=0, **SMALL).fit(graphs[:160], target[:160])
    assert kendall_tau(target[160:], model.predict(graphs[160:])) > 0.5


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"dim": 30, "heads": 8}, "multiple of heads"),
        ({"norm": "group"}, "unknown norm"),
        ({"layers": 0}, "layers must be"),
        ({"head": "wide"}, "head must be"),
        ({"attn_dropout": 1.0}, "attn_dropout"),
    ],
)
def test_bad_flowformer_options_are_config_errors(options, fragment):
    with pytest.raises(ConfigError, match=fragment):
        FlowFormer("nb201", **options)
