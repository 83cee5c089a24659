"""``archembed data doctor``: found / missing / malformed benchmark data, with the exact fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.cli.fuzzing import invoke

from archembed.benchmarks.doctor import KNOWN_FILES

DATA_BENCHMARKS = {
    "nb201",
    "nb201-tagates",
    "nb101",
    "naslib-nb101",
    "naslib-nb201",
    "naslib-nb301",
    "tnb101_micro",
    "nats_sss",
}


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    """A fresh cache: user benchmarks imported by other tests must not change the counts."""
    monkeypatch.setenv("ARCHEMBED_CACHE", str(tmp_path_factory.mktemp("doctor-cache")))


def doctor_json(*args: str) -> dict:
    """Run ``data doctor --json``; it must succeed and print only JSON on stdout."""
    result = invoke(["data", "doctor", "--json", *args])
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def by_name(report: dict) -> dict[str, dict]:
    return {b["name"]: b for b in report["benchmarks"]}


def files_of(report: dict) -> dict[str, dict]:
    return {f["path"]: f for b in report["benchmarks"] for f in b["files"]}


def test_every_importer_source_is_a_known_file():
    from archembed.benchmarks import importers  # noqa: F401  (registers the built-in importers)
    from archembed.benchmarks.catalog import IMPORTERS

    sources = {s for name in IMPORTERS.names() for s in IMPORTERS.get(name).sources}
    assert sources == set(KNOWN_FILES)
    assert {IMPORTERS.get(n).needs_data_dir for n in IMPORTERS.names()} == {True, False}


def test_shared_data_every_benchmark_is_found_as_released(data_root):
    report = doctor_json()
    assert report["data_dir"] == str(data_root)
    assert report["data_dir_from"] == "$ARCHEMBED_DATA"
    benchmarks = by_name(report)
    assert DATA_BENCHMARKS | {"nasbench_graph"} <= set(benchmarks)
    assert all(b["status"] == "found" for b in benchmarks.values())
    assert report["ok"] is True
    assert report["counts"]["found"] == len(benchmarks)
    files = files_of(report)
    for path, known in KNOWN_FILES.items():
        item = files[path]
        assert item["status"] == "ok", item
        assert item["rows"] == known.rows and item["sha256"] == known.sha256
    assert files["nb201/nb201_cifar10-valid_200ep.csv"]["rows"] == 15_625
    assert files["nb101/nb101_data-10k.json"]["rows"] == 10_000
    assert benchmarks["nasbench_graph"]["source"] == "package"
    assert report["seconds"] < 3.0


def test_shared_data_human_report_has_a_table_and_no_fix(data_root):
    result = invoke(["data", "doctor", "--data-dir", str(data_root)])
    assert result.code == 0
    assert f"data directory: {data_root} (from --data-dir)" in result.stdout
    assert any(line.split()[1:4] == ["nb201", "│", "found"] for line in result.stdout.splitlines())
    assert "fix " not in result.stdout and "note " not in result.stdout
    assert "0 missing, 0 malformed" in result.stdout


def test_empty_directory_reports_every_file_missing_with_its_download(tmp_path):
    report = doctor_json("--data-dir", str(tmp_path))
    benchmarks = by_name(report)
    assert benchmarks["nasbench_graph"]["status"] == "found"
    assert {n for n, b in benchmarks.items() if b["status"] == "missing"} == DATA_BENCHMARKS
    assert report["ok"] is False
    files = files_of(report)
    for path, known in KNOWN_FILES.items():
        item = files[path]
        assert item["status"] == "missing" and item["problem"] == f"{path} is missing"
        assert known.url in item["fix"] and f"docs/DATA.md#{known.section}" in item["fix"]
        assert str(tmp_path / path) in item["fix"]


def test_empty_directory_prints_one_fix_line_per_missing_file(tmp_path):
    result = invoke(["data", "doctor", "--data-dir", str(tmp_path)])
    assert result.code == 0
    fixes = [line for line in result.stdout.splitlines() if line.startswith("fix ")]
    assert len(fixes) == len(KNOWN_FILES)
    assert any(f"curl -fL --create-dirs -o {tmp_path / 'nb101'}" in line for line in fixes)
    assert f"1 found, {len(DATA_BENCHMARKS)} missing, 0 malformed" in result.stdout


def test_no_data_directory_still_reports_what_needs_one(monkeypatch):
    monkeypatch.delenv("ARCHEMBED_DATA", raising=False)
    report = doctor_json()
    assert report["data_dir"] is None and report["data_dir_from"] is None
    benchmarks = by_name(report)
    assert benchmarks["nasbench_graph"]["status"] == "found"
    for name in DATA_BENCHMARKS:
        assert benchmarks[name]["status"] == "missing"
        assert benchmarks[name]["problem"] == "no data directory given"
        assert "--data-dir" in benchmarks[name]["fix"]


def _copy(data_root: Path, tmp_path: Path, relative: str) -> Path:
    target = tmp_path / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(data_root / relative, target)
    return target


def _cut_bytes(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _cut_last_field(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b",")])


def _keep_lines(path: Path) -> None:
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:101]))


def _garble(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 40)


def _drop_column(path: Path) -> None:
    lines = path.read_text().splitlines(keepends=True)
    path.write_text(lines[0].replace("val_accs", "accuracy") + "".join(lines[1:]))


@pytest.mark.parametrize(
    ("relative", "damage", "fragment"),
    [
        ("nb201/nb201_cifar100_200ep.csv", _cut_last_field, "the file is cut off"),
        ("nb201/nb201_hw_cifar10.csv", _keep_lines, "has 100 rows, expected 15,625"),
        ("nb201/nb201_12ep_3datasets.csv", _garble, "binary data"),
        ("nb201/ta_gates_nb201_train.csv", _drop_column, "lacks columns ['val_accs']"),
        ("nb101/nb101_data-1k.json", _cut_bytes, "is not valid JSON"),
        ("nb301/naslib_zc_nasbench301.json", _garble, "not UTF-8"),
    ],
    ids=["csv-cut", "csv-truncated", "csv-binary", "csv-columns", "json-cut", "json-binary"],
)
def test_damaged_file_is_malformed_with_the_download_as_fix(
    data_root, tmp_path, relative, damage, fragment
):
    damage(_copy(data_root, tmp_path, relative))
    report = doctor_json("--data-dir", str(tmp_path))
    item = files_of(report)[relative]
    assert item["status"] == "malformed"
    assert fragment in item["problem"]
    assert KNOWN_FILES[relative].url in item["fix"]
    owner = next(b for b in report["benchmarks"] if relative in {f["path"] for f in b["files"]})
    assert owner["status"] == "malformed"


def test_a_newer_version_is_a_note_not_an_error(data_root, tmp_path):
    for split in ("train", "test"):
        _copy(data_root, tmp_path, f"nb201/ta_gates_nb201_{split}.csv")
    _keep_lines(tmp_path / "nb201/ta_gates_nb201_test.csv")
    report = doctor_json("--data-dir", str(tmp_path))
    assert by_name(report)["nb201-tagates"]["status"] == "found"
    item = files_of(report)["nb201/ta_gates_nb201_test.csv"]
    assert item["status"] == "differs" and item["rows"] == 100 and item["expected_rows"] == 4_770
    assert "differs from the known release" in item["note"] and item["fix"] is None
    human = invoke(["data", "doctor", "--data-dir", str(tmp_path)])
    assert "note nb201-tagates: nb201/ta_gates_nb201_test.csv differs" in human.stdout


@pytest.mark.parametrize(
    ("placed_at", "action"),
    [
        ("nb201_hw_cifar10.csv", "move it to"),
        ("nb201/hw_cifar10.csv", "rename it to"),
        ("nb201/nb201_hw_cifar10.csv.gz", "decompress it to"),
    ],
    ids=["flat", "published-name", "compressed"],
)
def test_a_misplaced_copy_is_named_in_the_fix(tmp_path, placed_at, action):
    (tmp_path / placed_at).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / placed_at).write_text("net\n")
    item = files_of(doctor_json("--data-dir", str(tmp_path)))["nb201/nb201_hw_cifar10.csv"]
    assert item["status"] == "missing"
    assert item["fix"] == f"{tmp_path / placed_at} exists: {action} " + (
        str(tmp_path / "nb201/nb201_hw_cifar10.csv")
    )


def test_the_data_directory_s_subfolder_is_recognised(data_root):
    report = doctor_json("--data-dir", str(data_root / "nb201"))
    item = files_of(report)["nb201/nb201_hw_cifar10.csv"]
    assert item["status"] == "missing"
    assert item["fix"].endswith(f"exists: give {data_root} as the data directory")


def test_json_schema_types(tmp_path):
    report = doctor_json("--data-dir", str(tmp_path))
    assert set(report) == {"data_dir", "data_dir_from", "ok", "counts", "seconds", "benchmarks"}
    assert set(report["counts"]) == {"found", "missing", "malformed"}
    assert isinstance(report["seconds"], float)
    for bench in report["benchmarks"]:
        assert set(bench) == {
            "name", "space", "source", "status", "docs", "problem", "fix", "files"
        }  # fmt: skip
        assert bench["docs"].startswith("docs/DATA.md#")
        for item in bench["files"]:
            assert set(item) == {
                "path", "status", "rows", "expected_rows", "bytes", "sha256", "known_sha256",
                "problem", "fix", "note",
            }  # fmt: skip
            assert item["expected_rows"] is None or isinstance(item["expected_rows"], int)
            assert item["bytes"] is None or isinstance(item["bytes"], int)


def test_user_benchmarks_in_the_cache_are_checked(tmp_path):
    graphs = (tmp_path / "graphs.jsonl").resolve()
    graphs.write_text(
        '{"adjacency": [[0, 1], [0, 0]], "ops": ["input", "output"], "acc": 1.0}\n'
        '{"adjacency": [[0, 1, 1], [0, 0, 1], [0, 0, 0]], "ops": ["input", "a", "output"], '
        '"acc": 2.0}\n'
    )
    assert invoke(["data", "import-graphs", str(graphs), "--name", "mine"]).code == 0
    report = doctor_json("--data-dir", str(tmp_path))
    assert by_name(report)["mine"]["status"] == "found"
    assert by_name(report)["mine"]["source"] == "cache"
    values = next(Path(f["path"]) for f in by_name(report)["mine"]["files"])
    values.unlink()
    mine = by_name(doctor_json("--data-dir", str(tmp_path)))["mine"]
    assert mine["status"] == "missing"
    assert mine["files"][0]["fix"] == f"archembed data import-graphs {graphs} --name mine"
