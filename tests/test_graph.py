import json

import numpy as np
import pytest

from archembed.errors import InvalidArchitectureError
from archembed.graph import ArchGraph, batch_tensors

NB101_NAMES = {
    -1: "input",
    -2: "output",
    0: "conv3x3-bn-relu",
    1: "conv1x1-bn-relu",
    2: "maxpool3x3",
}


def chain(*ops: str) -> ArchGraph:
    n = len(ops)
    adj = np.zeros((n, n), dtype=int)
    for i in range(n - 1):
        adj[i, i + 1] = 1
    return ArchGraph(adj, ops)


def test_key_reproduces_official_nb101_hashes(data_root):
    data = json.loads((data_root / "nb101" / "nb101_data-1k.json").read_text())
    matched = 0
    for key, adj, ops in zip(data["key"], data["adjacency"], data["operations"]):
        keep = [i for i, o in enumerate(ops) if o != -3]
        matrix = np.asarray(adj, dtype=int)[np.ix_(keep, keep)]
        graph = ArchGraph(matrix, [NB101_NAMES[ops[i]] for i in keep])
        matched += graph.key == key
    assert matched == len(data["key"]) == 1000


def test_key_is_invariant_to_vertex_order():
    adj = np.array([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]])
    a = ArchGraph(adj, ["input", "conv3x3-bn-relu", "maxpool3x3", "output"])
    b = ArchGraph(adj, ["input", "maxpool3x3", "conv3x3-bn-relu", "output"])
    c = ArchGraph(adj, ["input", "maxpool3x3", "maxpool3x3", "output"])
    assert a.key == b.key
    assert a.exact_key != b.exact_key
    assert a.key != c.key


def test_pruning_drops_dead_vertices_and_zero_ops():
    adj = np.zeros((5, 5), dtype=int)
    adj[0, 1] = adj[1, 4] = adj[0, 2] = adj[2, 3] = 1  # vertex 2 -> 3 never reaches the output
    graph = ArchGraph(adj, ["input", "a", "b", "c", "output"])
    pruned = graph.prune()
    assert pruned.ops == ("input", "a", "output")
    assert graph.key == chain("input", "a", "output").key
    zero = chain("input", "none", "output")
    assert not zero.is_connected()
    assert zero.prune().n_nodes == 2


@pytest.mark.parametrize(
    ("adj", "ops", "message"),
    [
        ([[0, 1], [1, 0]], ["input", "output"], "upper triangular"),
        ([[0, 1], [0, 0]], ["input"], "ops were given"),
        ([[0, 2], [0, 0]], ["input", "output"], "0 or 1"),
        ([[0, 1, 0]], ["input", "output"], "square"),
    ],
)
def test_malformed_graphs_are_rejected(adj, ops, message):
    with pytest.raises(InvalidArchitectureError, match=message):
        ArchGraph(adj, ops)


def test_graph_is_immutable():
    graph = chain("input", "a", "output")
    with pytest.raises(AttributeError):
        graph.ops = ("x",)
    with pytest.raises(ValueError):
        graph.adj[0, 1] = 0


def test_edits_and_edit_distance():
    graph = chain("input", "a", "b", "output")
    flipped = graph.flip_edge(0, 3)
    assert flipped.n_edges == graph.n_edges + 1
    assert graph.edit_distance(flipped) == 1
    changed = graph.set_op(1, "c")
    assert graph.edit_distance(changed) == 1
    grown = graph.add_node("c", preds=[2], succs=[4 - 1])
    assert grown.n_nodes == 5 and grown.ops[-2] == "c"
    assert grown.remove_node(3).exact_key == graph.exact_key
    assert graph.edit_distance(grown) == 3  # one op (pad -> c) and two edges
    assert graph.edit_distance(graph) == 0


def test_batch_tensors_pads_and_one_hots():
    vocab = ["input", "a", "b", "output"]
    adj, ops = batch_tensors(
        [chain("input", "a", "output"), chain("input", "a", "b", "output")], vocab, 5
    )
    assert adj.shape == (2, 5, 5) and ops.shape == (2, 5, 4)
    assert ops[0].sum() == 3 and ops[1].sum() == 4
    assert adj[0, 1, 2] == 1 and adj[0].sum() == 2
    with pytest.raises(InvalidArchitectureError, match="unknown op"):
        batch_tensors([chain("input", "zzz", "output")], vocab, 5)


def test_dict_round_trip_and_pickle():
    import pickle

    graph = chain("input", "a", "output")
    assert ArchGraph.from_dict(graph.to_dict()) == graph
    copy = pickle.loads(pickle.dumps(graph))
    assert copy == graph and copy.key == graph.key
