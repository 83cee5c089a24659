"""experiments/contrastive_table2_topology.py: settings, a missing cell and the transfer on toy data."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest
from tests.feature_stores import random_store

from archembed.errors import ConfigError
from archembed.spaces import get_space

SCRIPT = Path(__file__).parents[2] / "experiments" / "contrastive_table2_topology.py"


@pytest.fixture(scope="module")
def script(request):
    return request.getfixturevalue("load_file_module")(SCRIPT)


def test_every_setting_is_built_on_the_official_stores_cells(script, tmp_path):
    graphs = get_space("nb201").enumerate()[:12]
    proxy = random_store(tmp_path / "proxy", graphs)
    official = random_store(tmp_path / "official", graphs[3:9], seed=1, n_inits=4)
    arrays = script.space_arrays(proxy, official)
    assert list(arrays) == ["proxy 2", "official 2", "official 4"]
    assert arrays["proxy 2"]["raw"].shape == (6, 2, 3)
    assert arrays["official 4"]["normalised"].shape == (6, 4, 3)
    np.testing.assert_array_equal(arrays["official 2"]["raw"], arrays["official 4"]["raw"][:, :2])
    np.testing.assert_allclose(
        arrays["proxy 2"]["raw"], script.rms_rows(proxy, np.arange(3, 9), False)
    )
    with pytest.raises(ConfigError, match="lacks 6 cells"):
        script.space_arrays(random_store(tmp_path / "few", graphs[:3]), official)
    variant = random_store(tmp_path / "variant", graphs[::-1], seed=2, n_inits=4)
    arrays = script.space_arrays(proxy, official, {"paper-jacobian": variant})
    assert list(arrays)[-1] == "paper-jacobian 4"
    np.testing.assert_allclose(
        arrays["paper-jacobian 4"]["raw"], script.rms_rows(variant, np.arange(8, 2, -1), False)
    )


def test_a_variant_needs_one_store_of_each_space_with_one_definition(script, tmp_path):
    jacobian = {"kind": "jacobian"}
    nb201 = random_store(tmp_path / "a", get_space("nb201").enumerate()[:4], params=jacobian)
    size_cells = get_space("nats_sss").enumerate()[:4]
    size = random_store(tmp_path / "b", size_cells, space_name="nats_sss", params=jacobian)
    assert set(script.variant_stores([["v", str(nb201.directory), str(size.directory)]])["v"]) == {
        "nb201",
        "nats_sss",
    }
    with pytest.raises(ConfigError, match="one unnormalised store of each"):
        script.variant_stores([["v", str(nb201.directory), str(nb201.directory)]])
    for label in ("official", "paper's Jacobian"):
        with pytest.raises(ConfigError, match="other than proxy and official"):
            script.variant_stores([[label, str(nb201.directory), str(size.directory)]])
    own = {**jacobian, "projection": "own"}
    other = random_store(tmp_path / "c", size_cells, space_name="nats_sss", params=own)
    with pytest.raises(ConfigError, match="projection"):
        script.variant_stores([["v", str(nb201.directory), str(other.directory)]])


def test_a_forest_that_learns_the_source_ranks_both_targets(script):
    rng = np.random.default_rng(0)
    X, X_size = rng.normal(size=(200, 5)), rng.normal(size=(80, 5))
    y, y_size = X[:, 0] + 0.1 * X[:, 1], X_size[:, 0]
    found = script.transfer(
        (X, y), (X_size, y_size), argparse.Namespace(n_train=150, n_test=50, runs=2)
    )
    assert set(found) == {"nb201", "nats_sss"}
    assert min(row["kendall_tau"] for row in found.values()) > 0.4
    arrays = {"proxy 2": {"raw": np.abs(X)[:, None, :] + y[:, None, None]}}
    assert script.magnitude_taus(arrays, y)["proxy 2"] > 0.5
