import json

import numpy as np
import pytest

from archembed.errors import AmbiguousRequestError, CorruptFileError, UnknownNameError


@pytest.fixture(scope="module")
def nb101_bench(data_root, nb101_cells):
    from archembed.benchmarks import load_benchmark

    return load_benchmark("nb101", data_root)


@pytest.fixture(scope="module")
def naslib_bench(data_root):
    from archembed.benchmarks import load_benchmark

    return load_benchmark("naslib-nb101", data_root)


def _source(data_root, name):
    return json.loads((data_root / "nb101" / name).read_text())


def test_values_match_both_source_files(nb101_bench, data_root):
    space = nb101_bench.space
    graphs, acc = nb101_bench.labels("cifar10", "val_acc", epoch=108)
    assert len(graphs) == 11_000
    assert acc.min() > 9 and acc.max() < 95.5  # percent
    for name in ("nb101_data-1k.json", "nb101_data-10k.json"):
        data = _source(data_root, name)
        for row in (0, 123, len(data["key"]) - 1):
            graph = nb101_bench.graph(data["key"][row])
            assert graph.key == data["key"][row] and space.is_valid(graph)
            for epoch in (4, 12, 36, 108):
                expected = 100 * data[f"{epoch}_final_validation_accuracy"][row]
                got = nb101_bench.query([graph], "cifar10", "val_acc", epoch=epoch)[0]
                assert got == pytest.approx(expected, rel=1e-12)
            assert nb101_bench.cost([graph], "cifar10")[0] == data["final_training_time"][row]
            assert (
                nb101_bench.query([graph], "cifar10", "params")[0]
                == data["trainable_parameters"][row]
            )


def test_1k_cells_are_the_files_matrices(nb101_bench, data_root):
    data = _source(data_root, "nb101_data-1k.json")
    adj, labels = np.asarray(data["adjacency"][5], dtype=int), data["operations"][5]
    keep = [i for i, label in enumerate(labels) if label != -3]
    native = json.dumps(
        {
            "adjacency": adj[np.ix_(keep, keep)].tolist(),
            "ops": [
                {
                    -1: "input",
                    -2: "output",
                    0: "conv3x3-bn-relu",
                    1: "conv1x1-bn-relu",
                    2: "maxpool3x3",
                }[labels[i]]
                for i in keep
            ],
        }
    )
    graph = nb101_bench.space.from_native(native)
    assert nb101_bench.graph(data["key"][5]).key == graph.key == data["key"][5]


def test_requests_stay_explicit(nb101_bench):
    graphs = nb101_bench.labels("cifar10", "params")[0][:3]
    with pytest.raises(AmbiguousRequestError, match="epochs"):
        nb101_bench.query(graphs, "cifar10", "val_acc")
    with pytest.raises(UnknownNameError, match="epoch"):
        nb101_bench.query(graphs, "cifar10", "val_acc", epoch=200)
    with pytest.raises(UnknownNameError, match="dataset"):
        nb101_bench.query(graphs, "cifar100", "val_acc", epoch=108)
    assert nb101_bench.epochs("cifar10", "train_time") == [108]


def test_unknown_10k_key_is_a_clear_error(tmp_path, data_root, nb101_cells):
    from archembed.benchmarks.importers.nb101 import _graphs_of_keys

    keys = [*_source(data_root, "nb101_data-10k.json")["key"][:3], "0" * 32]
    with pytest.raises(CorruptFileError, match="1 keys are not NAS-Bench-101 cells"):
        _graphs_of_keys(keys, tmp_path / "x.json")


def test_naslib_tuples_decode_to_cells_with_matching_parameters(naslib_bench, nb101_bench):
    graphs, val = naslib_bench.labels("cifar10", "val_acc", epoch=108)
    assert len(graphs) == 292  # 500 NASLib samples, some the same cell
    assert val.min() > 70 and val.max() < 95  # percent
    shared = [g for g in graphs if nb101_bench.has([g], "cifar10", "params")[0]]
    assert len(shared) >= 10
    naslib_params = naslib_bench.query(shared, "cifar10", "params") * 1e6
    np.testing.assert_allclose(naslib_params, nb101_bench.query(shared, "cifar10", "params"))
    diff = naslib_bench.query(shared, "cifar10", "val_acc", 108) - nb101_bench.query(
        shared, "cifar10", "val_acc", 108
    )
    assert np.abs(diff).max() < 1.5  # another training repeat of the same cell
    assert "zc_synflow" in naslib_bench.metrics("cifar10")
    assert naslib_bench.epochs("cifar10", "flops") == [-1]


def test_naslib_values_are_the_file_values(naslib_bench, data_root):
    from archembed.benchmarks.importers.nb101 import decode_naslib

    records = _source(data_root, "naslib_zc_nasbench101.json")["nasbench101"]["cifar10"]
    counts = {}
    for text in records:
        key = decode_naslib(naslib_bench.space, text).key
        counts[key] = counts.get(key, 0) + 1
    text, values = next(
        (t, v) for t, v in records.items() if counts[decode_naslib(naslib_bench.space, t).key] == 1
    )
    graph = decode_naslib(naslib_bench.space, text)
    assert naslib_bench.query([graph], "cifar10", "zc_snip")[0] == values["snip"]
    assert naslib_bench.query([graph], "cifar10", "val_acc", 108)[0] == values["val_accuracy"]
    assert naslib_bench.table.meta["samples_per_cell"] == {k: c for k, c in counts.items() if c > 1}
