"""Start-up stays light: the CLI imports torch and pandas only in the commands that need them.

Each check runs a fresh interpreter (this test process has imported everything already) and
reports which heavy libraries the command loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "pandas", "scipy", "sklearn", "lightgbm", "pyarrow")
BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
RUN_AND_REPORT = """
import json, sys
from archembed.cli import main
try:
    main(json.loads(sys.argv[1]))
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "heavy": [m for m in %r if m in sys.modules]}), file=sys.stderr)
"""


def _fresh(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300
    )


def _command(*args: str) -> tuple[int, list[str], str]:
    """Run ``archembed ARGS`` in a fresh interpreter: exit code, heavy modules loaded, stdout."""
    out = _fresh(RUN_AND_REPORT % (HEAVY,), json.dumps(list(args)))
    report = json.loads(out.stderr.strip().splitlines()[-1])
    return report["code"], report["heavy"], out.stdout


def test_importing_the_cli_imports_no_heavy_library():
    out = _fresh(f"import sys, archembed.cli; print([m for m in {HEAVY!r} if m in sys.modules])")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_help_works_without_heavy_libraries():
    code, heavy, stdout = _command("--help")
    assert code == 0 and "query" in stdout and "sample" in stdout
    assert heavy == []


def test_spaces_does_not_import_torch():
    code, heavy, stdout = _command("spaces", "--json")
    assert code == 0 and {row["space"] for row in json.loads(stdout)} >= {"nb201", "darts"}
    assert heavy == []


def test_query_on_a_current_cache_reads_no_table(nb201_bench):
    args = ["query", "nb201", BEST, "--dataset", "cifar10-valid", "--epoch", "200", "--json"]
    code, heavy, stdout = _command(*args)
    assert code == 0 and json.loads(stdout)["value"] == pytest.approx(91.5533, abs=1e-3)
    assert heavy == []


@pytest.mark.slow
def test_data_list_on_a_current_cache_reads_no_table(tmp_path):
    from archembed.benchmarks.catalog import open_benchmark

    open_benchmark("nasbench_graph")  # the one benchmark an empty data directory still has
    code, heavy, stdout = _command("data", "list", "--data-dir", str(tmp_path), "--json")
    listed = json.loads(stdout)
    assert code == 0 and "nasbench_graph" in {r["benchmark"] for r in listed["benchmarks"]}
    assert heavy == []


def test_listing_benchmarks_needs_neither_numpy_nor_an_importer_module():
    code = (
        "import sys; from archembed.benchmarks.catalog import benchmark_names; benchmark_names(); "
        "print(sorted(m for m in sys.modules if m == 'numpy' or m.startswith('archembed.spaces') "
        "or m.startswith('archembed.benchmarks.importers.')))"
    )
    out = _fresh(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
