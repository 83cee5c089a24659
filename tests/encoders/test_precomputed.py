"""Embedding files as encoders: both column layouts, ids or native strings, exact coverage."""

import numpy as np
import pandas as pd
import pytest

from archembed.encoders import ENCODERS
from archembed.encoders.embedding import embed_to_parquet
from archembed.encoders.precomputed import PrecomputedEncoder, precompute, read_embedding_file
from archembed.errors import InvalidArchitectureError, UserError
from archembed.spaces import get_space
from archembed.spaces.restricted import RestrictedSpace


@pytest.fixture(scope="module")
def space():
    base = get_space("nb201")
    return RestrictedSpace(base, base.enumerate()[::50])


@pytest.fixture(scope="module")
def onehot(space):
    return ENCODERS.get("onehot")(space.base)


def test_a_file_written_by_embed_is_the_encoder_it_came_from(tmp_path, space, onehot):
    graphs = space.enumerate()[::-1]  # row order is free
    embed_to_parquet(onehot, graphs, tmp_path / "emb.parquet")
    encoder = read_embedding_file(tmp_path / "emb.parquet").encoder(space)
    sample = space.sample(50, np.random.default_rng(1))
    np.testing.assert_array_equal(encoder.transform(sample), onehot.transform(sample))
    assert encoder.name == "emb" and encoder.inner is None


def test_numeric_columns_and_native_strings_are_accepted(tmp_path, space, onehot):
    graphs = space.enumerate()
    matrix = onehot.transform(graphs)
    frame = pd.DataFrame(matrix, columns=[f"x{i}" for i in range(matrix.shape[1])])
    frame.insert(0, "arch", list(space.iter_native(graphs)))
    frame.to_parquet(tmp_path / "wide.parquet")
    encoder = read_embedding_file(tmp_path / "wide.parquet").encoder(space)
    np.testing.assert_array_equal(encoder.transform(graphs[:40]), matrix[:40])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("extra", "are not architectures of the 313 searched in nb201"),
        ("missing", "has no embedding for 1 of the 313 architectures"),
        ("twice", "names an architecture already named in another row"),
    ],
)
def test_the_file_must_cover_the_searched_architectures_exactly(
    tmp_path, space, onehot, change, message
):
    graphs = space.enumerate()
    ids = [space.identity(g) for g in graphs]
    if change == "extra":
        ids[3] = "not-an-architecture"
    elif change == "missing":
        ids, graphs = ids[1:], graphs[1:]
    else:
        ids[5] = space.to_native(graphs[4])  # the id of row 4, as its native string
    frame = pd.DataFrame({"arch": ids, "embedding": list(onehot.transform(graphs))})
    frame.to_parquet(tmp_path / "emb.parquet")
    table = read_embedding_file(tmp_path / "emb.parquet")
    with pytest.raises(UserError, match=message):
        table.encoder(space)


def test_architectures_outside_a_table_need_an_inner_encoder(space, onehot):
    graphs = space.enumerate()
    outside = get_space("nb201").sample(400, np.random.default_rng(9))
    outside = [g for g in outside if not space.is_valid(g)][:3]
    table = precompute(onehot, space)
    np.testing.assert_array_equal(table.transform(outside), onehot.transform(outside))
    ids = [space.identity(g) for g in graphs]
    alone = PrecomputedEncoder(space, ids, onehot.transform(graphs))
    with pytest.raises(InvalidArchitectureError, match="no precomputed embedding"):
        alone.transform(outside)
