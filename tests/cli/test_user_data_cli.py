import json

import pytest

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
