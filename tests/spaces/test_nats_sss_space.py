import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archembed.errors import InvalidArchitectureError, UserError
from archembed.spaces import get_space
from archembed.spaces.nats_sss import CHANNELS

SOURCE = "nats_sss/nats_sss_90ep_valid.csv"


@pytest.fixture(scope="module")
def space():
    return get_space("nats_sss")


def test_index_order_and_string_round_trip_match_the_official_table(space, data_root):
    frame = pd.read_csv(data_root / SOURCE, usecols=["index", "arch"])
    graphs = space.enumerate()
    assert len(frame) == len(graphs) == space.size == 32768
    assert frame["index"].tolist() == list(range(32768))
    assert [space.to_native(g) for g in graphs] == frame["arch"].tolist()
    for index, text in zip(frame["index"], frame["arch"]):
        graph = space.from_native(text)
        assert space.index(graph) == index
        assert space.to_native(graph) == text == space.identity(graph)


def test_index_counts_in_base_eight_with_the_last_layer_fastest(space):
    assert space.to_native(space.from_index(0)) == "8:8:8:8:8"
    assert space.to_native(space.from_index(1)) == "8:8:8:8:16"
    assert space.to_native(space.from_index(8)) == "8:8:8:16:8"
    assert space.to_native(space.from_index(32767)) == "64:64:64:64:64"
    for index in (0, 1, 4095, 12345, 32767):
        assert space.index(space.from_index(index)) == index
    with pytest.raises(InvalidArchitectureError, match=r"0\.\.32767"):
        space.from_index(32768)


def test_graph_form_is_a_chain_of_width_labelled_layers(space):
    graph = space.from_native("8:16:32:64:64")
    assert graph.ops == ("input", "ch8", "ch16", "ch32", "ch64", "ch64", "output")
    assert graph.adj.tolist() == np.eye(7, k=1, dtype=int).tolist()
    assert space.channels(graph) == (8, 16, 32, 64, 64)
    assert space.is_valid(graph)
    assert not space.is_valid(get_space("nb201").enumerate()[0])


def test_neighbours_are_one_channel_step_in_one_layer(space):
    rng = np.random.default_rng(0)
    for graph in [space.from_index(0), space.from_index(32767), *space.sample(20, rng)]:
        widths = np.array(space.channels(graph))
        neighbours = space.neighbours(graph)
        inner = sum(1 for w in widths if 8 < w < 64)
        assert len(neighbours) == len(set(neighbours)) == 5 + inner
        for other in neighbours:
            diff = np.array(space.channels(other)) - widths
            assert np.count_nonzero(diff) == 1 and np.abs(diff).sum() == 8
            assert graph in space.neighbours(other)
        assert space.mutate(graph, rng) in neighbours


def test_sampling_is_valid_reproducible_and_covers_every_width(space):
    first = space.sample(400, np.random.default_rng(3))
    assert first == space.sample(400, np.random.default_rng(3))
    assert all(space.is_valid(g) for g in first)
    widths = np.array([space.channels(g) for g in first])
    assert all(set(widths[:, layer]) == set(CHANNELS) for layer in range(5))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("8:8:8:8", "5 channel counts"),
        ("8:8:8:8:8:8", "5 channel counts"),
        ("8,8,8,8,8", "5 channel counts"),
        ("8:8:8:8:-8", "5 channel counts"),
        ("8:8:8:8:x", "5 channel counts"),
        ("8:8:8:8:12", "channel count 12"),
        ("8:8:8:8:72", "channel count 72"),
        ("0:8:8:8:8", "channel count 0"),
        ("", "5 channel counts"),
        ("08:8:8:8:8", "channel count 08"),
        ("8:8:8:8:" + "9" * 5000, "channel count 999"),
    ],
)
def test_malformed_strings_are_refused_with_a_fix(space, text, fragment):
    with pytest.raises(InvalidArchitectureError, match=fragment):
        space.from_native(text)


def test_every_string_of_the_space_parses(space):
    texts = [":".join(map(str, c)) for c in itertools.product(CHANNELS, repeat=5)]
    assert [space.to_native(space.from_native(t)) for t in texts[::97]] == texts[::97]


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet="0123456789:- x", max_size=30)
    | st.lists(st.integers(-10, 100).map(str), max_size=7).map(":".join)
)
def test_from_native_raises_only_user_errors_and_round_trips(text):
    space = get_space("nats_sss")
    try:
        graph = space.from_native(text)
    except UserError:
        return
    assert space.to_native(graph) == text.strip()


def test_onehot_encodes_each_layers_width(space):
    from archembed.encoders.baseline import OneHotEncoder

    graphs = space.sample(300, np.random.default_rng(5))
    features = OneHotEncoder(space).transform(graphs)
    varying = features[:, features.std(axis=0) > 0]
    assert varying.shape[1] == 5 * len(CHANNELS)
    assert (varying.sum(axis=1) == 5).all()
    assert len(np.unique(features, axis=0)) == len(set(graphs))
