"""Atomic file writing and the data/cache directory conventions.

Every output is written to a temporary file beside its destination and renamed into place,
so a crash never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archembed.errors import CorruptFileError, DataNotFoundError

if TYPE_CHECKING:
    import pandas as pd

DATA_ENV = "ARCHEMBED_DATA"
CACHE_ENV = "ARCHEMBED_CACHE"


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The benchmark data directory: ``explicit``, else $ARCHEMBED_DATA; it must exist."""
    value = explicit if explicit is not None else os.environ.get(DATA_ENV)
    if not value:
        raise DataNotFoundError(
            f"no data directory: pass --data-dir DIR or set the {DATA_ENV} environment variable"
        )
    path = Path(value).expanduser()
    if not path.is_dir():
        source = "--data-dir" if explicit is not None else f"${DATA_ENV}"
        raise DataNotFoundError(f"data directory {path} (from {source}) does not exist")
    return path


def cache_dir() -> Path:
    """Where derived files (imported tables, enumerations) live: $ARCHEMBED_CACHE or ~/.cache."""
    value = os.environ.get(CACHE_ENV)
    if value:
        return Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "archembed"
