"""net_params / net_flops from the network builders equal NB201's published columns; cached."""

import numpy as np
import pytest

from archembed.benchmarks import network_costs as costs
from archembed.errors import ConfigError


@pytest.mark.parametrize("dataset", ["cifar10", "ImageNet16-120"])
def test_builder_costs_equal_the_published_params_and_flops(
    nb201_bench, dataset, monkeypatch, tmp_path
):
    monkeypatch.setenv("ARCHEMBED_CACHE", str(tmp_path))
    graphs, flops = nb201_bench.labels(dataset, "flops")
    params = nb201_bench.query(graphs[:4], dataset, "params")
    computed = costs.network_costs("nb201", dataset, graphs[:4], progress=False)
    np.testing.assert_allclose(computed["net_flops"], flops[:4], rtol=1e-12)
    np.testing.assert_allclose(computed["net_params"], params, rtol=1e-12)
    assert costs.cache_path("nb201", dataset).is_file()

    def rebuild(*args):
        raise AssertionError("a cached network was rebuilt")

    monkeypatch.setattr(costs, "_costs", rebuild)
    again = costs.network_costs("nb201", dataset, graphs[3::-1], progress=False)
    np.testing.assert_array_equal(again["net_flops"], computed["net_flops"][::-1])


def test_spaces_without_builders_or_shapes_are_refused():
    with pytest.raises(ConfigError, match="network builder"):
        costs.check_network_metric("nasbench_graph", "arxiv", "net_params")
    with pytest.raises(ConfigError, match="input shape"):
        costs.check_network_metric("nb201", "svhn", "net_flops")
