import numpy as np
import pytest

from archembed.errors import AmbiguousRequestError, InvalidArchitectureError, UnknownNameError


def test_nb201_values_match_the_source_files(nb201_bench):
    space = nb201_bench.space
    best = space.from_native(
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    )
    graphs, values = nb201_bench.labels("cifar10-valid", "val_acc", epoch=200)
    assert len(graphs) == 15625
    assert values.max() == pytest.approx(91.61, abs=0.01)
    assert nb201_bench.query([best], "cifar10", "test_acc", epoch=200)[0] == pytest.approx(
        94.37, abs=0.01
    )
    assert nb201_bench.query(graphs, "cifar100", "test_acc", epoch=200).max() == pytest.approx(
        73.51, abs=0.01
    )


def test_every_metric_is_explicit(nb201_bench):
    graphs = nb201_bench.space.sample(3, np.random.default_rng(0))
    with pytest.raises(AmbiguousRequestError, match="epochs"):
        nb201_bench.query(graphs, "cifar10-valid", "val_acc")
    with pytest.raises(UnknownNameError, match="metric"):
        nb201_bench.query(graphs, "cifar10-valid", "accuracy", epoch=200)
    with pytest.raises(UnknownNameError, match="dataset"):
        nb201_bench.query(graphs, "cifar11", "val_acc", epoch=200)
    with pytest.raises(UnknownNameError, match="epoch"):
        nb201_bench.query(graphs, "cifar10-valid", "val_acc", epoch=50)
    with pytest.raises(UnknownNameError, match="seed"):
        nb201_bench.query(graphs, "cifar10-valid", "test_acc", epoch=200, seed=0)
    with pytest.raises(UnknownNameError, match="training-time"):
        nb201_bench.cost(graphs, "cifar10-valid")


def test_per_seed_values_average_to_the_seed_mean(nb201_bench):
    graphs = nb201_bench.space.sample(200, np.random.default_rng(1))
    mean = nb201_bench.query(graphs, "cifar10-valid", "val_acc", epoch=200)
    seeds = np.stack(
        [nb201_bench.query(graphs, "cifar10-valid", "val_acc", 200, s) for s in (0, 1)]
    )
    # cells with three seeds make the two-seed average differ slightly; the mean stays close
    assert np.abs(seeds.mean(axis=0) - mean).max() < 5
    assert np.corrcoef(seeds[0], mean)[0, 1] > 0.99


def test_partial_metrics_report_missing_architectures(nb201_bench):
    graphs, _ = nb201_bench.labels("cifar10", "zc_snip")
    assert len(graphs) == 9445
    missing = [
        g
        for g in nb201_bench.space.enumerate()
        if not nb201_bench.has([g], "cifar10", "zc_snip")[0]
    ][:1]
    with pytest.raises(InvalidArchitectureError, match="no zc_snip"):
        nb201_bench.query(missing, "cifar10", "zc_snip")


def test_cached_table_is_reused(data_root):
    from archembed.benchmarks.catalog import import_benchmark, tables_dir

    import_benchmark("nb201", data_root)
    stamp = (tables_dir() / "nb201.values.parquet").stat().st_mtime_ns
    import_benchmark("nb201", data_root)
    assert (tables_dir() / "nb201.values.parquet").stat().st_mtime_ns == stamp


def test_tagates_split(data_root):
    from archembed.benchmarks import load_benchmark

    bench = load_benchmark("nb201-tagates", data_root)
    train, _ = bench.labels("train", "val_acc")
    test, y = bench.labels("test", "val_acc")
    assert (len(train), len(test)) == (4675, 4770)
    assert 0 < y.max() <= 1
