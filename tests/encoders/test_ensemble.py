"""Seed ensembles (gates-unified-ens): member seeds, score averaging, save/load, checks."""

from __future__ import annotations

import numpy as np
import pytest

from archembed.encoders import ENCODERS, load_encoder
from archembed.errors import ConfigError
from archembed.predictors.metrics import kendall_tau

SMALL = {
    "op_dim": 8,
    "input_dim": 8,
    "hidden": [16] * 4,
    "head": [16],
    "min_steps": 0,
    "epochs": 15,
    "batch_size": 50,
    "lr": 3e-3,
}


@pytest.fixture(scope="module")
def nb201_slice(nb201_labelled_split):
    return nb201_labelled_split(seed=2, n_train=80, n_test=400)


@pytest.fixture(scope="module")
def ensemble(nb201_slice):
    train, y_train, _, _ = nb201_slice
    return ENCODERS.get("gates-unified-ens")("nb201", members=2, seed=1, **SMALL).fit(
        train, y_train
    )


def test_ensemble_averages_standardised_scores_of_members_with_disjoint_seeds(
    ensemble, nb201_slice
):
    train, y_train, test, y_test = nb201_slice
    expected = []
    for seed in (2, 3):  # seed 1 with 2 members: seeds 1 * 2 + 0 and 1 * 2 + 1
        member = ENCODERS.get("gates-unified")("nb201", seed=seed, **SMALL).fit(train, y_train)
        fitted = member.predict(train)
        expected.append((member.predict(test) - fitted.mean()) / fitted.std())
    scores = ensemble.predict(test)
    assert np.allclose(scores, np.mean(expected, axis=0), atol=1e-5)
    assert kendall_tau(y_test, scores) > 0.5
    assert (
        ensemble.transform(test[:3]).shape[1]
        == 2 * ensemble.members_[0].transform(test[:3]).shape[1]
    )


def test_members_scores_are_standardised_exactly_as_by_their_training_mean_and_std(
    ensemble, nb201_slice
):
    train, _, test, _ = nb201_slice
    by_hand = []
    for member in ensemble.members_:
        fitted = member.predict(train)
        mean, std = float(np.mean(fitted)), float(np.std(fitted)) or 1.0
        by_hand.append((member.predict(test) - mean) / std)
    assert np.array_equal(ensemble.predict(test), np.mean(by_hand, axis=0))


def test_ensemble_reloads_with_the_same_predictions(ensemble, nb201_slice, tmp_path):
    test = nb201_slice[2][:30]
    restored = load_encoder(ensemble.save(tmp_path / "ens"))
    assert restored.config() == ensemble.config()
    assert np.allclose(restored.predict(test), ensemble.predict(test), atol=1e-6)


@pytest.mark.parametrize(
    ("space", "params", "fragment"),
    [
        ("nb201", {"members": 0}, "members"),
        ("nb201", {"lr": 1e-3, "loss": "cubic"}, "unknown loss"),
        ("nb101", {}, "no zero-cost proxies"),
    ],
)
def test_bad_options_are_refused_at_construction(space, params, fragment):
    with pytest.raises(ConfigError, match=fragment):
        ENCODERS.get("gates-unified-ens")(space, **params)
