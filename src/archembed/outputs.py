"""Output paths a command may write: checked before any work starts, never someone else's.

A command writes a directory (run, model, report) or a file (Parquet, JSON). archembed
marks every directory it creates with :data:`MARKER`; it writes into an existing directory
only when that directory is empty or carries its mark (resume, overwrite of its own work),
and replaces an existing file only when archembed wrote it. Anything else is a UserError
raised before the first second of work is spent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archembed.errors import ConfigError
from archembed.io import read_json_if_valid, remove_stale_temp_files, write_json

MARKER = ".archembed.json"


def _writable_parent(path: Path, option: str) -> None:
    """The nearest existing ancestor of ``path`` must be a writable directory."""
    ancestor = path.parent
    while not ancestor.exists():
        if ancestor.parent == ancestor:
            break
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ConfigError(f"{option} {path}: {ancestor} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ConfigError(f"{option} {path}: cannot write in {ancestor} (permission denied)")
    if str(ancestor.resolve()).startswith(("/proc", "/sys", "/dev")):
        raise ConfigError(f"{option} {path}: {ancestor} is a system directory, not for outputs")


def output_dir(path: str | os.PathLike[str], kind: str, option: str = "--out") -> Path:
    """Check that ``path`` may become (or already is) archembed's ``kind`` directory.

    Accepted: a path that does not exist yet (its parent writable), an empty directory, or a
    directory archembed marked as ``kind`` earlier. The mark is written here, so later runs
    recognise the directory; nothing else is created.
    """
    target = Path(path).expanduser()
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise ConfigError(f"{option} {target} exists and is not a directory; choose another")
        if not os.access(target, os.W_OK | os.X_OK):
            raise ConfigError(f"{option} {target}: cannot write there (permission denied)")
        mark = read_json_if_valid(target / MARKER)
        if mark is not None:
            if mark.get("kind") != kind:
                raise ConfigError(
                    f"{option} {target} holds an archembed {mark.get('kind')} directory, not a "
                    f"{kind} directory; choose another"
                )
            remove_stale_temp_files(target)
            return target
        if any(target.iterdir()):
            raise ConfigError(
                f"{option} {target} is a non-empty directory that archembed did not create; "
                "choose a new or empty directory"
            )
    else:
        _writable_parent(target, option)
    target.mkdir(parents=True, exist_ok=True)
    write_json(target / MARKER, {"kind": kind})
    return target


def adopt_dir(path: str | os.PathLike[str], kind: str, names: tuple[str, ...]) -> None:
    """Mark an unmarked directory as archembed's ``kind`` when it holds nothing but ``names``
    (what that command writes): outputs of versions before the mark resume as before."""
    target = Path(path).expanduser()
    if not target.is_dir() or (target / MARKER).exists():
        return
    entries = [p.name for p in target.iterdir()]
    if entries and set(entries) <= set(names):
        write_json(target / MARKER, {"kind": kind})


def is_archembed_dir(path: str | os.PathLike[str], kind: str | None = None) -> bool:
    """Whether ``path`` is a directory archembed marked (as ``kind``, when given)."""
    mark = read_json_if_valid(Path(path) / MARKER)
    return mark is not None and (kind is None or mark.get("kind") == kind)


def output_file(
    path: str | os.PathLike[str], suffixes: tuple[str, ...], option: str = "--out"
) -> Path:
    """Check that ``path`` may be written as a file ending in one of ``suffixes``.

    An existing file is replaced only when archembed wrote it (see :func:`written_by_archembed`).
    """
    target = Path(path).expanduser()
    if suffixes and not target.name.endswith(suffixes):
        raise ConfigError(f"{option} {target}: the file name must end in {' or '.join(suffixes)}")
    if target.is_dir():
        raise ConfigError(f"{option} {target} is a directory; give a file name")
    if target.exists():
        if not target.is_file():
            raise ConfigError(f"{option} {target} exists and is not a regular file")
        if not written_by_archembed(target):
            raise ConfigError(
                f"{option} {target} exists and was not written by archembed; choose another "
                "name or remove it"
            )
        if not os.access(target, os.W_OK):
            raise ConfigError(f"{option} {target}: cannot write there (permission denied)")
    else:
        _writable_parent(target, option)
    remove_stale_temp_files(target.parent, recursive=False)
    return target


def written_by_archembed(path: Path) -> bool:
    """Whether a file carries archembed's mark (Parquet metadata, a JSON
    ``archembed`` key, an HTML page's archembed generator tag)."""
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            metadata = pq.read_schema(path).metadata or {}
            return b"archembed" in metadata
        if path.suffix == ".json":
            data = read_json_if_valid(path)
            return isinstance(data, dict) and "archembed" in data
        if path.suffix == ".html":
            with path.open(encoding="utf-8", errors="replace") as page:
                return '<meta name="generator" content="archembed' in page.read(4096)
    except Exception:  # an unreadable file is not ours
        return False
    return False


@contextmanager
def claimed_dir(path: str | os.PathLike[str], kind: str, option: str = "--out") -> Iterator[Path]:
    """:func:`output_dir` for a block of work: a directory this call created is removed again
    when the block fails before writing anything into it (a bad input leaves nothing)."""
    existed = Path(path).expanduser().exists()
    target = output_dir(path, kind, option)
    try:
        yield target
    except BaseException:
        if not existed and [p.name for p in target.iterdir()] == [MARKER]:
            (target / MARKER).unlink()
            target.rmdir()
        raise
