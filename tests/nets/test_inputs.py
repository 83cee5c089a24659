"""Input pools: natural crops, noise, user arrays and folders; principal components."""

from __future__ import annotations

import numpy as np
import pytest

from archembed.errors import ConfigError, DataNotFoundError
from archembed.nets.inputs import load_input_pool, principal_components


def test_natural_crops_are_standardised_and_seeded():
    pool = load_input_pool("natural", 64, seed=1)
    assert pool.images.shape == (64, 3, 32, 32) and pool.images.dtype == np.float32
    np.testing.assert_allclose(pool.images.mean(axis=(0, 2, 3)), 0, atol=1e-4)
    np.testing.assert_allclose(pool.images.std(axis=(0, 2, 3)), 1, atol=1e-3)
    assert pool.digest == load_input_pool("natural", 64, seed=1).digest
    assert pool.digest != load_input_pool("natural", 64, seed=2).digest
    assert pool.digest != load_input_pool("noise", 64, seed=1).digest


def test_user_array_and_folder(tmp_path):
    from PIL import Image

    rng = np.random.default_rng(0)
    array = rng.integers(0, 255, size=(10, 32, 32, 3)).astype(np.uint8)
    np.save(tmp_path / "x.npy", array)
    pool = load_input_pool(str(tmp_path / "x.npy"), 8)
    assert pool.images.shape == (8, 3, 32, 32)
    with pytest.raises(ConfigError, match="holds 10 images"):
        load_input_pool(str(tmp_path / "x.npy"), 20)
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(2):
        Image.fromarray(rng.integers(0, 255, size=(40, 50, 3)).astype(np.uint8)).save(
            folder / f"{i}.png"
        )
    assert load_input_pool(str(folder), 5).images.shape == (5, 3, 32, 32)
    with pytest.raises(DataNotFoundError):
        load_input_pool(str(tmp_path / "missing"), 5)


def test_principal_components_are_orthonormal_and_ordered():
    pool = load_input_pool("natural", 256)
    basis = principal_components(pool, 16)
    np.testing.assert_allclose(basis @ basis.T, np.eye(16), atol=1e-4)
    flat = pool.images.reshape(256, -1)
    variance = ((flat - flat.mean(0)) @ basis.T).var(axis=0)
    assert np.all(np.diff(variance) <= 1e-3 * variance[0])
    with pytest.raises(ConfigError):
        principal_components(pool, 300)
