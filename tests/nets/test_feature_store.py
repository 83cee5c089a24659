"""FeatureStore: create, chunked writes, resume, mismatches and corrupt stores."""

from __future__ import annotations

import numpy as np
import pytest

from archembed.errors import ConfigError, CorruptFileError, DataNotFoundError
from archembed.nets.feature_store import FeatureStore

IDS = ["a", "b", "c"]


def _create(path, **overrides):
    kwargs = {"n_inits": 2, "n_points": 4, "dim": 3, "params": {"k": 3}}
    kwargs.update(overrides)
    return FeatureStore.create(path, "nb201", IDS, ["|x|", "|y|", "|z|"], **kwargs)


def test_chunked_write_resume_and_read(tmp_path) -> None:
    store = _create(tmp_path / "f")
    values = np.arange(2 * 2 * 4 * 3, dtype=np.float32).reshape(2, 2, 4, 3)
    store.write(np.array([0, 2]), values)
    assert store.missing().tolist() == [1]
    with pytest.raises(DataNotFoundError, match="incomplete"):
        FeatureStore.open(tmp_path / "f", require_complete=True)
    resumed = _create(tmp_path / "f")
    assert resumed.missing().tolist() == [1]
    resumed.write(np.array([1]), np.ones((1, 2, 4, 3), dtype=np.float32))
    reader = FeatureStore.open(tmp_path / "f", require_complete=True)
    assert reader.complete and reader.space == "nb201" and reader.params == {"k": 3}
    np.testing.assert_array_equal(reader.get(["c", "a"]), values[::-1])
    assert reader.get(["b"]).sum() == 2 * 4 * 3
    with pytest.raises(DataNotFoundError, match="not in feature store"):
        reader.get(["zzz"])


def test_mismatched_settings_are_not_overwritten(tmp_path) -> None:
    _create(tmp_path / "f")
    with pytest.raises(ConfigError, match="other settings"):
        _create(tmp_path / "f", dim=5)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    with pytest.raises(ConfigError, match="not a feature store"):
        _create(tmp_path / "other")


def test_corrupt_or_missing_store(tmp_path) -> None:
    with pytest.raises(DataNotFoundError):
        FeatureStore.open(tmp_path / "absent")
    _create(tmp_path / "f")
    (tmp_path / "f" / "features.npy").write_bytes(b"garbage")
    with pytest.raises(CorruptFileError):
        FeatureStore.open(tmp_path / "f")
