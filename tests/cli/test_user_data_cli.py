import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.cli.fuzzing import invoke

CHAIN = {"adjacency": [[0, 1, 0], [0, 0, 1], [0, 0, 0]], "ops": ["input", "conv", "output"]}
WIDE = {
    "adjacency": [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]],
    "ops": ["input", "conv", "pool", "output"],
}


def test_import_graphs_then_query(run_cli, tmp_path):
    source = tmp_path / "archs.jsonl"
    source.write_text(
        json.dumps({**CHAIN, "acc": 71.5}) + "\n" + json.dumps({**WIDE, "acc": 75}) + "\n"
    )
    out = run_cli("data", "import-graphs", str(source), "--name", "cli-byo", "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["archs"] == 2 and summary["metrics"] == ["acc"] and summary["max_nodes"] == 4
    out = run_cli("query", "cli-byo", json.dumps(WIDE), "--dataset", "default", "--metric", "acc")
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) == pytest.approx(75)
    out = run_cli("sample", "cli-byo", "-n", "3", "--seed", "0")
    assert out.returncode == 0 and len(out.stdout.splitlines()) == 3


def test_import_graphs_bad_line(run_cli, tmp_path):
    source = tmp_path / "bad.jsonl"
    cyclic = {
        "adjacency": [[0, 1, 0, 0], [0, 0, 1, 0], [0, 1, 0, 1], [0, 0, 0, 0]],
        "ops": ["input", "a", "b", "output"],
        "acc": 1,
    }
    source.write_text(json.dumps({**CHAIN, "acc": 1}) + "\n" + json.dumps(cyclic) + "\n")
    out = run_cli("data", "import-graphs", str(source), "--name", "cli-bad")
    assert out.returncode == 2
    assert "line 2: the graph has a cycle" in out.stderr and "Traceback" not in out.stderr


def test_nasbench_graph_without_data_dir(run_cli):
    arch = '{"link": [0, 0, 1, 2], "ops": ["gat", "gat", "gcn", "cheb"]}'
    out = run_cli(
        "query", "nasbench_graph", arch, "--dataset", "cora", "--json", env={"ARCHEMBED_DATA": ""}
    )
    assert out.returncode == 0, out.stderr
    assert 0 < json.loads(out.stdout)["value"] < 1


def test_import_graphs_reports_progress_unless_quiet(run_cli, tmp_path):
    source = tmp_path / "archs.jsonl"
    source.write_text(json.dumps({**CHAIN, "acc": 1}) + "\n")
    out = run_cli("data", "import-graphs", str(source), "--name", "cli-progress")
    assert out.returncode == 0 and "saving benchmark cli-progress" in out.stderr
    quiet = run_cli("data", "import-graphs", str(source), "--name", "cli-progress", "-q", "--json")
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert json.loads(quiet.stdout)["archs"] == 1


WIDE_SWAPPED = {**WIDE, "ops": ["input", "pool", "conv", "output"]}
"""WIDE with its inner vertices in the other order: isomorphic, so the same architecture."""
REPEATED = [
    {**CHAIN, "acc": 70, "loss": 1.0},
    {**WIDE, "acc": 75},
    {**CHAIN, "acc": 80, "loss": 3.0},
    {**WIDE_SWAPPED, "acc": 76},
    {**CHAIN, "acc": 90},
]


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _query(name, arch, *extra):
    result = invoke(["query", name, json.dumps(arch), "--json", *extra])
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def test_duplicates_first_keeps_the_first_line(tmp_path):
    source = _jsonl(tmp_path / "rep.jsonl", REPEATED)
    result = invoke(["data", "import-graphs", str(source), "--name", "dup-first", "--json"])
    assert result.code == 2 and "2 architectures appear more than once" in result.stderr
    args = ["data", "import-graphs", str(source), "--name", "dup-first", "--duplicates", "first"]
    summary = json.loads(invoke([*args, "--json"]).stdout)
    assert (summary["archs"], summary["records"], summary["duplicates"]) == (2, 5, "first")
    assert _query("dup-first", CHAIN, "--metric", "acc")["value"] == 70
    assert _query("dup-first", CHAIN, "--metric", "loss")["value"] == 1.0
    answer = _query("dup-first", WIDE_SWAPPED, "--metric", "acc")
    assert answer["value"] == 75 and "n_records" not in answer


def test_duplicates_mean_averages_each_metric_and_counts_records(tmp_path):
    source = _jsonl(tmp_path / "rep.jsonl", REPEATED)
    args = ["data", "import-graphs", str(source), "--name", "dup-mean", "--duplicates", "mean"]
    assert invoke([*args, "-q"]).code == 0
    chain = _query("dup-mean", CHAIN, "--metric", "acc")
    assert (chain["value"], chain["n_records"]) == (pytest.approx(80), 3)
    assert _query("dup-mean", CHAIN, "--metric", "loss")["value"] == 2.0  # over the 2 that have it
    wide = _query("dup-mean", WIDE, "--metric", "acc")
    assert (wide["value"], wide["n_records"]) == (75.5, 2)
    text = invoke(["query", "dup-mean", json.dumps(CHAIN), "--metric", "acc"])
    assert text.stdout.strip() == "80  (mean of 3 records)"


def test_mean_of_huge_values_stays_finite(tmp_path):
    source = _jsonl(tmp_path / "huge.jsonl", [{**CHAIN, "acc": 1.5e308}, {**CHAIN, "acc": 1.7e308}])
    args = ["data", "import-graphs", str(source), "--name", "dup-huge", "--duplicates", "mean"]
    assert invoke([*args, "-q"]).code == 0
    assert _query("dup-huge", CHAIN)["value"] == pytest.approx(1.6e308)


def test_a_rejected_file_leaves_the_previous_import(tmp_path):
    good = _jsonl(tmp_path / "good.jsonl", [{**CHAIN, "acc": 1}])
    assert invoke(["data", "import-graphs", str(good), "--name", "dup-keep", "-q"]).code == 0
    repeated = _jsonl(tmp_path / "rep.jsonl", REPEATED)
    rejected = invoke(["data", "import-graphs", str(repeated), "--name", "dup-keep"])
    assert rejected.code == 2 and len(rejected.stderr.strip().splitlines()) == 1
    assert _query("dup-keep", CHAIN)["value"] == 1
    fresh = invoke(["data", "import-graphs", str(repeated), "--name", "dup-never"])
    assert fresh.code == 2
    assert "unknown benchmark" in invoke(["query", "dup-never", json.dumps(CHAIN)]).stderr


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from([CHAIN, WIDE, WIDE_SWAPPED]), st.floats(-1e6, 1e6)),
        min_size=1,
        max_size=12,
    )
)
def test_mean_and_first_agree_with_a_direct_computation(lines):
    from archembed.benchmarks.user import GraphRecord, build_user_table
    from archembed.spaces.generic import graph_from_record

    records = [
        GraphRecord(i + 1, graph_from_record(arch), {"acc": value})
        for i, (arch, value) in enumerate(lines)
    ]
    groups: dict[str, list[float]] = {}
    for arch, value in lines:
        groups.setdefault("chain" if arch is CHAIN else "wide", []).append(value)
    mean, _ = build_user_table("prop", records, duplicates="mean")
    first, _ = build_user_table("prop", records, duplicates="first")
    assert sorted(mean.archs["n_records"]) == sorted(len(v) for v in groups.values())
    assert sorted(mean.values["value"]) == pytest.approx(
        sorted(np.mean(v) for v in groups.values())
    )
    assert sorted(first.values["value"]) == sorted(v[0] for v in groups.values())
    assert len(first.archs) == len(groups) and "n_records" not in first.archs
