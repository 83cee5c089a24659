"""experiments/contrastive_table2_why.py: variants, option checks, one variant on toy data."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest

from archembed.errors import ConfigError, CorruptFileError

SCRIPT = Path(__file__).parents[2] / "experiments" / "contrastive_table2_why.py"


@pytest.fixture(scope="module")
def script(request):
    return request.getfixturevalue("load_file_module")(SCRIPT)


def test_the_model_runs_every_variant_and_other_encoders_two(script):
    units = script.units(["seed1", "untrained"], with_paper=True)
    assert [v for n, v in units if n == "trained"] == list(script.VARIANTS)
    assert [v for n, v in units if n == "seed1"] == ["ours", "init rows"]
    without = script.units([], with_paper=False)
    assert [v for _, v in without] == ["ours", "init rows"]
    assert script.unit_name("trained", "paper protocol") == "trained-paper_protocol"


@pytest.mark.parametrize("text", ["seed1", "=dir", "trained=dir", "untrained=dir"])
def test_bad_encoder_options_are_config_errors(script, text):
    with pytest.raises(ConfigError, match="NAME=DIR"):
        script.encoders(argparse.Namespace(encoder=[text]))


def test_paper_labels_follow_the_official_strings_not_the_row_order(script, tmp_path):
    from archembed.spaces import get_space

    graphs = get_space("nb201").enumerate()[:3]
    natives = [get_space("nb201").to_native(g) for g in graphs]
    assert script.paper_labels(None, graphs) is None
    np.save(tmp_path / "cifar10_test_accs.npy", np.array([30.0, 10.0, 20.0]))
    (tmp_path / "configs.txt").write_text("\n".join([natives[2], natives[0], natives[1]]) + "\n")
    np.testing.assert_array_equal(script.paper_labels(tmp_path, graphs), [10.0, 20.0, 30.0])
    (tmp_path / "configs.txt").write_text("\n".join(natives[:2]))
    with pytest.raises(CorruptFileError, match=r"\(3,\) values for 2 cells"):
        script.paper_labels(tmp_path, graphs)
    np.save(tmp_path / "cifar10_test_accs.npy", np.array([1.0, 2.0]))
    with pytest.raises(ConfigError, match="no value for 1 cells"):
        script.paper_labels(tmp_path, graphs)
    (tmp_path / "cifar10_test_accs.npy").write_bytes(b"not numpy")
    with pytest.raises(CorruptFileError):
        script.paper_labels(tmp_path, graphs)


def test_a_variant_gives_the_four_pairs_over_its_runs(script):
    rng = np.random.default_rng(0)
    embedded = {s: rng.normal(size=(120, 2, 6)) for s in ("nats_sss", "nb201")}
    labels = {s: X[:, 0, 0] + X[:, 1, 0] for s, X in embedded.items()}
    args = argparse.Namespace(n_train=80, n_test=30, runs=2)
    for variant in ("ours", "paper protocol"):
        rows = script.variant_rows(embedded, labels, variant, args)
        assert len(rows) == 4 and all(len(r["runs"]) == 2 for r in rows)
        assert min(r["kendall_tau"] for r in rows) > 0.3


def test_init_noise_compares_the_spread_of_inits_with_that_of_cells(script):
    rng = np.random.default_rng(0)
    cells = rng.normal(size=(4000, 1, 3))
    assert script.init_noise(np.repeat(cells, 2, axis=1)) == 0.0
    noisy = cells + rng.normal(size=(4000, 2, 3))
    # around a 2-init mean, init variance 1 leaves 1/2; the means vary by 1 + 1/2
    assert script.init_noise(noisy) == pytest.approx(0.5 / 1.5, rel=0.05)
