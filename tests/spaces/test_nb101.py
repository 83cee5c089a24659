import json

import numpy as np
import pytest

from archembed.errors import InvalidArchitectureError, UnknownNameError
from archembed.graph import ArchGraph, hash_module
from archembed.spaces import get_space
from archembed.spaces.nb101_cells import _shapes, hash_labellings, labels_to_ops, read_cells

CONV3, CONV1, POOL = "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"


@pytest.fixture(scope="module")
def space():
    return get_space("nb101")


def test_enumeration_is_the_423624_cells_and_holds_every_data_key(nb101_cells, data_root):
    keys = nb101_cells.keys
    assert len(keys) == 423_624
    assert (keys[1:] > keys[:-1]).all()  # sorted and unique
    data_keys = []
    for name in ("nb101_data-1k.json", "nb101_data-10k.json"):
        data_keys += json.loads((data_root / "nb101" / name).read_text())["key"]
    assert len(data_keys) == 11_000
    assert (nb101_cells.positions(data_keys) >= 0).all()
    assert nb101_cells.positions(["0" * 32, "f" * 32]).tolist() == [-1, -1]


def test_stored_cells_hash_to_their_keys_and_are_valid(nb101_cells, space):
    picks = np.random.default_rng(0).choice(len(nb101_cells), 300, replace=False)
    for graph in nb101_cells.graphs(picks):
        assert space.is_valid(graph)
        labels = [-1, *(space.ops.index(op) - 1 for op in graph.ops[1:-1]), -2]
        assert hash_module(graph.adj, labels) == graph.key
    assert set(nb101_cells.n_nodes.tolist()) == {2, 3, 4, 5, 6, 7}


def test_enumerate_and_arrays_agree(nb101_cells, space):
    graphs = space.enumerate()
    assert len(graphs) == 423_624
    picks = [0, 1, 77_777, 423_623]
    assert [graphs[i].key for i in picks] == nb101_cells.keys[picks].tolist()
    adj, onehot = nb101_cells.tensors(space.ops)
    ref_adj, ref_onehot = space.tensors([graphs[i] for i in picks])
    np.testing.assert_array_equal(adj[picks], ref_adj)
    np.testing.assert_array_equal(onehot[picks], ref_onehot)


def test_disk_cache_reloads_and_ignores_a_corrupt_file(nb101_cells, tmp_path):
    from archembed.spaces.nb101_cells import cache_path

    again = read_cells(cache_path())
    np.testing.assert_array_equal(again.keys, nb101_cells.keys)
    np.testing.assert_array_equal(again.adjacency, nb101_cells.adjacency)
    broken = tmp_path / "cells.npz"
    broken.write_bytes(cache_path().read_bytes()[:1000])
    assert read_cells(broken) is None


def test_batched_hash_equals_the_reference_hash():
    for shape in _shapes(5)[::10]:
        rows = shape.label_rows.tolist()
        assert hash_labellings(shape.adjacency, rows) == [
            hash_module(shape.adjacency, r) for r in rows
        ]
    assert labels_to_ops([-1, 2, 0, -2, -3]) == ("input", POOL, CONV3, "output")


def test_native_format_round_trip(space):
    for graph in space.sample(20, np.random.default_rng(0)):
        text = space.to_native(graph)
        assert set(json.loads(text)) == {"adjacency", "ops"}
        assert space.from_native(text) == graph


def test_unpruned_spec_is_pruned_like_nasbench101(space):
    adj = np.zeros((7, 7), dtype=int)
    adj[0, 1] = adj[1, 6] = adj[0, 2] = adj[2, 3] = 1  # 2 -> 3 never reaches the output
    adj[4, 6] = 1  # 4 is never fed
    spec = {"adjacency": adj.tolist(), "ops": ["input", CONV3, CONV1, POOL, CONV1, CONV3, "output"]}
    graph = space.from_native(json.dumps(spec))
    assert graph.ops == ("input", CONV3, "output")
    assert graph.n_edges == 2


def _native(adj, ops):
    return json.dumps({"adjacency": adj, "ops": ops})


def _chain(n, op=CONV3):
    adj = np.eye(n, k=1, dtype=int).tolist()
    return adj, ["input", *[op] * (n - 2), "output"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "expected JSON"),
        (json.dumps({"ops": ["input", "output"]}), "adjacency"),
        (_native(*_chain(3, "conv5x5")), "unknown op 'conv5x5'"),
        (_native([[0, 1, 0], [0, 0, 1], [1, 0, 0]], ["input", CONV3, "output"]), "cycle"),
        (_native(*_chain(8)), "more than 7"),
        (_native([[0, 1], [0, 0]], ["output", "input"]), '"input"'),
        (_native([[0, 1, 0], [0, 0, 0], [0, 0, 0]], ["input", CONV3, "output"]), "no path"),
        (_native([[0, 1], [0, 0]], ["input", CONV3, "output"]), "ops were given"),
    ],
)
def test_bad_input_is_a_user_error(space, text, message):
    with pytest.raises(InvalidArchitectureError, match=message):
        space.from_native(text)


def test_too_many_edges_after_pruning_is_rejected(space):
    adj = np.triu(np.ones((6, 6), dtype=int), k=1)  # 15 edges, all on paths
    with pytest.raises(InvalidArchitectureError, match="15 edges, more than 9"):
        space.from_spec(adj, ["input", CONV3, CONV3, CONV3, CONV3, "output"])


def test_sampling_is_seeded_and_valid(space):
    first = space.sample(30, np.random.default_rng(3))
    assert first == space.sample(30, np.random.default_rng(3))
    assert all(space.is_valid(g) for g in first)
    assert len({g.n_nodes for g in first}) > 1
    with pytest.raises(UnknownNameError, match="sampling"):
        get_space("nb101", sampling="edges")


def test_uniform_cell_sampling_draws_enumerated_cells(nb101_cells):
    cells_space = get_space("nb101", sampling="cells")
    graphs = cells_space.sample(50, np.random.default_rng(0))
    assert (nb101_cells.positions([g.key for g in graphs]) >= 0).all()
    # 7-vertex cells are 85% of the space
    assert sum(g.n_nodes == 7 for g in graphs) > 30


def test_neighbours_are_valid_distinct_single_edits(space):
    diamond = [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]]
    graph = space.from_spec(diamond, ["input", CONV3, CONV1, "output"])
    neighbours = space.neighbours(graph)
    keys = [g.key for g in neighbours]
    assert len(keys) == len(set(keys)) and graph.key not in keys
    assert all(space.is_valid(g) for g in neighbours)
    assert any(g.n_nodes == 5 for g in neighbours)  # a vertex can be added
    assert any(g.n_nodes == 3 for g in neighbours)  # or removed
    assert space.from_spec(diamond, ["input", POOL, CONV1, "output"]).key in keys
    assert all(abs(g.n_nodes - graph.n_nodes) <= 1 for g in neighbours)
    assert space.mutate(graph, np.random.default_rng(0)).key in keys


def test_is_valid_rejects_unpruned_graphs(space):
    adj = np.zeros((4, 4), dtype=int)
    adj[0, 1] = adj[1, 3] = adj[0, 2] = 1
    graph = ArchGraph(adj, ["input", CONV3, CONV1, "output"])
    assert not space.is_valid(graph)
    assert space.is_valid(graph.prune())
