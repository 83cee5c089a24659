"""experiments/arch2vec_darts_prior.py: the joint prior keeps what the per-slot prior drops."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from archembed.encoders.arch2vec import Arch2Vec

SCRIPT = Path(__file__).resolve().parents[2] / "experiments" / "arch2vec_darts_prior.py"


@pytest.fixture(scope="module")
def script(load_file_module):
    return load_file_module(SCRIPT)


def linked_latents(n: int = 4000) -> np.ndarray:
    """Latents (n, 3, 2) whose slot 1 copies slot 0 and whose slot 2 is independent noise."""
    rng = np.random.default_rng(0)
    first, last = rng.standard_normal((n, 2)), rng.standard_normal((n, 2))
    return np.stack([first, first, last], axis=1)


def test_joint_samples_keep_the_correlation_between_slots(script):
    draws = script.joint_gaussian_samples(linked_latents(), 4000, np.random.default_rng(1))
    assert draws.shape == (4000, 3, 2)
    assert np.corrcoef(draws[:, 0, 0], draws[:, 1, 0])[0, 1] > 0.99
    assert abs(np.corrcoef(draws[:, 0, 0], draws[:, 2, 0])[0, 1]) < 0.1


def test_cross_slot_correlation_counts_only_pairs_of_different_slots(script):
    latents = linked_latents()
    latents[:, 2] = 0.0  # a padding slot: constant, counted as uncorrelated
    corr = script.cross_slot_correlation(latents)
    assert corr["max"] == pytest.approx(1.0)
    # 4 of the 24 ordered cross-slot pairs are the copies (corr 1), the rest near 0
    assert corr["mean"] == pytest.approx(4 / 24, abs=0.02)


def test_prior_validity_scores_a_trained_model(script, tmp_path):
    encoder = Arch2Vec("nb201", hidden=(16, 16), latent_dim=4, epochs=1, validity_samples=0)
    encoder.fit(encoder.space.sample(256, np.random.default_rng(0)))
    result = script.prior_validity(encoder, cells=200, samples=50, seed=0)
    assert set(result["quality"]) == {
        "posterior means",
        "independent prior (paper)",
        "joint Gaussian",
    }
    for scores in result["quality"].values():
        assert 0.0 <= scores["validity"] <= 1.0 and 0.0 <= scores["uniqueness"] <= 1.0
    assert 0.0 <= result["cross_slot_correlation"]["mean"] <= 1.0
    assert "| model |" in script.table({"m": result})


def test_models_in_folders_of_the_same_name_get_their_own_units(script, tmp_path):
    first, second = tmp_path / "a" / "darts-cell", tmp_path / "b" / "darts-cell"
    assert script.unit_name(str(first)) != script.unit_name(str(second))
    assert script.unit_name(str(first)).startswith("darts-cell-")
