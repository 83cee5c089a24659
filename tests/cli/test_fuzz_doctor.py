"""Bad inputs to ``archembed data doctor``: exit 2 with one ``error:`` line, no traceback.

Paths are written with ``{tmp}``, a directory holding a file, a symlink loop and a dangling
symlink; ``env`` cases set $ARCHEMBED_DATA instead of passing --data-dir.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.cli.fuzzing import assert_input_error, cases

DOCTOR = ["data", "doctor"]


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with a regular file, a symlink loop and a dangling symlink."""
    root = tmp_path_factory.mktemp("doctor-fuzz")
    (root / "file.csv").write_text("net\n")
    (root / "loop").symlink_to(root / "loop")
    (root / "dangling").symlink_to(root / "nowhere")
    return root


PATH_CASES = [
    ("missing-dir", "{tmp}/missing", "does not exist"),
    ("missing-nested", "{tmp}/missing/deeper/still", "does not exist"),
    ("regular-file", "{tmp}/file.csv", "is not a directory"),
    ("char-device", "/dev/null", "is not a directory"),
    ("below-a-file", "{tmp}/file.csv/nb201", "not a directory"),
    ("symlink-loop", "{tmp}/loop", "too many levels of symbolic links"),
    ("dangling-symlink", "{tmp}/dangling", "does not exist"),
    ("name-too-long", "{tmp}/" + "x" * 300, "file name too long"),
    ("proc-file", "/proc/self/status", "is not a directory"),
]


@pytest.mark.parametrize(("path", "fragment"), [pytest.param(p, f, id=i) for i, p, f in PATH_CASES])
def test_bad_data_dir_option(tmp, path, fragment):
    assert_input_error([*DOCTOR, "--data-dir", path.format(tmp=tmp)], fragment)


@pytest.mark.parametrize(
    ("path", "fragment"), [pytest.param(p, f, id=i) for i, p, f in PATH_CASES[:4]]
)
def test_bad_data_dir_environment(tmp, monkeypatch, path, fragment):
    monkeypatch.setenv("ARCHEMBED_DATA", path.format(tmp=tmp))
    result = assert_input_error(DOCTOR, fragment)
    assert "$ARCHEMBED_DATA" in result.stderr


@cases(
    [
        ("unknown-option", [*DOCTOR, "--bogus"], "no such option"),
        ("extra-argument", [*DOCTOR, "nb201"], "unexpected extra argument"),
        ("data-dir-without-value", [*DOCTOR, "--data-dir"], "requires an argument"),
        ("json-with-value", [*DOCTOR, "--json=yes"], "does not take a value"),
        ("quiet-with-value", [*DOCTOR, "--quiet=1"], "does not take a value"),
        ("nul-byte", [*DOCTOR, "--data-dir", "data\0dir"], "null byte"),
        ("threads-not-an-option", [*DOCTOR, "--threads", "2"], "no such option"),
    ]
)
def test_usage_errors(args, fragment):
    assert_input_error(args, fragment)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any directory")
def test_unreadable_data_dir(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0)
    assert_input_error([*DOCTOR, "--data-dir", str(locked)], "not readable")


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet="abcXYZ019 ._-~é", min_size=1, max_size=40))
def test_any_missing_directory_name_is_one_line(name):
    assert_input_error([*DOCTOR, "--data-dir", f"/nonexistent-archembed/{name}"], "does not exist")
