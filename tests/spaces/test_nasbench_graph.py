import json

import numpy as np
import pytest
from nas_bench_graph.readbench import light_read

from archembed.errors import InvalidArchitectureError
from archembed.spaces import get_space


@pytest.fixture(scope="module")
def space():
    return get_space("nasbench_graph")


def test_enumeration_matches_the_package_benchmark(space):
    graphs = space.enumerate()
    assert len(graphs) == len(set(graphs)) == space.size == 26206
    ids = {space.identity(g) for g in graphs}
    assert ids == {str(k) for k in light_read("cora")}
    # the package's canonical forms are pairwise non-isomorphic
    assert len({g.key for g in graphs[::7]}) == len(graphs[::7])


def test_graph_form_and_native_round_trip(space):
    graph = space.from_native('{"link": [0, 0, 1, 2], "ops": ["gat", "gat", "gcn", "cheb"]}')
    assert graph.ops == ("input", "gat", "gat", "gcn", "cheb", "output")
    assert [tuple(e) for e in np.argwhere(graph.adj)] == [
        (0, 1),
        (0, 2),
        (1, 3),
        (2, 4),
        (3, 5),
        (4, 5),
    ]
    for g in space.sample(200, np.random.default_rng(0)):
        assert space.is_valid(g) and space.from_native(space.to_native(g)) == g


def test_equivalent_layouts_share_one_entry(space):
    # the same network written with the layers in another order
    a = space.from_native('{"link": [0, 1, 2, 1], "ops": ["gcn", "gin", "fc", "cheb"]}')
    b = space.from_native('{"link": [0, 1, 1, 3], "ops": ["gcn", "cheb", "gin", "fc"]}')
    assert a == b and space.identity(a) == space.identity(b)
    raw = space.canonical([0, 1, 2, 1], ["gcn", "gin", "fc", "cheb"])
    assert raw == a


def test_neighbours_and_mutate(space):
    graph = space.sample(1, np.random.default_rng(3))[0]
    neighbours = space.neighbours(graph)
    assert 0 < len(neighbours) <= 4 * 8 + 6
    assert graph not in neighbours and len(set(neighbours)) == len(neighbours)
    assert all(space.is_valid(n) for n in neighbours)
    assert space.mutate(graph, np.random.default_rng(0)) in neighbours


@pytest.mark.parametrize(
    "text",
    [
        '{"link": [0, 0, 1], "ops": ["gcn", "gcn", "gcn"]}',
        '{"link": [0, 0, 3, 1], "ops": ["gcn", "gcn", "gcn", "gcn"]}',
        '{"link": [0, 0, 1, 1], "ops": ["gcn", "conv", "gcn", "gcn"]}',
        '{"link": [0, 0, 1, 1], "ops": ["skip", "skip", "skip", "skip"]}',
        "[0, 0, 1, 1]",
    ],
)
def test_bad_architectures(space, text):
    with pytest.raises(InvalidArchitectureError):
        space.from_native(text)


def test_foreign_graphs_are_invalid(space):
    graph = space.enumerate()[0]
    assert not space.is_valid(graph.flip_edge(0, 5))
    assert not get_space("nb201").is_valid(graph)
    with pytest.raises(InvalidArchitectureError):
        space.to_native(graph.flip_edge(0, 5))
    assert json.loads(space.to_native(graph))["ops"] == list(graph.ops[1:-1])
