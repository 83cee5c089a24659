"""Harness for the table-driven CLI fuzz suites (tests/cli/test_fuzz_*.py).

Each case is a list of arguments and a fragment the one-line message must contain. The CLI
runs in this process (fast: no interpreter start-up per case) through ``archembed.cli.main``;
the harness asserts the exit-code contract: status 2, exactly one stderr line starting with
``error: ``, no traceback, nothing on stdout.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def invoke(args: list[str]) -> Outcome:
    """Run ``archembed ARGS`` in this process; return its exit status and output."""
    from archembed.cli import main
    from archembed.progress import set_quiet

    out, err = io.StringIO(), io.StringIO()
    code: object = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
        finally:
            set_quiet(False)
    return Outcome(code if isinstance(code, int) else 1, out.getvalue(), err.getvalue())


def assert_input_error(args: list[str], fragment: str, code: int = 2) -> Outcome:
    """The command rejects its input: exit ``code``, one ``error:`` line naming ``fragment``."""
    result = invoke(args)
    lines = result.stderr.strip().splitlines()
    shown = f"args={args}\nstdout={result.stdout!r}\nstderr={result.stderr!r}"
    assert "Traceback" not in result.stderr, shown
    assert result.code == code, shown
    assert len(lines) == 1 and lines[0].startswith("error: "), shown
    assert fragment.lower() in lines[0].lower(), f"{fragment!r} not in message\n{shown}"
    return result


def assert_rejected_cleanly(args: list[str], fragment: str, bad: Path, tmp_path: Path) -> None:
    """``{bad}``/``{tmp}`` in ``args`` filled in; rejected as an input error; ``tmp`` left empty."""
    paths = {"bad": str(bad), "tmp": str(tmp_path)}
    assert_input_error([a.format(**paths) for a in args], fragment)
    assert not any(tmp_path.iterdir()), "a rejected command left output behind"


def cases(table: list[tuple[str, list[str], str]]) -> pytest.MarkDecorator:
    """``@cases([(id, args, fragment), ...])`` parametrises a test over ``args, fragment``."""
    return pytest.mark.parametrize(
        ("args", "fragment"), [pytest.param(a, f, id=i) for i, a, f in table]
    )


__all__ = ["Outcome", "assert_input_error", "assert_rejected_cleanly", "cases", "invoke"]
