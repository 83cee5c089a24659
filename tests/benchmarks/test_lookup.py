"""The cache's look-up grid answers exactly as the full pandas Benchmark does."""

from __future__ import annotations

import json

import numpy as np
import pytest

from archembed.benchmarks.catalog import cached_meta, open_benchmark, tables_dir
from archembed.errors import CorruptFileError, UserError
from archembed.io import read_json, write_json


def _outcome(bench, graphs, key):
    try:
        return bench.query(graphs, *key)
    except UserError as exc:
        return str(exc)


def test_grid_values_equal_the_table_for_every_group(nb201_bench):
    stored = open_benchmark("nb201")
    assert stored.describe() == nb201_bench.describe()
    graphs = nb201_bench.graphs()
    rng = np.random.default_rng(0)
    keys = list(nb201_bench.index.sizes)
    for key in keys:
        chosen = [graphs[i] for i in rng.choice(len(graphs), size=40, replace=False)]
        want, got = _outcome(nb201_bench, chosen, key), _outcome(stored, chosen, key)
        if isinstance(want, str) or isinstance(got, str):
            assert want == got, key  # the same error for architectures without a value
        else:
            assert np.array_equal(want, got), key
    for key in keys[::10]:
        labelled, values = nb201_bench.labels(*key)
        assert np.array_equal(stored.query(labelled, *key), values), key


def test_requests_fail_with_the_same_messages(nb201_bench):
    stored = open_benchmark("nb201")
    graph = nb201_bench.graphs()[:1]
    for request in [
        ("mnist", "val_acc", 200, None),
        ("cifar10-valid", "loss", 200, None),
        ("cifar10-valid", "val_acc", None, None),
        ("cifar10-valid", "val_acc", 13, None),
        ("cifar10-valid", "val_acc", 200, 5),
    ]:
        with pytest.raises(UserError) as full:
            nb201_bench.query(graph, *request)
        with pytest.raises(UserError) as light:
            stored.query(graph, *request)
        assert str(full.value) == str(light.value)


def test_current_cache_is_found_from_metadata_alone(nb201_bench):
    directory, meta = cached_meta("nb201")
    assert directory == tables_dir() and meta["groups"] and meta["space"] == "nb201"


def test_cache_without_groups_is_reimported(data_root):
    first = open_benchmark("nb201-tagates")
    path = tables_dir() / "nb201-tagates.json"
    meta = read_json(path)
    write_json(path, {k: v for k, v in meta.items() if k != "groups"})
    assert cached_meta("nb201-tagates") is None
    assert open_benchmark("nb201-tagates").describe() == first.describe()
    assert read_json(path)["groups"] == meta["groups"]


def test_damaged_grid_is_a_user_error_naming_the_fix(data_root):
    from archembed.benchmarks.catalog import load_benchmark

    graphs = load_benchmark("nb201-tagates").graphs()[:1]
    grid = tables_dir() / "nb201-tagates.grid.npy"
    saved = grid.read_bytes()
    try:
        grid.write_bytes(b"not numpy")
        with pytest.raises(CorruptFileError, match="data import --force nb201-tagates"):
            open_benchmark("nb201-tagates").query(graphs, "train", "val_acc")
    finally:
        grid.write_bytes(saved)


def test_user_benchmark_imported_before_the_grid_is_upgraded(tmp_path):
    from archembed.benchmarks.catalog import load_benchmark
    from archembed.benchmarks.user import import_graphs
    from archembed.user_registry import user_dir, user_entry

    source = tmp_path / "archs.jsonl"
    chain = {"adjacency": [[0, 1, 0], [0, 0, 1], [0, 0, 0]], "ops": ["input", "a", "output"]}
    direct = {"adjacency": [[0, 1], [0, 0]], "ops": ["input", "output"]}
    source.write_text(json.dumps({**chain, "acc": 1.5}) + "\n" + json.dumps({**direct, "acc": 2}))
    import_graphs(source, "lookup-upgrade")
    meta_path = user_dir() / user_entry("lookup-upgrade")["directory"] / "lookup-upgrade.json"
    write_json(meta_path, {k: v for k, v in read_json(meta_path).items() if k != "groups"})
    stored = open_benchmark("lookup-upgrade")
    full = load_benchmark("lookup-upgrade")
    graphs = full.graphs()
    assert "groups" in read_json(meta_path)
    assert np.array_equal(
        stored.query(graphs, "default", "acc"), full.query(graphs, "default", "acc")
    )
