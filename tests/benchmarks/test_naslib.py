import json

import numpy as np
import pytest

from archembed.benchmarks import load_benchmark
from archembed.benchmarks.importers.naslib import naslib_table
from archembed.errors import CorruptFileError, UnknownNameError
from archembed.spaces.nb201 import NB201Space


@pytest.fixture(scope="module")
def nb201_naslib(data_root):
    return load_benchmark("naslib-nb201", data_root)


@pytest.fixture(scope="module")
def nb301_naslib(data_root):
    return load_benchmark("naslib-nb301", data_root)


def test_nb201_values_match_the_json(nb201_naslib, data_root):
    raw = json.loads((data_root / "nb201/naslib_zc_nasbench201.json").read_text())["nasbench201"]
    space = nb201_naslib.space
    assert nb201_naslib.datasets() == ["ImageNet16-120", "cifar10", "cifar100"]
    for dataset, archs in raw.items():
        texts = list(archs)[:50]
        graphs = [space.from_naslib(t) for t in texts]
        for key, metric in (("synflow", "zc_synflow"), ("params", "params"), ("flops", "flops")):
            got = nb201_naslib.query(graphs, dataset, metric)
            assert np.allclose(got, [archs[t][key] for t in texts])
        got = nb201_naslib.query(graphs, dataset, "val_acc", epoch=200)
        assert np.allclose(got, [archs[t]["val_accuracy"] for t in texts])
    assert len(nb201_naslib.labels("cifar100", "zc_snip")[0]) == 491


def test_nb201_accuracy_is_percent_after_200_epochs(nb201_naslib, nb201_bench):
    graphs, acc = nb201_naslib.labels("cifar10", "val_acc")
    assert nb201_naslib.epochs("cifar10", "val_acc") == [200]
    assert acc.min() >= 10 and acc.max() < 95  # percent (10 = chance on cifar10)
    # NASLib's "val_accuracy" tracks the cifar10-valid run's test accuracy (see the importer)
    test = nb201_bench.query(graphs, "cifar10-valid", "test_acc", epoch=200)
    val = nb201_bench.query(graphs, "cifar10-valid", "val_acc", epoch=200)
    assert np.abs(acc - test).mean() < 0.3 < np.abs(acc - val).mean()


def test_nb301_queries_by_genotype(nb301_naslib, data_root):
    raw = json.loads((data_root / "nb301/naslib_zc_nasbench301.json").read_text())
    archs = raw["nasbench301"]["cifar10"]
    space = nb301_naslib.space
    text = next(iter(archs))
    genotype = space.to_native(space.from_naslib(text))
    value = nb301_naslib.query([space.from_native(genotype)], "cifar10", "val_acc", epoch=100)
    assert value[0] == pytest.approx(archs[text]["val_accuracy"])
    graphs, params = nb301_naslib.labels("cifar10", "params")
    assert len(graphs) == 500 and 0.5 < params.min() < params.max() < 1.5
    with pytest.raises(UnknownNameError, match="epoch"):
        nb301_naslib.query(graphs[:2], "cifar10", "val_acc", epoch=200)
    with pytest.raises(UnknownNameError, match="omit --epoch"):
        nb301_naslib.query(graphs[:2], "cifar10", "zc_snip", epoch=100)
    with pytest.raises(UnknownNameError, match="dataset"):
        nb301_naslib.query(graphs[:2], "cifar100", "val_acc")
    assert nb301_naslib.query(graphs[:2], "cifar10", "val_acc").shape == (2,)


def test_unknown_fields_and_broken_files_are_errors(tmp_path):
    space = NB201Space()
    path = tmp_path / "zc.json"
    path.write_text(
        json.dumps({"nasbench201": {"cifar10": {"(0, 0, 0, 0, 0, 0)": {"train_time": 3}}}})
    )
    with pytest.raises(CorruptFileError, match="unknown NASLib field 'train_time'"):
        naslib_table("x", space, path, "nasbench201", space.from_naslib, 200)
    with pytest.raises(CorruptFileError, match="no 'nasbench301' section"):
        naslib_table("x", space, path, "nasbench301", space.from_naslib, 200)
    path.write_text(json.dumps({"nasbench201": {"cifar10": [1, 2]}}))
    with pytest.raises(CorruptFileError, match="is not"):
        naslib_table("x", space, path, "nasbench201", space.from_naslib, 200)
    path.write_text('{"nasbench201": {"cifar10": {"(0, 0, 0')
    with pytest.raises(CorruptFileError, match="cannot read"):
        naslib_table("x", space, path, "nasbench201", space.from_naslib, 200)
    path.write_text(json.dumps({"nasbench201": {"cifar10": {"(9, 0, 0, 0, 0, 0)": {"snip": 1}}}}))
    with pytest.raises(CorruptFileError, match="architecture"):
        naslib_table("x", space, path, "nasbench201", space.from_naslib, 200)
