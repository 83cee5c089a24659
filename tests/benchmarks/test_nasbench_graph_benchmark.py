import numpy as np
import pytest
from nas_bench_graph.readbench import light_read

from archembed.benchmarks import load_benchmark
from archembed.errors import InvalidArchitectureError, UnknownNameError
from archembed.io import DATA_ENV


@pytest.fixture(scope="module")
def bench():
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(DATA_ENV, raising=False)  # needs no data directory
        yield load_benchmark("nasbench_graph")


def test_all_datasets_and_metrics(bench):
    assert bench.datasets() == sorted(
        ["arxiv", "citeseer", "computers", "cora", "cs", "photo", "physics", "proteins", "pubmed"]
    )
    assert bench.metrics("cora") == ["latency", "params", "test_acc", "val_acc"]
    assert bench.metrics("proteins") == ["latency", "params", "test_rocauc", "val_rocauc"]
    graphs, values = bench.labels("cora", "val_acc")
    assert len(graphs) == 26206 and 0 < values.min() < values.max() < 1
    assert len(bench.labels("proteins", "test_rocauc")[0]) == 2021


def test_values_equal_the_package_tables(bench):
    space = bench.space
    graphs = space.sample(100, np.random.default_rng(0))
    for dataset in ("citeseer", "arxiv"):
        table = light_read(dataset)
        rows = [table[int(space.identity(g))] for g in graphs]
        for key, metric in (
            ("valid_perf", "val_acc"),
            ("perf", "test_acc"),
            ("latency", "latency"),
            ("para", "params"),
        ):
            assert np.allclose(bench.query(graphs, dataset, metric), [r[key] for r in rows])


def test_no_metric_is_substituted(bench):
    graphs = bench.space.sample(3, np.random.default_rng(1))
    with pytest.raises(UnknownNameError, match="metric"):
        bench.query(graphs, "proteins", "val_acc")
    with pytest.raises(UnknownNameError, match="omit --epoch"):
        bench.query(graphs, "cora", "val_acc", epoch=200)
    with pytest.raises(UnknownNameError, match="training-time"):
        bench.cost(graphs, "cora")
    outside = [g for g in bench.space.enumerate() if "gat" in g.ops][:1]
    with pytest.raises(InvalidArchitectureError, match="no val_rocauc"):
        bench.query(outside, "proteins", "val_rocauc")
