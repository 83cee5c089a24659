import numpy as np
import pandas as pd
import pytest

from archembed.errors import InvalidArchitectureError
from archembed.spaces import get_space


@pytest.fixture(scope="module")
def space():
    return get_space("nb201")


def test_enumeration_has_every_cell_once(space):
    graphs = space.enumerate()
    assert len(graphs) == 15625 == space.size
    assert len({space.to_native(g) for g in graphs}) == 15625
    assert all(space.is_valid(g) for g in graphs[:50])
    # isomorphism classes (zero ops pruned) are fewer than the strings
    assert 6000 < len({g.key for g in graphs}) < 15625


def test_string_and_naslib_tuple_round_trips_match_the_published_pairs(space, data_root):
    frame = pd.read_csv(
        data_root / "nb201" / "nb201_cifar10_zc_proxies.csv", usecols=["net", "net_str"]
    )
    for tup, text in zip(frame["net"], frame["net_str"]):
        graph = space.from_native(text)
        assert space.to_native(graph) == text
        assert str(space.to_naslib(graph)) == tup
        assert space.from_naslib(tup) == graph
    assert len(frame) == 9445


def test_op_on_node_graph_form(space):
    graph = space.from_native(
        "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|"
    )
    assert graph.n_nodes == 8
    assert graph.ops[1:7] == (
        "nor_conv_3x3",
        "skip_connect",
        "none",
        "avg_pool_3x3",
        "nor_conv_1x1",
        "skip_connect",
    )
    # edge 0->1 feeds edges 1->2 and 1->3; edges into node 3 feed the output
    assert graph.adj[1, 3] == 1 and graph.adj[1, 5] == 1
    assert graph.adj[4:7, 7].tolist() == [1, 1, 1]


def test_neighbours_mutate_and_sample(space):
    rng = np.random.default_rng(0)
    graph = space.sample(1, rng)[0]
    neighbours = space.neighbours(graph)
    assert len(neighbours) == 24
    assert all(graph.edit_distance(n) == 1 for n in neighbours)
    assert space.mutate(graph, rng) in neighbours
    again = space.sample(5, np.random.default_rng(1))
    assert again == space.sample(5, np.random.default_rng(1))


@pytest.mark.parametrize(
    "text",
    [
        "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|",
        "|none~0|+|none~1|none~1|+|none~0|none~1|none~2|",
        "not a cell",
    ],
)
def test_bad_strings_are_user_errors(space, text):
    with pytest.raises(InvalidArchitectureError):
        space.from_native(text)
