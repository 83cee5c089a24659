"""Embedding files (``archembed embed`` output, or computed elsewhere) in ``predict`` and
``evaluate``: they rank like the encoder that wrote them, and a bad file is one line, exit 2,
before the benchmark loads and before any output is written."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from tests.cli.fuzzing import assert_input_error, cases, invoke
from tests.cli.test_fuzz_embedding_file import BAD_FILES, CASES

FIXTURE = Path(__file__).parents[1] / "fixtures" / "own_benchmark.jsonl"
BENCH = "enc-files"
PREDICT = ["predict", "--benchmark", BENCH, "--train-share", "0.8"]
EVALUATE = ["--benchmark", BENCH, "--n-train", "20", "--seeds", "1"]
FORMAT_CASES = [(i, name, fragment) for i, name, fragment in CASES if name.endswith(".parquet")]


@pytest.fixture(scope="module")
def embeddings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture benchmark imported, its one-hot embeddings written by ``archembed embed``,
    and every bad file of the search fuzz suite beside them."""
    folder = tmp_path_factory.mktemp("encoder-files")
    assert invoke(["data", "import-graphs", str(FIXTURE), "--name", BENCH, "-q"]).code == 0
    made = invoke(["embed", "onehot", "--benchmark", BENCH, "--out", str(folder / "emb.parquet")])
    assert made.code == 0, made.stderr
    for name, content in BAD_FILES.items():
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            content.to_parquet(folder / name)
    frame = pd.read_parquet(folder / "emb.parquet")
    frame.iloc[1:].to_parquet(folder / "partial.parquet")
    frame.assign(arch=[f"x{i}" for i in range(len(frame))]).to_parquet(folder / "other.parquet")
    return folder


def _predict(files: Path, encoders: str, out: str = "pred") -> list[str]:
    return [*PREDICT, "--encoders", encoders, "--fractions", "0.5", "--seeds", "1",
            "--out", str(files / out)]  # fmt: skip


def test_predict_ranks_with_a_file_exactly_as_with_its_encoder(embeddings):
    result = invoke([*_predict(embeddings, f"{embeddings}/emb.parquet+gp,onehot+gp"), "--json"])
    assert result.code == 0, result.stderr
    taus = {
        row["predictor"]: row["kendall_tau"]["mean"] for row in json.loads(result.stdout)["results"]
    }
    assert len(taus) == 2 and len(set(taus.values())) == 1 and min(taus.values()) > 0.3


@cases([(i, [name], fragment) for i, name, fragment in FORMAT_CASES])
def test_predict_refuses_a_bad_file_before_the_benchmark_loads(embeddings, args, fragment):
    assert_input_error(_predict(embeddings, f"{embeddings}/{args[0]}+gp", "new"), fragment)
    assert not (embeddings / "new").exists()


@cases(
    [
        ("no-head", ["emb.parquet"], "give it a regression head, e.g."),
        ("unknown-head", ["emb.parquet+svm"], "svm"),
        ("missing-archs", ["partial.parquet+gp"], "has no embedding for 1 of the"),
        ("other-space", ["other.parquet+gp"], "was it written for another space?"),
    ]
)
def test_predict_refuses_a_file_that_does_not_fit(embeddings, args, fragment):
    assert_input_error(_predict(embeddings, f"{embeddings}/{args[0]}", "new"), fragment)
    assert not (embeddings / "new").exists()


def test_evaluate_takes_an_embedding_file(embeddings):
    out = embeddings / "evaluation"
    args = ["evaluate", str(embeddings / "emb.parquet"), *EVALUATE, "--walk-steps", "10"]
    result = invoke([*args, "--tsne-points", "20", "--projection", "pca", "--out", str(out)])
    assert result.code == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["encoder"] == "emb" and "pretraining" not in summary
    assert summary["predictive"]["pearson_mean"] > 0.3


@cases(
    [
        *[(i, [name], fragment) for i, name, fragment in CASES],
        ("missing-archs", ["partial.parquet"], "has no embedding for 1 of the"),
        ("other-space", ["other.parquet"], "was it written for another space?"),
    ]
)
def test_evaluate_refuses_a_bad_file(embeddings, args, fragment):
    command = ["evaluate", f"{embeddings}/{args[0]}", *EVALUATE, "--out", str(embeddings / "new")]
    assert_input_error(command, fragment)
    assert not (embeddings / "new").exists()
