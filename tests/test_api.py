"""The flat Python API (``import archembed as ae``), the Decoder protocols and ``--data-dir``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.cli.fuzzing import invoke

import archembed as ae
from archembed.errors import ConfigError, DataNotFoundError, UnknownNameError
from archembed.io import data_dir, set_data_dir
from archembed.pretrained import pretrained_path

REPO = Path(__file__).resolve().parents[1]
BENCHMARK = "nasbench_graph/arxiv"


@pytest.fixture(autouse=True)
def _no_data_dir_default():
    """Every test starts and ends without a process-wide data directory."""
    set_data_dir(None)
    yield
    set_data_dir(None)


def test_import_is_light_and_lists_the_api():
    code = (
        "import sys, archembed as ae; names = dir(ae); "
        "print(sorted(m for m in ('torch', 'numpy', 'pandas') if m in sys.modules)); "
        "print(all(n in names for n in ae.__all__))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["[]", "True"]


def test_every_public_name_resolves():
    assert {"load_space", "load_benchmark", "search", "Arch2Vec", "predictors"} <= set(ae.__all__)
    for name in ae.__all__:
        assert getattr(ae, name) is not None, name
    assert ae.load_space("nb201").size == 15_625
    assert callable(ae.predictors.make_predictor)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        ae.nope  # noqa: B018


def test_search_stays_callable_after_its_subpackage_is_imported():
    import archembed.search

    assert ae.search is archembed.search and callable(ae.search)
    assert callable(archembed.search.make_strategy)


def test_search_gives_the_trajectory_of_the_cli(tmp_path):
    result = ae.search(BENCHMARK, "random", queries=8, seed=3)
    assert list(result.trajectory["query"]) == list(range(1, 9))
    assert result.summary["status"] == "ok" and result.summary["queries"] == 8
    assert result.regret is not None and result.regret >= 0
    best = result.trajectory.loc[result.trajectory["score"].idxmax(), "arch"]
    assert result.incumbent == best
    args = ["search", "--benchmark", BENCHMARK, "--strategy", "random", "--queries", "8"]
    outcome = invoke([*args, "--seeds", "4", "--workers", "1", "--out", tmp_path / "run", "-q"])
    assert outcome.code == 0, outcome.stderr
    (seed3,) = [p for p in (tmp_path / "run").rglob("*.parquet") if "3" in p.parent.name]
    assert list(pd.read_parquet(seed3)["arch"]) == list(result.trajectory["arch"])


def test_search_with_an_encoder_by_name_and_by_object():
    by_name = ae.search(BENCHMARK, "bo", "onehot", queries=6, seed=0, n_init=3, q=3)
    encoder = ae.OneHotEncoder("nasbench_graph").fit([])
    by_object = ae.search(BENCHMARK, "bo", encoder, queries=6, seed=0, n_init=3, q=3)
    assert list(by_name.trajectory["arch"]) == list(by_object.trajectory["arch"])


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"strategy": "nope"}, ConfigError, "nope"),
        ({"strategy": "bo"}, ConfigError, "encoder"),
        ({"strategy": "random", "n_init": 3}, ConfigError, "n_init"),
        ({"strategy": "random", "encoder": "nope"}, UnknownNameError, "nope"),
    ],
)
def test_search_rejects_bad_arguments(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        ae.search(BENCHMARK, queries=5, **kwargs)


def test_load_benchmark_reads_the_data_dir_it_is_given(tmp_path):
    with pytest.raises(DataNotFoundError, match=str(tmp_path)):
        ae.load_benchmark("nb201", data_dir=tmp_path)


def test_data_dir_order_is_argument_then_default_then_environment(tmp_path, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    monkeypatch.setenv("ARCHEMBED_DATA", str(first))
    assert data_dir() == first
    assert set_data_dir(second) is None
    assert data_dir() == second and data_dir(first) == first
    assert set_data_dir(None) == second and data_dir() == first


def test_cli_data_dir_leaves_the_environment_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHEMBED_DATA", "/elsewhere")
    before = dict(os.environ)
    outcome = invoke(["data", "import", "nb201", "--data-dir", tmp_path])
    assert outcome.code == 2 and str(tmp_path / "nb201") in outcome.stderr
    assert dict(os.environ) == before
    with pytest.raises(DataNotFoundError, match="/elsewhere"):
        data_dir()  # the command's --data-dir ended with the command


def test_decoder_protocols_describe_the_decoders():
    arch2vec = ae.load_encoder(pretrained_path("arch2vec-nasbench_graph"))
    assert isinstance(arch2vec, ae.GraphDecoder) and isinstance(arch2vec, ae.Decoder)
    space = ae.load_space("nasbench_graph")
    graphs = space.sample(8, np.random.default_rng(0))
    decoded = arch2vec.decode(arch2vec.encode_nodes(graphs))
    assert len(decoded) == 8 and all(g is None or space.is_valid(g) for g in decoded)
    assert sum(d == g for d, g in zip(decoded, graphs)) >= 4  # it mostly reconstructs
    assert isinstance(ae.Arch2Vec.from_recipe("official", "nb201"), ae.GraphDecoder)
    nao = ae.NAOEncoder("nb201")
    assert isinstance(nao, ae.Decoder) and not isinstance(nao, ae.GraphDecoder)
    assert not isinstance(ae.OneHotEncoder("nb201"), ae.Decoder)


def test_search_reads_an_embedding_file(tmp_path):
    space = ae.load_space("nasbench_graph")
    graphs = space.enumerate()
    vectors = ae.OneHotEncoder(space).transform(graphs)
    path = tmp_path / "onehot.parquet"
    pd.DataFrame(
        {"arch": [space.identity(g) for g in graphs], "embedding": list(vectors)}
    ).to_parquet(path)
    from_file = ae.search(BENCHMARK, "bo", str(path), queries=6, seed=0, n_init=3, q=3)
    by_name = ae.search(BENCHMARK, "bo", "onehot", queries=6, seed=0, n_init=3, q=3)
    assert list(from_file.trajectory["arch"]) == list(by_name.trajectory["arch"])
