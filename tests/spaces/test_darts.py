import ast
import json

import numpy as np
import pytest

from archembed.errors import InvalidArchitectureError
from archembed.spaces import get_space
from archembed.spaces.darts import DARTS_OPS, parse_genotype

DARTS_V2 = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
    "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
    "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))"
)


@pytest.fixture(scope="module")
def space():
    return get_space("darts")


@pytest.fixture(scope="module")
def naslib_archs(data_root):
    path = data_root / "nb301" / "naslib_zc_nasbench301.json"
    return json.loads(path.read_text())["nasbench301"]["cifar10"]


def _edge_params(op: str, channels: int, stride: int) -> int:
    """Parameters of one DARTS edge (BatchNorm without affine weights, as NASLib builds it)."""
    kernel = {"3x3": 3, "5x5": 5}.get(op[-3:], 0)
    if op.startswith("sep_conv"):
        return 2 * (kernel * kernel * channels + channels * channels)
    if op.startswith("dil_conv"):
        return kernel * kernel * channels + channels * channels
    if op == "skip_connect" and stride == 2:
        return channels * channels  # FactorizedReduce: two 1x1 convs to C/2 channels
    return 0


def _cell_params(genotype) -> float:
    normal, reduce = genotype
    total = sum(_edge_params(op, c, 1) for c in (32, 32, 64, 64, 128, 128) for op, _ in normal)
    total += sum(
        _edge_params(op, c, 2 if source < 2 else 1) for c in (64, 128) for op, source in reduce
    )
    return total / 1e6


def test_naslib_op_order_reproduces_the_parameter_counts(space, naslib_archs):
    # params in the file = a fixed stem/classifier part + the cells' edges, computed from the
    # op names our NASLib decoding assigns: an op order or tuple layout error breaks this.
    offsets = []
    for text, values in naslib_archs.items():
        genotype = space.genotype(space.from_naslib(text))
        offsets.append(values["params"] - _cell_params(genotype))
    assert len(offsets) == 500
    assert np.ptp(offsets) < 1e-6
    # swapping two conv ops in the decoding would not fit
    swapped = []
    for text, values in naslib_archs.items():
        genotype = space.genotype(space.from_naslib(text))
        swap = {"sep_conv_3x3": "dil_conv_3x3", "dil_conv_3x3": "sep_conv_3x3"}
        relabelled = tuple(tuple((swap.get(op, op), s) for op, s in cell) for cell in genotype)
        swapped.append(values["params"] - _cell_params(relabelled))
    assert np.ptp(swapped) > 0.05


def test_naslib_tuples_round_trip(space, naslib_archs):
    graphs = [space.from_naslib(text) for text in naslib_archs]
    assert len(set(graphs)) == 500
    assert len({g.key for g in graphs[:100]}) == 100  # (keys of 23-vertex graphs cost ~6 ms)
    for text, graph in zip(naslib_archs, graphs):
        original = ast.literal_eval(text)
        compact = space.to_naslib(graph)
        for cell, cell_compact in zip(original, compact):
            for node in range(4):
                assert set(cell[2 * node : 2 * node + 2]) == set(
                    cell_compact[2 * node : 2 * node + 2]
                )
        assert space.from_naslib(compact) == graph
        assert space.from_native(space.to_native(graph)) == graph


def test_genotype_text_round_trip_and_canonical_order(space):
    graph = space.from_native(DARTS_V2)
    text = space.to_native(graph)
    assert text.startswith("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1),")
    assert "reduce_concat=[2, 3, 4, 5]" in text
    assert space.to_native(space.from_native(text)) == text
    # node 5 of the reduction cell listed (skip, 2), (max_pool, 1): stored input-sorted
    assert parse_genotype(DARTS_V2)[1][6:] == (("max_pool_3x3", 1), ("skip_connect", 2))


def test_graph_form(space):
    graph = space.from_native(DARTS_V2)
    assert graph.n_nodes == 23 and space.is_valid(graph)
    assert graph.ops[0] == "input" and graph.ops[11] == "concat" and graph.ops[22] == "output"
    assert graph.ops[1:3] == graph.ops[12:14] == ("c_k-2", "c_k-1")
    assert not graph.adj[:, 0].any() and not graph.adj[22].any()
    assert graph.adj[0, 1] and graph.adj[0, 2] and graph.adj[11, 12] and graph.adj[11, 13]
    # normal node 5's second edge reads node 2 = both op vertices of node 2 (vertices 3, 4)
    assert graph.adj[3, 10] and graph.adj[4, 10] and graph.adj[3:11, 11].all()
    # swapping normal and reduction cells gives a non-isomorphic graph
    normal, reduce = parse_genotype(DARTS_V2)
    from archembed.spaces.darts import graph_from_genotype

    assert graph_from_genotype((reduce, normal)).key != graph.key


def test_sample_neighbours_mutate(space):
    graphs = space.sample(50, np.random.default_rng(0))
    assert all(space.is_valid(g) for g in graphs) and len(set(graphs)) == 50
    assert graphs == space.sample(50, np.random.default_rng(0))
    neighbours = space.neighbours(graphs[0])
    # 16 edges x 6 other ops + other distinct inputs: 2 x (0 + 1 + 2 + 3) per cell
    assert len(neighbours) == len(set(neighbours)) == 120
    assert graphs[0] not in neighbours and all(space.is_valid(n) for n in neighbours)
    assert space.mutate(graphs[0], np.random.default_rng(1)) in neighbours
    assert space.size == (1 * 3 * 6 * 10 * len(DARTS_OPS) ** 8) ** 2


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (DARTS_V2.replace("('max_pool_3x3', 0)", "('none', 0)", 1), "unknown DARTS op"),
        (DARTS_V2.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 0)"), "twice"),
        (DARTS_V2.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 5)"), "inputs 0..4"),
        (DARTS_V2.replace("reduce_concat=range(2, 6)", "reduce_concat=[4, 5]"), "concat"),
        ("Genotype(normal=[])", "lacks"),
        ("|nor_conv_3x3~0|", "not a DARTS genotype"),
    ],
)
def test_bad_genotypes(space, text, needle):
    with pytest.raises(InvalidArchitectureError, match=needle):
        space.from_native(text)


def test_bad_naslib_tuples_and_graphs(space):
    with pytest.raises(InvalidArchitectureError):
        space.from_naslib("[[(0, 7)] * 8, [(0, 1)] * 8]")
    with pytest.raises(InvalidArchitectureError):
        space.from_naslib("not a tuple")
    graph = space.from_native(DARTS_V2)
    assert not space.is_valid(graph.flip_edge(0, 5))
    with pytest.raises(InvalidArchitectureError):
        space.to_native(graph.flip_edge(0, 5))
