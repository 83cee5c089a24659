"""Fuzz suite for ``search``, ``run`` and ``report``: every bad input exits 2 with one line.

Each case fails at validation, before a benchmark is searched or an encoder trained, so the
whole table runs in seconds in this process. ``{tmp}`` in an argument is the test's temporary
directory, prepared by :func:`workspace` with the paths the cases point at.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.cli.fuzzing import assert_input_error, cases, invoke
from tests.experiments.fake_runs import write_finished_run

SEARCH = ["search", "--benchmark", "nb201/cifar10-valid", "--queries", "5", "--seeds", "1"]
EVOLUTION = [*SEARCH, "--strategy", "evolution", "--out", "{tmp}/new"]
EMBEDDED = [*SEARCH, "--encoder", "onehot", "--out", "{tmp}/new", "--strategy"]
NEW = ["--out", "{tmp}/new", "--strategy"]
RANDOM_INTO = [*SEARCH, "--strategy", "random", "--out"]
GOOD_YAML = (
    "name: demo\nbenchmarks: [nb201/cifar10-valid]\nstrategies: [random]\nseeds: 1\nqueries: 5\n"
)


def _yaml(**changes: str) -> str:
    """GOOD_YAML with top-level settings replaced (``seeds="-1"``) or added."""
    lines = dict(line.split(": ", 1) for line in GOOD_YAML.strip().splitlines())
    lines.update(changes)
    return "".join(f"{key}: {value}\n" for key, value in lines.items())


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """Paths the cases name: a file, a foreign directory, a report directory, a finished run."""
    (tmp_path / "file.txt").write_text("not a directory\n")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("someone else's\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / ".archembed.json").write_text('{"kind": "report"}')
    write_finished_run(tmp_path / "run", queries=20)
    return tmp_path


def _evolution(params: str) -> bytes:
    """An experiment file whose only strategy is evolution with ``params`` (YAML flow text)."""
    return _yaml(strategies=f"[{{name: evolution, params: {params}}}]").encode()


def _fill(args: list[str], tmp: Path) -> list[str]:
    return [a.replace("{tmp}", str(tmp)) for a in args]


SEARCH_CASES = [
    ("missing-benchmark", ["search", "--strategy", "random", "--out", "x"], "--benchmark"),
    ("missing-strategy", [*SEARCH, "--out", "{tmp}/new"], "--strategy"),
    ("missing-out", [*SEARCH, "--strategy", "random"], "--out"),
    ("unknown-benchmark", ["search", "--benchmark", "nb999/x", *NEW, "random"], "nb999/x"),
    ("benchmark-without-dataset", ["search", "--benchmark", "nb201", *NEW, "random"], "dataset"),
    ("unknown-strategy", [*SEARCH, *NEW, "anneal"], "unknown strategy 'anneal'"),
    ("param-unknown-key", [*EVOLUTION, "-p", "popsize=3"], "unknown parameter 'popsize'"),
    ("param-not-a-number", [*EVOLUTION, "-p", "population_size=ten"], "whole number"),
    ("param-fraction", [*EVOLUTION, "-p", "population_size=2.5"], "whole number"),
    ("param-negative", [*EVOLUTION, "-p", "population_size=-3"], "got -3"),
    (
        "param-zero",
        [*EVOLUTION, "-p", "sample_size=0"],
        "sample_size must be a whole number in [1,",
    ),
    ("param-huge", [*EVOLUTION, "-p", "population_size=10000000000"], "in [1, 100000]"),
    ("param-relation", [*EVOLUTION, "-p", "population_size=4", "-p", "sample_size=9"], "<="),
    ("param-bool-for-int", [*EVOLUTION, "-p", "max_retries=true"], "whole number"),
    ("param-no-equals", [*EVOLUTION, "-p", "population_size"], "KEY=VALUE"),
    ("param-empty-key", [*EVOLUTION, "-p", "=3"], "KEY=VALUE"),
    ("param-bad-yaml", [*EVOLUTION, "-p", "population_size=[1"], "not valid YAML"),
    ("param-for-paramless", [*SEARCH, *NEW, "random", "-p", "q=1"], "accepts: (none)"),
    ("param-nan", [*EMBEDDED, "reinforce", "-p", "lr=.nan"], "finite number"),
    ("param-inf", [*EMBEDDED, "dngo", "-p", "lr=.inf"], "finite number"),
    ("param-open-bound", [*EMBEDDED, "reinforce", "-p", "baseline_decay=1"], "in [0, 1)"),
    ("param-not-bool", [*EMBEDDED, "bo", "-p", "ard=3"], "true or false"),
    ("queries-zero", [*EVOLUTION, "--queries", "0"], "--queries"),
    ("queries-negative", [*EVOLUTION, "--queries", "-5"], "--queries"),
    ("queries-text", [*EVOLUTION, "--queries", "many"], "valid integer"),
    ("queries-huge", [*EVOLUTION, "--queries", "10000000000"], "queries"),
    ("seeds-zero", [*EVOLUTION, "--seeds", "0"], "--seeds"),
    ("seeds-huge", [*EVOLUTION, "--seeds", "10000000"], "seeds"),
    ("seeds-float", [*EVOLUTION, "--seeds", "1e10"], "valid integer"),
    ("seconds-nan", [*EVOLUTION, "--seconds", "nan"], "finite"),
    ("seconds-inf", [*EVOLUTION, "--seconds", "inf"], "finite"),
    ("seconds-negative", [*EVOLUTION, "--seconds", "-1"], "greater than 0"),
    ("seconds-zero", [*EVOLUTION, "--seconds", "0"], "greater than 0"),
    ("seconds-text", [*EVOLUTION, "--seconds", "soon"], "--seconds"),
    ("workers-zero", [*EVOLUTION, "--workers", "0"], "--workers"),
    ("workers-huge", [*EVOLUTION, "--workers", "100000"], "workers"),
    ("executor-unknown", [*EVOLUTION, "--executor", "slurm"], "'local' or 'ray'"),
    ("address-without-ray", [*EVOLUTION, "--address", "127.0.0.1:6379"], "ray executor"),
    ("address-empty", [*EVOLUTION, "--executor", "ray", "--address", ""], "address"),
    ("address-malformed", [*EVOLUTION, "--executor", "ray", "--address", "bogus"], "HOST:PORT"),
    ("threads-zero", [*EVOLUTION, "--threads", "0"], "--threads"),
    ("threads-negative", [*EVOLUTION, "--threads", "-2"], "--threads"),
    ("threads-text", [*EVOLUTION, "--threads", "all"], "valid integer"),
    ("encoder-unknown", [*SEARCH, "--encoder", "word2vec", *NEW, "bo"], "encoder 'word2vec'"),
    ("encoder-missing", [*SEARCH, *NEW, "dngo"], "needs an encoder"),
    ("encoder-not-used", [*EMBEDDED, "random"], "does not use an encoder"),
    ("out-is-a-file", [*RANDOM_INTO, "{tmp}/file.txt"], "not a directory"),
    ("out-below-a-file", [*RANDOM_INTO, "{tmp}/file.txt/run"], "not a directory"),
    ("out-foreign-dir", [*RANDOM_INTO, "{tmp}/foreign"], "did not create"),
    ("out-report-dir", [*RANDOM_INTO, "{tmp}/report"], "archembed report directory"),
    ("out-proc", [*RANDOM_INTO, "/proc/archembed-run"], "/proc"),
]

RUN_INTO = ["run", "{tmp}/good.yaml", "--out"]
RUN_OPTION_CASES = [
    ("run-missing-file", ["run", "{tmp}/missing.yaml"], "does not exist"),
    ("run-directory", ["run", "{tmp}/empty"], "is a directory"),
    ("run-special-file", ["run", "/dev/null"], "not a regular file"),
    ("run-workers-zero", ["run", "{tmp}/good.yaml", "--workers", "0"], "--workers"),
    ("run-workers-huge", ["run", "{tmp}/good.yaml", "--workers", "5000"], "workers"),
    ("run-seeds-zero", ["run", "{tmp}/good.yaml", "--seeds", "0"], "--seeds"),
    ("run-seeds-huge", ["run", "{tmp}/good.yaml", "--seeds", "99999999"], "seeds"),
    ("run-executor-unknown", ["run", "{tmp}/good.yaml", "--executor", "dask"], "'local' or"),
    ("run-address-without-ray", ["run", "{tmp}/good.yaml", "--address", "h:1"], "ray"),
    ("run-threads-zero", ["run", "{tmp}/good.yaml", "--threads", "0"], "--threads"),
    ("run-no-out", ["run", "{tmp}/good.yaml"], "set out:"),
    ("run-out-is-a-file", [*RUN_INTO, "{tmp}/file.txt"], "not a directory"),
    ("run-out-foreign", [*RUN_INTO, "{tmp}/foreign"], "did not create"),
    ("run-out-other-kind", [*RUN_INTO, "{tmp}/report"], "report directory"),
    ("run-out-proc", [*RUN_INTO, "/proc/archembed-x"], "/proc"),
]

YAML_CASES: list[tuple[str, bytes, str]] = [
    ("yaml-empty", b"", "is empty"),
    ("yaml-blank", b"  \n\n\t\n", "is empty"),
    ("yaml-only-comments", b"# nothing here\n", "no settings"),
    ("yaml-binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("yaml-latin1", "name: démo\n".encode("latin-1"), "not UTF-8"),
    ("yaml-utf16", "name: demo\n".encode("utf-16"), "binary"),
    ("yaml-syntax", b"name: [unclosed\n", "not valid YAML"),
    ("yaml-tab-indent", b"name: demo\nstrategies:\n\t- random\n", "not valid YAML"),
    ("yaml-list", b"- 1\n- 2\n", "mapping"),
    ("yaml-scalar", b"just words\n", "mapping"),
    ("yaml-unknown-field", _yaml(sedes="3").encode(), "sedes: unknown field"),
    ("yaml-unknown-nested", _yaml(strategies="[{name: random, parms: 1}]").encode(), "0.parms"),
    ("yaml-missing-benchmarks", b"name: x\nstrategies: [random]\n", "Field required"),
    ("yaml-no-benchmarks", _yaml(benchmarks="[]").encode(), "at least 1 item"),
    ("yaml-seeds-1e10", _yaml(seeds="1e10").encode(), "seeds"),
    ("yaml-seeds-float-1e10", _yaml(seeds="1.0e10").encode(), "from 1 to 10000"),
    ("yaml-seeds-huge-int", _yaml(seeds="10000000000").encode(), "from 1 to 10000"),
    ("yaml-seeds-negative", _yaml(seeds="-1").encode(), "seeds"),
    ("yaml-seeds-zero", _yaml(seeds="0").encode(), "seeds"),
    ("yaml-seeds-repeated", _yaml(seeds="[1, 1]").encode(), "distinct"),
    ("yaml-seeds-negative-list", _yaml(seeds="[-1, 2]").encode(), "seeds"),
    ("yaml-seeds-text", _yaml(seeds="ten").encode(), "got 'ten'"),
    ("yaml-seeds-bool", _yaml(seeds="true").encode(), "got True"),
    ("yaml-queries-zero", _yaml(queries="0").encode(), "queries"),
    ("yaml-queries-fraction", _yaml(queries="1.5").encode(), "valid integer"),
    ("yaml-queries-string", _yaml(queries="'10'").encode(), "valid integer"),
    ("yaml-queries-huge", _yaml(queries="1000000000000").encode(), "less than or equal"),
    ("yaml-seconds-nan", _yaml(seconds=".nan").encode(), "finite"),
    ("yaml-seconds-inf", _yaml(seconds=".inf").encode(), "finite"),
    ("yaml-seconds-negative", _yaml(seconds="-3.0").encode(), "greater than 0"),
    ("yaml-workers-zero", _yaml(workers="0").encode(), "workers"),
    ("yaml-workers-huge", _yaml(workers="100000").encode(), "workers"),
    ("yaml-batch-zero", _yaml(batch_size="0").encode(), "batch_size"),
    ("yaml-executor", _yaml(executor="slurm").encode(), "'local' or 'ray'"),
    ("yaml-address-local", _yaml(address="'h:1'").encode(), "ray executor"),
    ("yaml-address-malformed", _yaml(executor="ray", address="'h 1'").encode(), "HOST:PORT"),
    ("yaml-encoder-name", _yaml(encoders="[{name: 'a/b', kind: onehot}]").encode(), "letters"),
    ("yaml-unknown-benchmark", _yaml(benchmarks="[nb999/x]").encode(), "unknown benchmark"),
    ("yaml-benchmark-no-dataset", _yaml(benchmarks="[nb201]").encode(), "give the dataset"),
    ("yaml-noise-not-bool", _yaml(benchmarks="[{name: nb201/x, noise: 1}]").encode(), "boolean"),
    ("yaml-unknown-strategy", _yaml(strategies="[anneal]").encode(), "unknown strategy"),
    ("yaml-strategy-param-unknown", _evolution("{popsize: 3}"), "'popsize'"),
    ("yaml-strategy-param-range", _evolution("{population_size: 0}"), "got 0"),
    ("yaml-strategy-param-type", _evolution("{population_size: many}"), "whole number"),
    ("yaml-strategy-params-list", _evolution("[1]"), "valid dictionary"),
    ("yaml-duplicate-labels", _yaml(strategies="[random, random]").encode(), "unique"),
    ("yaml-unknown-encoder", _yaml(encoders="[word2vec]").encode(), "unknown encoder"),
    ("yaml-encoder-kind", _yaml(encoders="[{name: a, kind: zzz}]").encode(), "unknown encoder"),
    ("yaml-encoder-both", _yaml(encoders="[{name: a, model: m, kind: gcn}]").encode(), "either"),
    (
        "yaml-strategy-encoder-name",
        _yaml(strategies="[{name: bo, encoders: [a2v]}]").encode(),
        "'a2v' is not an encoder name",
    ),
    ("yaml-name-space", _yaml(name="'my demo'").encode(), "letters, digits"),
    ("yaml-name-number", _yaml(name="3").encode(), "valid string"),
]

REPORT_CASES = [
    ("report-missing-run", ["report", "{tmp}/nothing"], "does not exist"),
    ("report-no-runs", ["report", "{tmp}/empty"], "no finished runs"),
    ("report-run-is-file", ["report", "{tmp}/file.txt"], "does not exist"),
    ("report-at-text", ["report", "{tmp}/run", "--at", "ten"], "'ten'"),
    ("report-at-zero", ["report", "{tmp}/run", "--at", "0,10"], "'0'"),
    ("report-at-negative", ["report", "{tmp}/run", "--at", "-5"], "'-5'"),
    ("report-at-fraction", ["report", "{tmp}/run", "--at", "2.5"], "'2.5'"),
    ("report-at-empty", ["report", "{tmp}/run", "--at", ","], "needs query counts"),
    ("report-at-beyond-budget", ["report", "{tmp}/run", "--at", "10,30"], "--at 30 is beyond"),
    ("report-several-without-out", ["report", "{tmp}/run", "{tmp}/run"], "give --out"),
    ("report-out-file", ["report", "{tmp}/run", "--out", "{tmp}/file.txt"], "not a directory"),
    ("report-out-foreign", ["report", "{tmp}/run", "--out", "{tmp}/foreign"], "did not create"),
    ("report-out-proc", ["report", "{tmp}/run", "--out", "/proc/archembed-report"], "/proc"),
]


@cases(SEARCH_CASES)
def test_search_rejects_bad_input(workspace, args, fragment):
    assert_input_error(_fill(args, workspace), fragment)
    assert not (workspace / "new").exists()  # nothing left behind by a rejected command


@cases(RUN_OPTION_CASES)
def test_run_rejects_bad_options(workspace, args, fragment):
    (workspace / "good.yaml").write_text(GOOD_YAML)
    assert_input_error(_fill(args, workspace), fragment)


@pytest.mark.parametrize(
    ("content", "fragment"), [pytest.param(c, f, id=i) for i, c, f in YAML_CASES]
)
def test_run_rejects_bad_experiment_files(workspace, content, fragment):
    path = workspace / "experiment.yaml"
    path.write_bytes(content)
    assert_input_error(["run", str(path), "--out", str(workspace / "out")], fragment)
    assert not (workspace / "out").exists()


@cases(REPORT_CASES)
def test_report_rejects_bad_input(workspace, args, fragment):
    assert_input_error(_fill(args, workspace), fragment)
    assert not (workspace / "run" / "report").exists()


def test_a_huge_experiment_file_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("# padding\n" * 200_000)
    assert_input_error(["run", str(path), "--out", str(tmp_path / "out")], "larger than")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_output_directory_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        args = [*SEARCH, "--strategy", "random", "--out", str(locked / "run")]
        assert_input_error(args, "permission denied")
    finally:
        locked.chmod(0o700)


def test_names_the_data_cannot_resolve_are_rejected_before_work(data_root, tmp_path):
    out = tmp_path / "new"
    args = ["search", "--benchmark", "nb201/cifar11", "--strategy", "random", "--out", str(out)]
    assert_input_error(args, "unknown dataset")
    assert not out.exists()
    yaml = tmp_path / "e.yaml"
    yaml.write_text(_yaml(encoders="[{name: a, kind: arch2vec, pretrain: {latent_dims: 3}}]"))
    yaml.write_text(yaml.read_text().replace("[random]", "[{name: bo, encoders: [a]}]"))
    assert_input_error(["run", str(yaml), "--out", str(out)], "encoders.a.pretrain")
    assert not out.exists()


def test_the_default_report_stays_within_the_budget_and_several_runs_need_out(workspace):
    result = invoke(["report", str(workspace / "run"), "--json", "--quiet"])
    assert result.code == 0, result.stderr
    assert (workspace / "run" / "report" / "report.md").is_file()
    joint = invoke(
        ["report", str(workspace / "run"), str(workspace / "run"), "--out", str(workspace / "j")]
    )
    assert joint.code == 0, joint.stderr
    assert (workspace / "j" / "report.md").is_file()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=20))
def test_any_at_text_is_accepted_or_one_line(text):
    result = invoke(["report", "/nonexistent-run-dir", "--at", text])
    lines = result.stderr.strip().splitlines()
    assert result.code == 2 and len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_experiment_file_content_is_one_line(content):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "e.yaml"
        path.write_bytes(content)
        result = invoke(["run", str(path), "--out", str(Path(tmp) / "out")])
        lines = result.stderr.strip().splitlines()
        assert result.code == 2 and len(lines) == 1 and lines[0].startswith("error: "), result
        assert not (Path(tmp) / "out").exists()


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_any_strategy_parameter_value_is_checked_before_work(value):
    args = [*SEARCH, "--strategy", "evolution", "-p", f"population_size={value}"]
    result = invoke([*args, "--out", "/proc/archembed-never"])  # valid values stop at --out
    lines = result.stderr.strip().splitlines()
    assert result.code == 2 and len(lines) == 1 and lines[0].startswith("error: "), result
