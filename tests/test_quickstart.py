"""The README's main job: its YAML, the shipped arch2vec model it loads, and the run itself."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import numpy as np
import pytest

from archembed.encoders import load_encoder
from archembed.experiments.config import load_config
from archembed.pretrained import (
    CARD_FILE,
    NAMES,
    PRETRAINED_DIR,
    file_digests,
    load_card,
    pretrained_path,
)
from archembed.pretrained.build import embedding_sample, main, model_metrics

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "examples" / "quickstart.yaml"
MODEL = "arch2vec-nasbench_graph"


@pytest.fixture(scope="module")
def shipped():
    """The shipped model, loaded as the quickstart loads it."""
    return load_encoder(pretrained_path(MODEL))


def test_quickstart_compares_bo_on_the_shipped_encoder_with_random_search():
    config = load_config(QUICKSTART)
    (encoder,) = config.encoders
    assert encoder.model is not None and encoder.model.resolve() == pretrained_path(MODEL)
    assert encoder.pretrain is None  # nothing is trained by the main job
    assert {s.name for s in config.strategies} >= {"random", "bo"}
    assert [b.label for b in config.benchmarks] == ["nasbench_graph/arxiv"]
    assert len(config.seed_list()) >= 10 and config.queries is not None


def test_shipped_files_have_the_digests_of_their_card():
    card = load_card(MODEL)
    assert file_digests(pretrained_path(MODEL)) == card["files"]
    assert (pretrained_path(MODEL) / "state.pt").stat().st_size < 600_000


def test_shipped_config_is_the_cards_recipe_and_seed():
    card = load_card(MODEL)
    config = json.loads((pretrained_path(MODEL) / "config.json").read_text())
    assert (config["encoder"], config["space"]) == (card["encoder"], card["space"])
    assert config["params"] == {**card["recipe"], "seed": card["seed"]}
    assert card["rebuild"] == f"python -m archembed.pretrained.build {MODEL} --out DIR"


def test_shipped_model_reaches_the_metrics_of_its_card(shipped):
    card = load_card(MODEL)
    metrics = card["metrics"]
    measured = model_metrics(shipped, metrics["samples"], metrics["sample_seed"])
    assert measured == pytest.approx(metrics, abs=2e-3)  # room for another CPU's rounding
    assert metrics["holdout_reconstruction"] > 0.85 and metrics["holdout_ops"] > 0.99


def test_shipped_model_embeds_a_sample_as_its_card_says(shipped):
    expected = np.asarray(load_card(MODEL)["embedding_sample"])
    np.testing.assert_allclose(embedding_sample(shipped), expected, atol=2e-6)
    assert expected.shape == (8, 16)


def test_package_data_ships_every_file_of_every_model():
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["archembed.pretrained"]
    for name in NAMES:
        for path in (PRETRAINED_DIR / name).iterdir():
            relative = f"{name}/{path.name}"
            assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative
        assert (PRETRAINED_DIR / name / CARD_FILE).is_file()


@pytest.mark.slow
def test_rebuild_is_bit_identical_to_the_shipped_model(tmp_path, capsys):
    assert main([MODEL, "--out", str(tmp_path / "model"), "--quiet"]) == 0
    assert "bit-identical" in capsys.readouterr().out
    assert json.loads((tmp_path / "model" / CARD_FILE).read_text()) == load_card(MODEL)


@pytest.mark.slow
def test_quickstart_ranks_bo_above_random_search(tmp_path, run_cli):
    out = tmp_path / "quickstart"
    result = run_cli("run", str(QUICKSTART), "--out", str(out), env={"ARCHEMBED_DATA": ""})
    assert result.returncode == 0, result.stderr
    finals = {}
    for strategy in ("random", "bo-arch2vec"):
        summaries = (out / f"nasbench_graph-arxiv-{strategy}").glob("*/summary.json")
        finals[strategy] = [json.loads(p.read_text())["regret"] for p in summaries]
    assert len(finals["random"]) == len(finals["bo-arch2vec"]) == 20
    assert np.mean(finals["bo-arch2vec"]) < np.mean(finals["random"]) - np.std(finals["random"])
    report = (out / "report" / "report.md").read_text()
    assert "| nasbench_graph-arxiv-bo-arch2vec | 100 | 20 | 0 |" in report
    assert (out / "report" / "regret_cdf_0.png").read_bytes()[:4] == b"\x89PNG"
