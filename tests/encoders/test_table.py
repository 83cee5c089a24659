"""Embedding tables: a source encoder's embeddings of a whole finite space, saved and looked up."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tests.feature_stores import random_store

from archembed.encoders import load_encoder
from archembed.encoders.contrastive import ContrastiveEncoder
from archembed.encoders.table import TABLE_FILE, TableEncoder, ids_digest, principal_axes
from archembed.errors import ConfigError, CorruptFileError, InvalidArchitectureError
from archembed.nn.runtime import load_checkpoint, save_checkpoint
from archembed.spaces import get_space

NB201 = get_space("nb201")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[TableEncoder, np.ndarray]:
    """A contrastive model (one epoch on random features of every NB201 cell), its 6-axis
    float16 table, and the source's full embeddings."""
    store = random_store(tmp_path_factory.mktemp("table") / "store", NB201.enumerate())
    source = ContrastiveEncoder.from_recipe("fast", [store.directory], epochs=1, progress=False)
    source.fit()
    return TableEncoder.from_source(source, 6), source.transform(NB201.enumerate())


def test_the_table_is_the_projection_of_the_sources_embeddings_at_float16(built):
    table, full = built
    graphs = NB201.enumerate()
    X = table.transform(graphs)
    assert X.shape == (15_625, 6) and X.dtype == np.float32
    expected = table.project(full).astype(np.float16).astype(np.float32)
    np.testing.assert_array_equal(X, expected)
    np.testing.assert_array_equal(table.transform(graphs[100:103][::-1]), X[100:103][::-1])
    assert table.name == "contrastive"  # a predictor's --model contrastive=DIR accepts it


def test_principal_axes_are_orthonormal_and_ordered_by_variance():
    X = np.random.default_rng(0).normal(size=(500, 5)) * [5.0, 1.0, 3.0, 0.5, 2.0]
    mean, axes = principal_axes(X, 3)
    np.testing.assert_allclose(mean, X.mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(axes @ axes.T, np.eye(3), atol=1e-5)
    spread = ((X - mean) @ axes.T).var(axis=0)
    assert spread[0] > spread[1] > spread[2]
    assert np.argmax(np.abs(axes[0])) == 0 and axes[0, 0] > 0  # sign fixed: largest loading > 0


def test_a_saved_table_loads_back_identical_with_its_source(built, tmp_path):
    table, full = built
    table.save(tmp_path / "model")
    config = json.loads((tmp_path / "model" / "config.json").read_text())
    assert config["encoder"] == "embedding-table" and config["params"]["dim"] == 6
    assert config["params"]["source_params"]["features"] == []  # no path of this machine
    assert config["params"]["ids_sha256"] == ids_digest(
        [NB201.identity(g) for g in NB201.enumerate()]
    )
    loaded = load_encoder(tmp_path / "model")
    graphs = NB201.enumerate()
    np.testing.assert_array_equal(loaded.transform(graphs), table.transform(graphs))
    source = loaded.source_model().add_features(table.source_model().features[0])
    np.testing.assert_allclose(source.transform(graphs[:50]), full[:50], atol=1e-6)


def test_architectures_of_another_space_are_one_clear_error(built):
    table, _ = built
    other = get_space("nb101").sample(1, np.random.default_rng(0))
    with pytest.raises(InvalidArchitectureError, match="not in this table of the 15625 nb201"):
        table.transform(other)
    with pytest.raises(InvalidArchitectureError, match="cannot embed 'nb101'"):
        table.check_space("nb101")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda state: state.update(embeddings=state["embeddings"][:-1]), "of shape"),
        (lambda state: state.update(embeddings=state["embeddings"].float()), "float32"),
        (lambda state: state.pop("basis"), "not an embedding table"),
    ],
)
def test_a_damaged_table_file_is_a_corrupt_file_error(built, tmp_path, change, fragment):
    table, _ = built
    directory = table.save(tmp_path / "model")
    state = load_checkpoint(directory / TABLE_FILE)
    change(state)
    save_checkpoint(directory / TABLE_FILE, state)
    with pytest.raises(CorruptFileError, match=fragment):
        load_encoder(directory)


def test_a_table_made_for_another_enumeration_order_is_refused(built, tmp_path):
    table, _ = built
    directory = table.save(tmp_path / "model")
    config = json.loads((directory / "config.json").read_text())
    config["params"]["ids_sha256"] = "0" * 64
    (directory / "config.json").write_text(json.dumps(config))
    with pytest.raises(CorruptFileError, match="enumerated in another order"):
        load_encoder(directory)


def test_bad_table_settings_are_config_errors():
    with pytest.raises(ConfigError, match="dtype"):
        TableEncoder("nb201", "contrastive", {}, 4, dtype="int8")
    with pytest.raises(ConfigError, match="small finite space"):
        TableEncoder("darts", "contrastive", {}, 4)
