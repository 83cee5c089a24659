"""``archembed models`` and ``pretrained:NAME`` wherever a model is named."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.cli.fuzzing import assert_input_error, cases, invoke

from archembed.experiments.config import load_config, parse_config
from archembed.pretrained import NAMES, load_card, pretrained_path
from archembed.pretrained.build import main as build_main

UNKNOWN = "pretrained:arch2vec-nb999"
SEARCH = ["search", "--benchmark", "nb201/cifar10-valid", "--strategy", "bo"]
PREDICT = ["predict", "--benchmark", "nb201/cifar10-valid", "--encoders", "arch2vec+gp"]


def test_models_lists_every_card_as_json():
    result = invoke(["models", "--json"])
    assert result.code == 0, result.stderr
    cards = json.loads(result.stdout)
    assert [card["name"] for card in cards] == list(NAMES)
    assert cards == [load_card(name) for name in NAMES]


def test_models_table_names_each_model_with_its_size():
    result = invoke(["models"])
    assert result.code == 0, result.stderr
    for name in NAMES:
        assert name in result.stdout
    assert "KB" in result.stdout


def test_models_show_prints_one_card():
    result = invoke(["models", "show", "arch2vec-nb201", "--json"])
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout) == load_card("arch2vec-nb201")
    text = invoke(["models", "show", "locality-nb201"]).stdout
    assert "recipe" in text and "smoothness_spearman" in text and "embedding_sample" not in text


@cases(
    [
        ("show-unknown", ["models", "show", "nope"], "unknown shipped model 'nope'"),
        ("embed-unknown", ["embed", UNKNOWN, "--out", "{tmp}/e.parquet"], "arch2vec-nb201"),
        (
            "search-unknown",
            [*SEARCH, "--encoder", UNKNOWN, "--out", "{tmp}/run"],
            "unknown shipped model",
        ),
        (
            "predict-unknown",
            [*PREDICT, "--model", f"arch2vec={UNKNOWN}", "--out", "{tmp}/p"],
            "unknown shipped model",
        ),
    ]
)
def test_an_unknown_shipped_model_is_one_line_naming_the_shipped_ones(args, fragment, tmp_path):
    result = assert_input_error([a.format(tmp=tmp_path) for a in args], fragment)
    assert all(name in result.stderr for name in NAMES)
    assert not any(tmp_path.iterdir())


def test_run_files_name_shipped_models(tmp_path):
    spec = {"name": "a2v", "model": "pretrained:arch2vec-nb201"}
    config = parse_config(
        {
            "name": "x",
            "benchmarks": ["nb201/cifar10-valid"],
            "strategies": ["bo"],
            "encoders": [spec],
        }
    )
    assert config.encoders[0].model == pretrained_path("arch2vec-nb201")
    path = tmp_path / "run.yaml"
    path.write_text(
        "name: x\nbenchmarks: [nb201/cifar10-valid]\nstrategies: [bo]\n"
        "encoders: [{name: a2v, model: 'pretrained:arch2vec-nb201'}]\n"
    )
    assert load_config(path).encoders[0].model == pretrained_path("arch2vec-nb201")


def test_embed_writes_the_shipped_models_embeddings(tmp_path):
    import pandas as pd

    from archembed.pretrained import from_pretrained

    out = tmp_path / "nb201.parquet"
    result = invoke(["embed", "pretrained:arch2vec-nb201", "--out", out, "--quiet"])
    assert result.code == 0, result.stderr
    table = pd.read_parquet(out)
    assert len(table) == 15_625
    model = from_pretrained("arch2vec-nb201")
    first = model.transform(model.space.enumerate()[:3])
    np.testing.assert_allclose(np.stack(table["embedding"][:3]), first, atol=1e-6)


@pytest.mark.slow
def test_search_runs_with_a_shipped_encoder(data_root, tmp_path):
    out = tmp_path / "run"
    args = [*SEARCH, "--encoder", "pretrained:arch2vec-nb201", "--queries", "12", "--seeds", "1"]
    result = invoke([*args, "--out", out, "--quiet", "--json"])
    assert result.code == 0, result.stderr
    (summary,) = Path(out).glob("*/summary.json")
    assert json.loads(summary.read_text())["queries"] == 12


def test_build_takes_one_name_or_all(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        build_main(["arch2vec-nb201", "--all", "--out", str(tmp_path)])
    assert caught.value.code == 2
    assert "one model NAME or --all" in capsys.readouterr().err
