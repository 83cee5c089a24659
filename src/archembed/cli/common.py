"""Shared CLI pieces: the Typer app, the exit-code contract, common options, output.

Exit codes: 0 success; 2 a usage or input error; 1 a runtime failure; 130 interrupted.
Every failure is one line on stderr, ``error: ...``; ``--debug`` (or ARCHEMBED_DEBUG=1)
adds the traceback. Command modules import heavy libraries inside their functions, so
``archembed --help`` and light commands start fast.
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from archembed import __version__
from archembed.errors import TrainingDivergedError, UserError
from archembed.io import set_data_dir
from archembed.progress import set_quiet
from archembed.threads import set_threads

DATA_ENV = "ARCHEMBED_DATA"
DEBUG_ENV = "ARCHEMBED_DEBUG"
EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PIPED_WIDTH = 240
"""Table width when stdout is a file or pipe (rich would wrap at 80 columns)."""

app = typer.Typer(
    name="archembed",
    help="Embeddings of neural network architectures: prediction and search.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
pretrain_app = typer.Typer(
    help="Pretrain an architecture encoder (arch2vec, contrastive, locality).",
    no_args_is_help=True,
)
app.add_typer(pretrain_app, name="pretrain")
features_app = typer.Typer(
    help="Compute per-architecture features from real networks (Jacobians, zero-cost proxies).",
    no_args_is_help=True,
)
app.add_typer(features_app, name="features")
console = Console(width=None if sys.stdout.isatty() else PIPED_WIDTH)
err_console = Console(stderr=True)
_debug = False


def _quiet_callback(value: bool) -> bool:
    set_quiet(value)
    return value


def _threads_callback(value: int | None) -> int | None:
    set_threads(value)
    return value


DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help=f"Benchmark data directory (default: ${DATA_ENV}).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Machine-readable JSON on stdout (numbers as numbers).")
]
QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", callback=_quiet_callback, help="No progress; still print the result."
    ),
]
ThreadsOption = Annotated[
    int | None,
    typer.Option(
        "--threads",
        callback=_threads_callback,
        help="CPU threads in all (default: $ARCHEMBED_THREADS, else the cores other processes "
        "leave idle, rechecked while it runs); split between workers.",
        show_default=False,
    ),
]


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"archembed {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of a failure.")
    ] = False,
) -> None:
    """Embeddings of neural network architectures: prediction and search."""
    global _debug
    _debug = _debug or debug


def apply_data_dir(data_dir: Path | None) -> None:
    """Make ``--data-dir`` this command's data directory (checked now; None: $ARCHEMBED_DATA).

    It is the default of :mod:`archembed.io` until :func:`main` returns; the environment is
    left alone.
    """
    from archembed.io import data_dir as resolve

    if data_dir is not None:
        set_data_dir(resolve(data_dir))


def set_torch_threads(threads: int | None) -> None:
    """Apply a ``--threads`` option to torch (None: the default policy)."""
    set_threads(threads)
    from archembed.threads import apply_torch_threads

    apply_torch_threads()


def jsonable(value: Any) -> Any:
    """Plain JSON values: NumPy scalars and arrays unwrapped, non-finite floats as null."""
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def emit(data: Any, as_json: bool, title: str | None = None) -> None:
    """Print a list of dicts as a rich table, or anything as JSON."""
    if as_json:
        typer.echo(json.dumps(jsonable(data), indent=2))
        return
    if isinstance(data, list) and data and isinstance(data[0], dict):
        table = Table(title=title)
        for column in data[0]:
            table.add_column(str(column), overflow="fold")
        for row in data:
            table.add_row(*(Text(_cell(v)) for v in row.values()))  # values are not markup
        console.print(table)
    else:
        console.print(data)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def one_line(text: str) -> str:
    """Collapse a message onto one line (library messages sometimes span several)."""
    return " ".join(str(text).split()) or "(no message)"


def fail(message: str, code: int) -> None:
    """Print ``error: message`` as one line on stderr and exit with ``code``."""
    sys.stderr.write(f"error: {one_line(message)}\n")
    sys.stderr.flush()
    sys.exit(code)


def _describe_os_error(exc: OSError) -> str:
    where = f": {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app under the exit-code contract (see the module docstring)."""
    global _debug
    args = list(sys.argv[1:] if argv is None else argv)
    _debug = os.environ.get(DEBUG_ENV, "") not in ("", "0") or "--debug" in args[:1]
    if not _debug:
        warnings.filterwarnings("ignore")
    saved = set_data_dir(None)
    try:
        code = app(args=args, prog_name="archembed", standalone_mode=False)
    except UserError as exc:
        _report(exc, EXIT_USAGE)
    except typer.TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError" and getattr(exc, "ctx", None) is not None:
            text = exc.ctx.get_help()  # typer prints its rich help itself and returns ""
            if text:
                typer.echo(text)
            sys.exit(EXIT_OK)
        _report(exc, EXIT_USAGE, exc.format_message())
    except (KeyboardInterrupt, typer.Abort) as exc:
        _report(exc, EXIT_INTERRUPTED, "interrupted")
    except MemoryError as exc:
        _report(exc, EXIT_FAILURE, "out of memory; use smaller sizes, counts or batches")
    except OSError as exc:
        _report(exc, EXIT_FAILURE, _describe_os_error(exc))
    except TrainingDivergedError as exc:
        _report(exc, EXIT_FAILURE)
    except Exception as exc:
        _report(
            exc,
            EXIT_FAILURE,
            f"{type(exc).__name__}: {exc} (a bug in archembed; rerun with --debug for the "
            "traceback and report it)",
        )
    else:
        sys.exit(code if isinstance(code, int) else EXIT_OK)
    finally:
        set_data_dir(saved)


def _report(exc: BaseException, code: int, message: str | None = None) -> None:
    if _debug:
        import traceback

        traceback.print_exception(exc)
    fail(message if message is not None else str(exc), code)
