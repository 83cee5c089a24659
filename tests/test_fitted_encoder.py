"""archembed.api.fitted_encoder: every encoder form ``search`` takes, ready for a space."""

from __future__ import annotations

import numpy as np
import pytest

import archembed as ae
from archembed.api import fitted_encoder
from archembed.encoders.base import Encoder
from archembed.errors import InvalidArchitectureError, UnknownNameError
from archembed.graph import ArchGraph

pytestmark = pytest.mark.usefixtures("one_thread")


class CountingEncoder(Encoder):
    """Remembers the architectures it was fitted on; embeds a graph as its edge count."""

    name = "counting"

    def fit(self, graphs: list[ArchGraph]) -> CountingEncoder:
        self.fitted_on = list(graphs)
        return self

    def transform(self, graphs: list[ArchGraph]) -> np.ndarray:
        return np.array([[g.n_edges] for g in graphs], dtype=np.float32)


@pytest.fixture
def counting(monkeypatch):
    """The counting encoder registered under its name for one test."""
    from archembed.encoders.base import ENCODERS

    monkeypatch.setitem(ENCODERS._items, "counting", CountingEncoder)


def test_a_fitted_encoder_is_used_as_given():
    space = ae.load_space("nb201")
    encoder = ae.OneHotEncoder(space).fit(space.enumerate()[:10])
    assert fitted_encoder(encoder, space) is encoder


def test_a_name_is_fitted_on_every_architecture_of_a_small_space(counting):
    space = ae.load_space("nb201")
    encoder = fitted_encoder("counting", space, fit_sample=5)
    assert len(encoder.fitted_on) == 15_625  # the whole space: fit_sample is for large ones


def test_a_large_space_needs_fit_sample_and_draws_it_with_the_seed(counting):
    space = ae.load_space("darts")
    with pytest.raises(InvalidArchitectureError, match="cannot be enumerated"):
        fitted_encoder("counting", space)
    keys = [
        [g.key for g in fitted_encoder("counting", space, fit_sample=20, seed=s).fitted_on]
        for s in (3, 3, 4)
    ]
    assert len(keys[0]) == 20 and keys[0] == keys[1] != keys[2]


def test_a_shipped_model_is_loaded_by_its_pretrained_name():
    space = ae.load_space("nb201")
    graphs = space.enumerate()[:20]
    loaded = fitted_encoder("pretrained:arch2vec-nb201", space)
    expected = ae.from_pretrained("arch2vec-nb201").transform(graphs)
    np.testing.assert_array_equal(loaded.transform(graphs), expected)


def test_the_darts_cell_model_embeds_genotypes_cell_by_cell():
    """arch2vec-darts is trained on single cells; a genotype is its two cells side by side."""
    darts = ae.load_space("darts")
    genotypes = darts.sample(4, np.random.default_rng(0))
    encoder = fitted_encoder("pretrained:arch2vec-darts", darts)
    embeddings = encoder.transform(genotypes)
    assert embeddings.shape == (4, 32) and np.isfinite(embeddings).all()
    cells = ae.from_pretrained("arch2vec-darts")
    normal = [darts.cells(g)[0] for g in genotypes]
    np.testing.assert_allclose(embeddings[:, :16], cells.transform(normal), atol=1e-6)


def test_an_unknown_name_is_a_user_error():
    with pytest.raises(UnknownNameError):
        fitted_encoder("no-such-encoder", ae.load_space("nb201"))
    with pytest.raises(UnknownNameError):
        fitted_encoder("pretrained:no-such-model", ae.load_space("nb201"))
