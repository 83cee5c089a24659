import numpy as np
import pandas as pd
import pytest
from tests.cli.fuzzing import assert_input_error, cases, invoke

from archembed.benchmarks.importers import NATS_SSS_SOURCE
from archembed.benchmarks.importers.nats_sss import DATASETS, import_nats_sss
from archembed.errors import CorruptFileError, UnknownNameError
from archembed.experiments.config import BenchmarkSpec


@pytest.fixture(scope="module")
def sss_bench(data_root):
    from archembed.benchmarks import load_benchmark

    return load_benchmark("nats_sss", data_root)


def test_every_architecture_has_a_90_epoch_validation_accuracy_on_three_datasets(sss_bench):
    assert sss_bench.index.datasets() == sorted(DATASETS)
    for dataset in DATASETS:
        assert sss_bench.index.metrics(dataset) == ["val_acc"]
        graphs, values = sss_bench.labels(dataset, "val_acc", epoch=90)
        assert len(graphs) == 32768
        assert 0 < values.min() < values.max() < 100
    smallest = sss_bench.space.from_native("8:8:8:8:8")
    assert sss_bench.query([smallest], "cifar10-valid", "val_acc")[0] == pytest.approx(76.888)


def test_query_prints_the_published_value(data_root):
    result = invoke(["query", "nats_sss", "8:8:8:8:8", "--dataset", "cifar10-valid"])
    assert result.code == 0, result.stderr
    assert float(result.stdout) == pytest.approx(76.888)


def test_a_test_accuracy_request_says_there_is_no_test_split(sss_bench):
    graphs = sss_bench.space.sample(2, np.random.default_rng(0))
    with pytest.raises(UnknownNameError, match="no test split"):
        sss_bench.query(graphs, "cifar100", "test_acc")


@cases(
    [
        ("test-acc", ["--metric", "test_acc"], "(it has no test split) 'test_acc'"),
        ("bad-width", ["--arch", "8:8:8:8:12"], "channel count 12"),
        ("short", ["--arch", "8:8:8"], "5 channel counts"),
        ("nb201-string", ["--arch", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"], "nats_sss"),
        ("epoch", ["--epoch", "200"], "epoch for nats_sss/cifar10-valid/val_acc"),
    ]
)
def test_query_refuses_bad_requests_in_one_line(data_root, args, fragment):
    arch = args[1] if args[0] == "--arch" else "8:8:8:8:8"
    options = [] if args[0] == "--arch" else args
    assert_input_error(
        ["query", "nats_sss", arch, "--dataset", "cifar10-valid", *options], fragment
    )


def test_search_objective_has_no_test_metric():
    spec = BenchmarkSpec(name="nats_sss/ImageNet16-120")
    search, test = spec.requests()
    assert (search.dataset, search.metric) == ("ImageNet16-120", "val_acc")
    assert test is None


def test_importer_refuses_a_table_out_of_official_order(data_root, tmp_path):
    frame = pd.read_csv(data_root / NATS_SSS_SOURCE)
    frame.loc[[1, 2], "arch"] = frame.loc[[2, 1], "arch"].to_numpy()
    (tmp_path / "nats_sss").mkdir()
    frame.to_csv(tmp_path / NATS_SSS_SOURCE, index=False)
    with pytest.raises(CorruptFileError, match="'8:8:8:8:24' has index 1"):
        import_nats_sss(tmp_path)
    frame.iloc[:-1].to_csv(tmp_path / NATS_SSS_SOURCE, index=False)
    with pytest.raises(CorruptFileError, match="32,767 rows"):
        import_nats_sss(tmp_path)


def test_a_search_asking_for_test_accuracy_stops_before_any_work(data_root, tmp_path):
    config = tmp_path / "sss.yaml"
    config.write_text(
        "name: sss\nbenchmarks:\n  - {name: nats_sss/cifar10-valid, test: "
        "{dataset: cifar10-valid, metric: test_acc}}\nstrategies: [random]\nseeds: 1\nqueries: 5\n"
    )
    out = tmp_path / "out"
    assert_input_error(["run", str(config), "--out", str(out), "--workers", "1"], "no test split")
    assert not out.exists()
