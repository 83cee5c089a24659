import numpy as np
import pytest

from archembed.errors import InvalidArchitectureError
from archembed.spaces import get_space
from archembed.spaces.darts import DARTS_OPS, cell_graph, parse_genotype

DARTS_V2_NORMAL = (
    "[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
    "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)]"
)


@pytest.fixture(scope="module")
def space():
    return get_space("darts_cell")


def test_graph_form_is_the_cell_inside_a_darts_genotype(space):
    graph = space.from_native(DARTS_V2_NORMAL)
    assert graph.n_nodes == 11 and space.is_valid(graph)
    assert graph.ops[:2] == ("c_k-2", "c_k-1") and graph.ops[10] == "output"
    # node 5's second edge reads node 2, i.e. both op vertices of node 2 (vertices 2 and 3)
    assert graph.adj[2, 9] and graph.adj[3, 9] and graph.adj[2:10, 10].all()
    assert int(graph.adj.sum()) == 8 + 9  # 8 edges into op vertices (one doubled), 8 out
    # the same cell inside the 23-vertex genotype graph: vertices 1..11 of the normal cell
    darts = get_space("darts")
    genotype = darts.from_native(
        f"Genotype(normal={DARTS_V2_NORMAL}, normal_concat=[2, 3, 4, 5], "
        f"reduce={DARTS_V2_NORMAL}, reduce_concat=[2, 3, 4, 5])"
    )
    assert np.array_equal(genotype.adj[1:12, 1:12], graph.adj)
    assert genotype.ops[3:11] == graph.ops[2:10]


def test_native_round_trip_and_canonical_order(space):
    graph = space.from_native(DARTS_V2_NORMAL)
    assert space.from_native(space.to_native(graph)) == graph
    normal = parse_genotype(
        f"Genotype(normal={DARTS_V2_NORMAL}, normal_concat=[2, 3, 4, 5], "
        f"reduce={DARTS_V2_NORMAL}, reduce_concat=[2, 3, 4, 5])"
    )[0]
    assert space.cell(graph) == normal


def test_edge_order_within_a_node_is_one_cell(space):
    graph = space.from_native(DARTS_V2_NORMAL)
    pairs = list(space.cell(graph))
    pairs[4], pairs[5] = pairs[5], pairs[4]  # node 4 lists input 1 before input 0
    swapped = cell_graph(pairs)
    assert swapped != graph and space.is_valid(swapped)
    assert space.identity(swapped) == space.identity(graph)
    assert space.to_native(swapped) == space.to_native(graph)


def test_sample_neighbours_size(space):
    graphs = space.sample(200, np.random.default_rng(0))
    assert all(space.is_valid(g) for g in graphs) and len(set(graphs)) == 200
    assert graphs == space.sample(200, np.random.default_rng(0))
    neighbours = space.neighbours(graphs[0])
    # 8 edges x 6 other ops + other distinct inputs: 0 + 1 + 2 + 3 per node pair
    assert len(neighbours) == len(set(neighbours)) == 60
    assert all(space.is_valid(n) and graphs[0].edit_distance(n) > 0 for n in neighbours)
    assert space.size == 1 * 3 * 6 * 10 * len(DARTS_OPS) ** 8


def test_structural_membership(space):
    graph = space.from_native(DARTS_V2_NORMAL)
    assert not space.is_valid(graph.flip_edge(0, 4))  # a vertex with two unrelated inputs
    assert not space.is_valid(graph.flip_edge(2, 10))  # an op vertex that skips the output
    assert not space.is_valid(graph.set_op(5, "output"))
    same_input = [("sep_conv_3x3", 0)] * 2 + list(space.cell(graph))[2:]
    assert not space.is_valid(cell_graph(same_input))
    assert not space.is_valid(get_space("darts").sample(1, np.random.default_rng(0))[0])


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("Genotype(normal=[])", "not a DARTS cell"),
        ("[('sep_conv_3x3', 0)]", "8 \\(op, input\\) pairs"),
        (DARTS_V2_NORMAL.replace("('dil_conv_3x3', 2)", "('none', 2)"), "unknown DARTS op"),
        (DARTS_V2_NORMAL.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 0)"), "twice"),
    ],
)
def test_bad_cells(space, text, needle):
    with pytest.raises(InvalidArchitectureError, match=needle):
        space.from_native(text)
