import os
import shutil

import pytest

from archembed.benchmarks.catalog import import_benchmark, tables_dir
from archembed.errors import CorruptFileError, DataNotFoundError


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHEMBED_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def tagates_copy(tmp_path, data_root):
    root = tmp_path / "data"
    (root / "nb201").mkdir(parents=True)
    for split in ("train", "test"):
        name = f"ta_gates_nb201_{split}.csv"
        shutil.copy(data_root / "nb201" / name, root / "nb201" / name)
    return root


def test_truncated_source_is_a_user_error_and_leaves_no_cache(private_cache, tagates_copy):
    path = tagates_copy / "nb201" / "ta_gates_nb201_test.csv"
    text = path.read_text()
    path.write_text(text[: len(text) // 2] + "\n(1, 2,\n")
    with pytest.raises(CorruptFileError):
        import_benchmark("nb201-tagates", tagates_copy)
    assert not (tables_dir() / "nb201-tagates.json").exists()
    assert not [p for p in private_cache.rglob("*") if p.is_file()]


def test_missing_source_names_the_file(private_cache, tagates_copy):
    os.unlink(tagates_copy / "nb201" / "ta_gates_nb201_train.csv")
    with pytest.raises(DataNotFoundError, match=r"ta_gates_nb201_train\.csv"):
        import_benchmark("nb201-tagates", tagates_copy)


def test_corrupt_cache_is_rebuilt_and_changed_source_reimported(private_cache, tagates_copy):
    first = import_benchmark("nb201-tagates", tagates_copy)
    (tables_dir() / "nb201-tagates.values.parquet").write_bytes(b"not parquet")
    again = import_benchmark("nb201-tagates", tagates_copy)
    assert len(again.values) == len(first.values)
    path = tagates_copy / "nb201" / "ta_gates_nb201_test.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:101]) + "\n")
    os.utime(path, (1, 1))
    smaller = import_benchmark("nb201-tagates", tagates_copy)
    assert len(smaller.values) == len(first.values) - (len(lines) - 101)
