import numpy as np
import pytest

from archembed.encoders.sequence import AdjacencyCodec, NB201Codec, sequence_codec
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.spaces.base import get_space
from archembed.spaces.generic import GenericSpace


def test_nb101_sequence_has_27_tokens_and_round_trips():
    space = get_space("nb101")
    codec = sequence_codec(space)
    assert isinstance(codec, AdjacencyCodec)
    assert codec.length == 27
    cells = space.sample(200, np.random.default_rng(0))
    ids = codec.encode_batch(cells)
    assert ids.shape == (200, 27)
    assert codec.allowed[np.arange(27)[None, :], ids].all()
    assert all(codec.decode(row).key == cell.key for row, cell in zip(ids, cells))
    assert any(cell.n_nodes < 7 for cell in cells)


def test_nb101_decode_rejects_a_disconnected_sequence():
    codec = sequence_codec(get_space("nb101"))
    ids = [0] * codec.length
    for pos in np.flatnonzero(~codec.allowed[:, 0]):
        ids[pos] = int(np.flatnonzero(codec.allowed[pos])[0])
    assert codec.decode(ids) is None


def test_nb201_sequence_is_its_six_edge_ops():
    space = get_space("nb201")
    codec = sequence_codec(space)
    assert isinstance(codec, NB201Codec)
    cell = space.from_native(
        "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|"
    )
    assert codec.encode(cell) == [3, 0, 1, 4, 2, 0]
    assert codec.decode(codec.encode(cell)) == cell


def test_generic_space_uses_the_padded_adjacency_form():
    space = GenericSpace(["a", "b"], 4)
    codec = sequence_codec(space)
    graph = ArchGraph([[0, 1, 1], [0, 0, 1], [0, 0, 0]], ["input", "b", "output"])
    assert codec.length == 3 * 6 // 2
    assert codec.decode(codec.encode(graph)) == graph
    with pytest.raises(ConfigError):
        sequence_codec(GenericSpace())
