"""Contrastive encoder mechanics on small synthetic feature stores.

The stores hold made-up feature sets (an architecture's own pattern plus init noise), which is
enough to check training, lookup, persistence and resuming; real Jacobian features are used by
the end-to-end test of the command line.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from archembed.encoders import load_encoder
from archembed.encoders.contrastive import ContrastiveEncoder
from archembed.errors import (
    ConfigError,
    DataNotFoundError,
    InvalidArchitectureError,
    TrainingDivergedError,
)
from archembed.nets.feature_store import FeatureStore
from archembed.spaces.base import get_space

N_POINTS, DIM, N_INITS = 8, 6, 4
SMALL = {"hidden": 32, "embed_dim": 16, "batch_size": 64, "lr": 3e-3, "progress": False}


def _store(path, space_name: str, graphs, seed: int, noise: float = 0.3, dim: int = DIM):
    space = get_space(space_name)
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(len(graphs), 1, N_POINTS, dim))
    values = base + noise * rng.normal(size=(len(graphs), N_INITS, N_POINTS, dim))
    store = FeatureStore.create(
        path,
        space_name,
        [space.identity(g) for g in graphs],
        [space.to_native(g) for g in graphs],
        n_inits=N_INITS,
        n_points=N_POINTS,
        dim=dim,
        params={"k": dim},
    )
    store.write(np.arange(len(graphs)), values.astype(np.float32))
    return store


@pytest.fixture(scope="module")
def nb201_graphs():
    cells = get_space("nb201").enumerate()
    return [cells[i] for i in np.random.default_rng(0).choice(len(cells), 240, replace=False)]


@pytest.fixture(scope="module")
def nb201_store(tmp_path_factory, nb201_graphs):
    return _store(tmp_path_factory.mktemp("f") / "nb201", "nb201", nb201_graphs, seed=1)


def _retrieval(encoder: ContrastiveEncoder, features: np.ndarray) -> float:
    """How often init 1's embedding has init 0's embedding of the same cell as nearest neighbour."""
    first = encoder.embed_features(features[:, [0]])
    second = encoder.embed_features(features[:, [1]])
    first /= np.linalg.norm(first, axis=1, keepdims=True)
    second /= np.linalg.norm(second, axis=1, keepdims=True)
    return float(np.mean(np.argmax(second @ first.T, axis=1) == np.arange(len(first))))


def test_training_brings_inits_of_one_architecture_together(nb201_store, nb201_graphs) -> None:
    untrained = ContrastiveEncoder.from_stores([nb201_store.directory], epochs=0, **SMALL).fit()
    trained = ContrastiveEncoder.from_stores([nb201_store.directory], epochs=25, **SMALL).fit()
    history = trained.history_
    assert len(history) == 25 and untrained.history_ == []
    assert history[-1]["loss"] < 0.5 * history[0]["loss"]
    assert history[-1]["heldout_loss"] < 0.5 * history[0]["heldout_loss"]
    features = nb201_store.get(nb201_store.ids)
    assert _retrieval(trained, features) > _retrieval(untrained, features) + 0.15
    embedded = trained.transform(nb201_graphs)
    assert embedded.shape == (240, 16) and embedded.dtype == np.float32
    np.testing.assert_allclose(trained.embed_store(nb201_store), embedded, rtol=1e-5, atol=1e-6)


BEFORE_SHARED_LOOP = {
    "loss": 3.967155933380127,
    "heldout_loss": 2.968684196472168,
    "embedding": [
        [0.15787243843078613, 0.22003409266471863, -0.15637074410915375, 0.06248922646045685],
        [0.17484202980995178, 0.15170976519584656, -0.17593203485012054, 0.10179898142814636],
    ],
}
"""Three epochs on ``nb201_store`` with the code of 4eedf71, before the shared training loop:
the code that made the paper page's Table 1 and transfer numbers (bit-identical on 2026-12-05)."""


def test_training_is_unchanged_by_the_shared_training_loop(nb201_store, nb201_graphs) -> None:
    encoder = ContrastiveEncoder.from_stores([nb201_store.directory], epochs=3, **SMALL).fit()
    last = encoder.history_[-1]
    assert last["loss"] == pytest.approx(BEFORE_SHARED_LOOP["loss"], rel=1e-5)
    assert last["heldout_loss"] == pytest.approx(BEFORE_SHARED_LOOP["heldout_loss"], rel=1e-5)
    embedded = encoder.transform(nb201_graphs[:2])[:, :4]
    np.testing.assert_allclose(embedded, BEFORE_SHARED_LOOP["embedding"], rtol=1e-4, atol=1e-6)


def test_embedding_is_the_mean_over_inits(nb201_store) -> None:
    encoder = ContrastiveEncoder.from_stores([nb201_store.directory], epochs=0, **SMALL).fit()
    features = nb201_store.get(nb201_store.ids[:5])
    per_init = [encoder.embed_features(features[:, [i]]) for i in range(N_INITS)]
    np.testing.assert_allclose(
        encoder.embed_features(features), np.mean(per_init, axis=0), rtol=1e-5, atol=1e-6
    )


def test_save_load_round_trip_and_missing_features(tmp_path, nb201_store, nb201_graphs) -> None:
    encoder = ContrastiveEncoder.from_stores([nb201_store.directory], epochs=2, **SMALL).fit()
    encoder.save(tmp_path / "model")
    loaded = load_encoder(tmp_path / "model")
    assert isinstance(loaded, ContrastiveEncoder) and loaded.features == encoder.features
    np.testing.assert_array_equal(loaded.transform(nb201_graphs), encoder.transform(nb201_graphs))
    assert loaded.history_ == encoder.history_
    known = {nb201_store.ids[i] for i in range(len(nb201_store.ids))}
    space = get_space("nb201")
    unseen = next(g for g in space.enumerate() if space.identity(g) not in known)
    with pytest.raises(DataNotFoundError, match="archembed features jacobian"):
        loaded.transform([nb201_graphs[0], unseen])
    with pytest.raises(InvalidArchitectureError, match="not 'nb101'"):
        loaded.check_space("nb101")


def test_interrupted_training_resumes_to_the_same_model(tmp_path, nb201_store) -> None:
    paths = [nb201_store.directory]
    straight = ContrastiveEncoder.from_stores(paths, epochs=3, **SMALL).fit()
    ContrastiveEncoder.from_stores(paths, epochs=2, checkpoint_dir=tmp_path, **SMALL).fit()
    resumed = ContrastiveEncoder.from_stores(paths, epochs=3, checkpoint_dir=tmp_path, **SMALL)
    resumed.fit()
    assert [h["epoch"] for h in resumed.history_] == [1, 2, 3]
    assert resumed.history_[-1]["loss"] == straight.history_[-1]["loss"]
    for name, value in straight.model_.state_dict().items():
        assert torch.equal(resumed.model_.state_dict()[name], value), name
    assert np.array_equal(resumed.mean_, straight.mean_)
    other = dict(SMALL, lr=1e-2)
    with pytest.raises(ConfigError, match="another configuration"):
        ContrastiveEncoder.from_stores(paths, epochs=3, checkpoint_dir=tmp_path, **other).fit()


def test_one_model_over_two_search_spaces(tmp_path, nb201_store, nb201_graphs) -> None:
    darts_graphs = get_space("darts").sample(40, np.random.default_rng(2))
    darts_store = _store(tmp_path / "darts", "darts", darts_graphs, seed=3)
    encoder = ContrastiveEncoder.from_stores(
        [nb201_store.directory, darts_store.directory], epochs=1, **SMALL
    ).fit()
    assert encoder.spaces == ["nb201", "darts"]
    encoder.check_space("darts")
    mixed = [darts_graphs[3], nb201_graphs[5], darts_graphs[0]]
    expected = np.concatenate(
        [
            encoder.embed_store(darts_store, np.array([3])),
            encoder.embed_store(nb201_store, np.array([5])),
            encoder.embed_store(darts_store, np.array([0])),
        ]
    )
    np.testing.assert_allclose(encoder.transform(mixed), expected, rtol=1e-5, atol=1e-6)
    trained_on_darts = encoder.fit(darts_graphs[:20])
    assert trained_on_darts.transform(darts_graphs[:2]).shape == (2, 16)


def test_incompatible_or_incomplete_stores_are_refused(tmp_path, nb201_store, nb201_graphs) -> None:
    wider = _store(tmp_path / "wide", "nb201", nb201_graphs[:10], seed=4, dim=DIM + 1)
    with pytest.raises(ConfigError, match="same --points and --k"):
        ContrastiveEncoder.from_stores([nb201_store.directory, wider.directory])
    space = get_space("nb201")
    partial = FeatureStore.create(
        tmp_path / "partial",
        "nb201",
        [space.identity(g) for g in nb201_graphs[:3]],
        [space.to_native(g) for g in nb201_graphs[:3]],
        n_inits=N_INITS,
        n_points=N_POINTS,
        dim=DIM,
    )
    with pytest.raises(DataNotFoundError, match="incomplete"):
        ContrastiveEncoder.from_stores([partial.directory])
    partial.write(np.array([0, 2]), np.ones((2, N_INITS, N_POINTS, DIM), np.float32))
    growing = ContrastiveEncoder.from_stores([partial.directory], partial=True, epochs=1, **SMALL)
    assert growing.fit().feature_sets.all_entries() == [(0, 0), (0, 2)]
    assert growing.transform([nb201_graphs[2]]).shape == (1, 16)
    with pytest.raises(DataNotFoundError, match="no features"):
        growing.transform([nb201_graphs[1]])
    with pytest.raises(DataNotFoundError, match="no features yet"):
        growing.embed_store(partial)
    with pytest.raises(ConfigError, match="batch_size"):
        ContrastiveEncoder("nb201", batch_size=1)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("lr", float("nan"), "lr must be a finite number > 0, got nan"),
        ("temperature", 0.0, "temperature must be a finite number > 0"),
        ("embed_dim", 0, "embed_dim must be a whole number"),
        ("holdout", 1.0, "holdout must be a finite number in [0, 1)"),
        ("device", "tpu", "unknown device 'tpu'"),
    ],
)
def test_out_of_range_settings_are_rejected(option, value, message):
    with pytest.raises(ConfigError) as raised:
        ContrastiveEncoder("nb201", **{option: value})
    assert message in str(raised.value)


def test_a_nan_loss_stops_training_without_a_checkpoint(nb201_store, tmp_path, monkeypatch):
    import archembed.encoders.contrastive as module

    monkeypatch.setattr(module, "nt_xent", lambda a, b, t: (a * b).sum() * float("nan"))
    encoder = ContrastiveEncoder.from_stores(
        [nb201_store.directory], epochs=2, checkpoint_dir=tmp_path, **SMALL
    )
    with pytest.raises(TrainingDivergedError, match="epoch 1: NT-Xent loss is nan"):
        encoder.fit()
    assert not (tmp_path / "checkpoint.pt").exists()
