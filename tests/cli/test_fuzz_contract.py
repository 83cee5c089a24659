"""The exit-code contract itself: usage errors, --version, --debug, unknown commands."""

from __future__ import annotations

from tests.cli.fuzzing import assert_input_error, cases, invoke


@cases(
    [
        ("unknown-command", ["frobnicate"], "no such command"),
        ("unknown-option", ["sample", "nb201", "--bogus"], "no such option"),
        ("missing-argument", ["sample"], "missing argument"),
        ("non-integer-n", ["sample", "nb201", "-n", "two"], "valid integer"),
        ("unknown-subcommand", ["data", "frobnicate"], "no such command"),
        ("unknown-pretrain", ["pretrain", "frobnicate"], "no such command"),
    ]
)
def test_usage_errors_are_one_line(args, fragment):
    assert_input_error(args, fragment)


def test_version_prints_the_package_version():
    from archembed import __version__

    result = invoke(["--version"])
    assert result.code == 0 and result.stdout.strip() == f"archembed {__version__}"


def test_no_arguments_prints_help_and_succeeds():
    result = invoke([])
    assert result.code == 0


def test_debug_shows_the_traceback_of_an_input_error(monkeypatch):
    monkeypatch.setenv("ARCHEMBED_DEBUG", "1")
    result = invoke(["sample", "frobnicate"])
    assert result.code == 2 and "Traceback" in result.stderr
