"""``archembed data doctor``: which benchmarks can be loaded, and the exact fix for the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from archembed.cli.common import DataDirOption, JsonOption, QuietOption, emit
from archembed.cli.core import data_app
from archembed.progress import status

if TYPE_CHECKING:
    from archembed.benchmarks.doctor import BenchmarkCheck, DataReport


@data_app.command("doctor")
def data_doctor(
    data_dir: DataDirOption = None, as_json: JsonOption = False, quiet: QuietOption = False
) -> None:
    """Check the benchmark data: found, missing or malformed, with the fix for each problem.

    Exits 0 whenever it could look (the report says what is missing), 2 for a bad --data-dir.
    """
    from archembed.benchmarks.doctor import check_data, resolve_data_dir

    root, origin = resolve_data_dir(data_dir)
    with status("checking benchmark data"):
        report = check_data(root, origin)
    if as_json:
        emit(report.to_dict(), True)
    else:
        _print_report(report)


def _print_report(report: DataReport) -> None:
    if report.data_dir is None:
        typer.echo("no data directory given (--data-dir or $ARCHEMBED_DATA)")
    else:
        typer.echo(f"data directory: {report.data_dir} (from {report.data_dir_from})")
    emit([_row(b) for b in report.benchmarks], False, title="benchmark data")
    for bench in report.benchmarks:
        for line in _advice(bench):
            typer.echo(line)
    summary = ", ".join(f"{n} {state}" for state, n in report.counts.items())
    typer.echo(f"{len(report.benchmarks)} benchmarks: {summary} ({report.seconds:.2f} s)")


def _row(bench: BenchmarkCheck) -> dict[str, str]:
    readable = [f for f in bench.files if f.status in ("ok", "differs")]
    rows = [f.rows for f in readable if f.rows is not None]
    return {
        "benchmark": bench.name,
        "status": bench.status,
        "files": f"{len(readable)}/{len(bench.files)}",
        "rows": f"{sum(rows):,}" if rows else "-",
        "source": bench.source,
    }


def _advice(bench: BenchmarkCheck) -> list[str]:
    """One ``fix`` line per problem, one ``note`` line per file that is not the known release."""
    lines = []
    if bench.problem is not None:
        lines.append(f"fix {bench.name}: {bench.problem}: {bench.fix}")
    for item in bench.files:
        if item.problem is not None:
            lines.append(f"fix {bench.name}: {item.problem}: {item.fix}")
        if item.note is not None:
            lines.append(f"note {bench.name}: {item.note}")
    return lines
