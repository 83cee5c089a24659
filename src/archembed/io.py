"""Atomic file writing and the data/cache directory conventions.

Every output is written to a temporary file beside its destination and renamed into place,
so a crash never leaves a half-written file. The temporary name carries the writer's pid
(``.<name>.pid<PID>.<random>.tmp``): a temporary file whose writer is no longer running was
left by a kill during a write, and :func:`remove_stale_temp_files` deletes it (the output
checks and the cache directory call it before work starts).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archembed.errors import CorruptFileError, DataNotFoundError

if TYPE_CHECKING:
    import pandas as pd

DATA_ENV = "ARCHEMBED_DATA"
CACHE_ENV = "ARCHEMBED_CACHE"
TEMP_NAME = re.compile(r"^\..+\.pid(?P<pid>[0-9]+)\.[^.]+\.tmp$")
_cleaned: set[Path] = set()
_default_data_dir: Path | None = None


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}.pid{os.getpid()}."
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def remove_stale_temp_files(
    directory: str | os.PathLike[str], recursive: bool = True
) -> list[Path]:
    """Delete the temporary files in ``directory`` whose writer is gone; return them.

    Only names :func:`atomic_path` makes are considered, and only when the pid in the name
    is not running, or runs but started after the file was last written (a reused pid).
    Unreadable places are skipped: a clean-up never fails a command.
    """
    removed = []
    for path, pid in _temp_files(Path(directory), recursive):
        if _writer_gone(path, pid):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def _temp_files(directory: Path, recursive: bool) -> Iterator[tuple[Path, int]]:
    """Files in ``directory`` (and below, if ``recursive``) named as temporaries, with pids."""
    if recursive:
        listing = ((Path(folder), files) for folder, _, files in os.walk(directory))
    else:
        try:
            listing = iter([(directory, [entry.name for entry in os.scandir(directory)])])
        except OSError:
            return
    for folder, names in listing:
        for name in names:
            match = TEMP_NAME.match(name)
            if match:
                yield folder / name, int(match["pid"])


def _writer_gone(path: Path, pid: int) -> bool:
    """Whether process ``pid``, the writer of the regular file ``path``, has ended."""
    try:
        info = path.lstat()
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):  # PermissionError: another user's running process
        return False
    started = _process_start(pid)
    return started is not None and started > info.st_mtime + 1.0


def _process_start(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), from /proc; None if unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError, StopIteration):
        return None


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write JSON atomically (indented, UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def read_json(path: str | os.PathLike[str]) -> Any:
    """Read JSON, turning a missing or corrupt file into a UserError."""
    target = Path(path)
    if not target.is_file():
        raise DataNotFoundError(f"file not found: {target}")
    try:
        return json.loads(target.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptFileError(f"cannot read JSON file {target}: {exc}") from None


def read_json_if_valid(path: str | os.PathLike[str]) -> Any:
    """JSON content of ``path``, or None when it is missing or not valid JSON."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def write_parquet(path: str | os.PathLike[str], frame: pd.DataFrame) -> None:
    """Write a DataFrame to Parquet atomically, marked as written by archembed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from archembed import __version__

    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = {**(table.schema.metadata or {}), b"archembed": __version__.encode()}
    with atomic_path(path) as tmp:
        pq.write_table(table.replace_schema_metadata(metadata), tmp)


def read_parquet(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read Parquet, turning a missing or corrupt file into a UserError."""
    import pandas as pd

    target = Path(path)
    if not target.is_file():
        raise DataNotFoundError(f"file not found: {target}")
    try:
        return pd.read_parquet(target)
    except Exception as exc:  # pyarrow raises several unrelated types for bad files
        raise CorruptFileError(f"cannot read Parquet file {target}: {exc}") from None


def set_data_dir(path: str | os.PathLike[str] | None) -> Path | None:
    """Set the data directory of library calls given none (None: $ARCHEMBED_DATA again).

    Returns the previous one. The command line sets it from ``--data-dir`` for one command,
    so the environment is never changed.
    """
    global _default_data_dir
    previous, _default_data_dir = _default_data_dir, None if path is None else Path(path)
    return previous


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The benchmark data directory: ``explicit``, else :func:`set_data_dir`'s, else
    $ARCHEMBED_DATA; it must exist."""
    if explicit is not None:
        value, source = explicit, "--data-dir"
    elif _default_data_dir is not None:
        value, source = _default_data_dir, "--data-dir"
    else:
        value, source = os.environ.get(DATA_ENV), f"${DATA_ENV}"
    if not value:
        raise DataNotFoundError(
            f"no data directory: pass --data-dir DIR or set the {DATA_ENV} environment variable"
        )
    path = Path(value).expanduser()
    if not path.is_dir():
        problem = "is not a directory" if path.exists() else "does not exist"
        raise DataNotFoundError(f"data directory {path} (from {source}) {problem}")
    return path


def cache_dir() -> Path:
    """Where derived files (imported tables, enumerations) live: $ARCHEMBED_CACHE or ~/.cache.

    The first call in a process removes temporary files that killed writers left there.
    """
    value = os.environ.get(CACHE_ENV)
    if value:
        path = Path(value).expanduser()
    else:
        path = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "archembed"
    if path not in _cleaned:
        _cleaned.add(path)
        remove_stale_temp_files(path)
    return path
