"""Check the benchmark data: which benchmarks can be loaded, and the exact fix for the others.

:func:`check_data` looks at every registered benchmark without importing it. For each source
file of the data directory it checks that the file is there, parses its header or its JSON
structure, counts its rows and compares its sha256 with the published release
(:data:`~archembed.benchmarks.known_files.KNOWN_FILES`). A row count that cannot be right (a
truncated NB201 table) makes the file malformed; another row count or checksum is only a note,
as a newer release may differ. Counting lines and parsing the small JSON files checks the whole
data directory in well under a second. ``archembed data doctor`` prints the report;
docs/DATA.md ("Check your data") documents it."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import stat
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from archembed.benchmarks.known_files import KNOWN_FILES, KnownFile
from archembed.errors import ConfigError, DataNotFoundError, UserError
from archembed.io import DATA_ENV

DOCS = "docs/DATA.md"
MAX_BYTES = 256 * 2**20
"""A source file larger than this cannot be one of the published tables."""
COMPRESSED = (".gz", ".zip", ".bz2", ".xz", ".tar")


@dataclass
class FileCheck:
    """What was found at one expected path."""

    path: str
    status: str = "ok"
    """``ok``, ``differs`` (readable, not the known release), ``missing`` or ``malformed``."""
    rows: int | None = None
    expected_rows: int | None = None
    bytes: int | None = None
    sha256: str | None = None
    known_sha256: str | None = None
    problem: str | None = None
    fix: str | None = None
    note: str | None = None


@dataclass
class BenchmarkCheck:
    """One benchmark: where its data lives, its files, and a problem not tied to one file."""

    name: str
    space: str
    source: str
    """``data directory``, ``package`` (ships with a Python package) or ``cache`` (user)."""
    docs: str
    files: list[FileCheck] = field(default_factory=list)
    problem: str | None = None
    fix: str | None = None

    @property
    def status(self) -> str:
        """``found``, ``missing`` (something is absent) or ``malformed`` (something is broken)."""
        states = {f.status for f in self.files}
        if "malformed" in states:
            return "malformed"
        if self.problem is not None or "missing" in states:
            return "missing"
        return "found"

    def to_dict(self) -> dict[str, object]:
        """JSON form (schema in docs/DATA.md, "Check your data")."""
        return {
            "name": self.name,
            "space": self.space,
            "source": self.source,
            "status": self.status,
            "docs": self.docs,
            "problem": self.problem,
            "fix": self.fix,
            "files": [asdict(f) for f in self.files],
        }


@dataclass
class DataReport:
    """The whole check: the data directory and every benchmark."""

    data_dir: Path | None
    data_dir_from: str | None
    benchmarks: list[BenchmarkCheck]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Every benchmark can be loaded."""
        return all(b.status == "found" for b in self.benchmarks)

    @property
    def counts(self) -> dict[str, int]:
        """Number of benchmarks per status."""
        counts = dict.fromkeys(("found", "missing", "malformed"), 0)
        for bench in self.benchmarks:
            counts[bench.status] += 1
        return counts

    def to_dict(self) -> dict[str, object]:
        """JSON form (schema in docs/DATA.md, "Check your data")."""
        return {
            "data_dir": None if self.data_dir is None else str(self.data_dir),
            "data_dir_from": self.data_dir_from,
            "ok": self.ok,
            "counts": self.counts,
            "seconds": round(self.seconds, 3),
            "benchmarks": [b.to_dict() for b in self.benchmarks],
        }


class _Malformed(Exception):
    """A file's content is not what its importer reads; the message says how."""


def resolve_data_dir(explicit: Path | None) -> tuple[Path | None, str | None]:
    """The directory to check and where it came from; (None, None) when none is given.

    A directory that does not exist, is a file or cannot be read is an input error.
    """
    if explicit is not None:
        value, origin = str(explicit), "--data-dir"
    else:
        value, origin = os.environ.get(DATA_ENV, ""), f"${DATA_ENV}"
        if not value:
            return None, None
    path = Path(value).expanduser()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise DataNotFoundError(
            f"data directory {path} (from {origin}) does not exist; give the directory that "
            f"holds nb201/, nb101/, nb301/ (see {DOCS})"
        ) from None
    except OSError as exc:
        raise DataNotFoundError(
            f"data directory {path} (from {origin}) cannot be used: {exc.strerror}"
        ) from None
    if not stat.S_ISDIR(mode):
        raise ConfigError(
            f"{origin} {path} is not a directory; give the directory that holds nb201/, "
            "nb101/, nb301/"
        )
    if not os.access(path, os.R_OK | os.X_OK):
        raise DataNotFoundError(f"data directory {path} (from {origin}) is not readable")
    return path, origin


def check_data(root: Path | None, data_dir_from: str | None = None) -> DataReport:
    """Check every registered benchmark: the built-in importers, then the user benchmarks."""
    from archembed.benchmarks.catalog import IMPORTERS

    start = time.perf_counter()
    checks = []
    for name in IMPORTERS.names():
        importer = IMPORTERS.get(name)
        if importer.needs_data_dir:
            checks.append(_check_data_benchmark(name, importer.space, importer.sources, root))
        else:
            checks.append(_check_package_benchmark(name, importer.space))
    checks += _check_user_benchmarks()
    return DataReport(root, data_dir_from, checks, time.perf_counter() - start)


def _docs(name: str, sources: tuple[str, ...]) -> str:
    sections = [KNOWN_FILES[s].section for s in sources if s in KNOWN_FILES]
    return f"{DOCS}#{sections[0] if sections else name}"


def _check_data_benchmark(
    name: str, space: str, sources: tuple[str, ...], root: Path | None
) -> BenchmarkCheck:
    check = BenchmarkCheck(name, space, "data directory", _docs(name, sources))
    if root is None:
        check.files = [FileCheck(s, "missing") for s in sources]
        check.problem = "no data directory given"
        check.fix = f"pass --data-dir DIR or set {DATA_ENV}=DIR; {check.docs} says what DIR holds"
    else:
        check.files = [check_file(root, s) for s in sources]
    return check


def check_file(root: Path, relative: str) -> FileCheck:
    """Check one source file of the data directory against what its importer reads."""
    known = KNOWN_FILES.get(relative)
    check = FileCheck(relative)
    if known is not None:
        check.expected_rows, check.known_sha256 = known.rows, known.sha256
    try:
        data = _read(root / relative)
    except FileNotFoundError:
        check.status, check.problem = "missing", f"{relative} is missing"
        check.fix = _misplaced(root, relative, known)
    except _Malformed as exc:
        check.status, check.problem = "malformed", f"{relative} {exc}"
    else:
        _inspect(check, data, known)
    if check.status in ("missing", "malformed") and check.fix is None:
        check.fix = _fix(root, relative, known)
    return check


def _read(path: Path) -> bytes:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise _Malformed("is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise _Malformed("is not a regular file")
        if info.st_size > MAX_BYTES:
            raise _Malformed(f"is {info.st_size / 2**20:,.0f} MB: far too large for this table")
        return path.read_bytes()
    except (FileNotFoundError, _Malformed):
        raise
    except OSError as exc:
        raise _Malformed(f"cannot be read: {exc.strerror}") from None


def _inspect(check: FileCheck, data: bytes, known: KnownFile | None) -> None:
    check.bytes, check.sha256 = len(data), hashlib.sha256(data).hexdigest()
    try:
        if not data.strip():
            raise _Malformed("is empty")
        if known is not None:
            check.rows = _count_rows(data, known)
    except _Malformed as exc:
        check.status, check.problem = "malformed", f"{check.path} {exc}"
        return
    if known is not None:
        _compare(check, known)


def _compare(check: FileCheck, known: KnownFile) -> None:
    """Rows and checksum against the release: a damaged file is malformed, a newer one a note."""
    notes = []
    if check.rows != known.rows:
        if known.complete:
            check.status = "malformed"
            check.problem = (
                f"{check.path} has {check.rows:,} rows, expected {known.rows:,} (one per "
                "architecture of the space): truncated or a different file?"
            )
            return
        notes.append(f"{check.rows:,} rows where the known release has {known.rows:,}")
    if check.sha256 != known.sha256:
        check.status = "differs"
        check.note = (
            f"{check.path} differs from the known release (sha256"
            + "".join(f"; {n}" for n in notes)
            + "): fine for a newer version or a file you built"
        )


def _count_rows(data: bytes, known: KnownFile) -> int:
    if known.layout == "csv":
        return _csv_rows(data, known.columns)
    parsed = _json(data)
    if known.layout == "columns":
        return _column_rows(parsed, known.columns)
    return _naslib_rows(parsed, known.naslib_key)


def _csv_rows(data: bytes, columns: tuple[str, ...]) -> int:
    """Data rows of a CSV file whose header has ``columns`` and whose last row is complete."""
    if b"\0" in data:
        raise _Malformed("holds binary data (NUL bytes), not CSV text")
    lines = [line for line in data.splitlines() if line.strip()]
    try:
        header = next(csv.reader([lines[0].decode("utf-8-sig")]))
        last = next(csv.reader([lines[-1].decode("utf-8")]))
    except UnicodeDecodeError:
        raise _Malformed("is not UTF-8 text: binary or garbled") from None
    missing = [c for c in columns if c not in header]
    if missing:
        raise _Malformed(f"lacks columns {missing}: a different file, or garbled?")
    if len(lines) > 1 and len(last) != len(header):
        raise _Malformed(
            f"ends with a row of {len(last)} fields where the header has {len(header)}: "
            "the file is cut off"
        )
    return len(lines) - 1


def _json(data: bytes) -> object:
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise _Malformed("is not UTF-8 text: binary or garbled") from None
    except json.JSONDecodeError as exc:
        raise _Malformed(
            f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}): "
            "truncated or garbled?"
        ) from None


def _column_rows(parsed: object, columns: tuple[str, ...]) -> int:
    """Length of the parallel lists of a JSON object of columns."""
    if not isinstance(parsed, dict):
        raise _Malformed("is not a JSON object of columns")
    missing = [c for c in columns if c not in parsed]
    if missing:
        raise _Malformed(f"lacks columns {missing}: a different file?")
    if not all(isinstance(parsed[c], list) for c in columns):
        raise _Malformed("has a column that is not a list")
    lengths = sorted({len(parsed[c]) for c in columns})
    if len(lengths) > 1:
        raise _Malformed(f"has columns of different lengths {lengths}")
    return lengths[0]


def _naslib_rows(parsed: object, space_key: str) -> int:
    """Number of (dataset, architecture) entries of a NASLib zero-cost file."""
    if not isinstance(parsed, dict) or not isinstance(parsed.get(space_key), dict):
        raise _Malformed(
            f"has no {space_key!r} section: a different file, or NASLib's newer layout "
            "({dataset: ...}) that needs converting"
        )
    datasets = list(parsed[space_key].values())
    if not all(
        isinstance(d, dict) and all(isinstance(v, dict) for v in d.values()) for d in datasets
    ):
        raise _Malformed(f"is not {{{space_key!r}: {{dataset: {{arch: {{field: value}}}}}}}}")
    return sum(len(d) for d in datasets)


def _misplaced(root: Path, relative: str, known: KnownFile | None) -> str | None:
    """What to do with a misplaced, compressed or unrenamed copy of a missing file, if any."""
    target = Path(relative)
    candidates = []
    if root.name == target.parts[0]:
        candidates.append((root.parent / relative, f"give {root.parent} as the data directory"))
    candidates.append((root / target.name, f"move it to {root / relative}"))
    candidates += [
        (root / (relative + s), f"decompress it to {root / relative}") for s in COMPRESSED
    ]
    if known is not None and known.published_as:
        for folder in (root / target.parent, root):
            candidates.append((folder / known.published_as, f"rename it to {root / relative}"))
    for candidate, action in candidates:
        if candidate.is_file():
            return f"{candidate} exists: {action}"
    return None


def _fix(root: Path, relative: str, known: KnownFile | None) -> str:
    """The command (or the steps) that puts the right file at ``root / relative``."""
    if known is None:
        return f"put {relative} in {root} (see {DOCS})"
    docs = f"{DOCS}#{known.section}"
    if known.convert:
        return f"download {known.url} and convert it to {root / relative} as {docs} shows"
    return f"curl -fL --create-dirs -o {root / relative} {known.url}  (see {docs})"


def _check_package_benchmark(name: str, space: str) -> BenchmarkCheck:
    """A benchmark whose tables ship in a Python package (nasbench_graph)."""
    import importlib.util

    from archembed.benchmarks.importers.nasbench_graph import DATASETS

    check = BenchmarkCheck(name, space, "package", f"{DOCS}#{name}")
    spec = importlib.util.find_spec("nas_bench_graph")
    if spec is None or not spec.submodule_search_locations:
        check.problem = "the nas_bench_graph package is not installed"
        check.fix = "pip install nas-bench-graph"
        return check
    light = Path(next(iter(spec.submodule_search_locations))) / "light"
    fix = "pip install --force-reinstall nas-bench-graph"
    check.files = [_present(light / f"{d}.bench", fix) for d in DATASETS]
    return check


def _present(path: Path, fix: str) -> FileCheck:
    """A file that only has to exist (package data, user tables in the cache)."""
    if path.is_file():
        return FileCheck(str(path), bytes=path.stat().st_size)
    return FileCheck(str(path), "missing", problem=f"{path} is missing", fix=fix)


def _check_user_benchmarks() -> list[BenchmarkCheck]:
    """Benchmarks imported with ``archembed data import-graphs``: their tables in the cache."""
    from archembed.user_registry import read_registry, user_dir

    docs = f"{DOCS}#your-own-benchmark"
    try:
        registry = read_registry()
    except UserError as exc:
        check = BenchmarkCheck("user benchmarks", "generic", "cache", docs)
        check.problem = str(exc)
        check.fix = (
            f"delete {user_dir()} and import your benchmarks again (archembed data import-graphs)"
        )
        return [check]
    checks = []
    for name, entry in registry.items():
        check = BenchmarkCheck(name, name, "cache", docs)
        fix = f"archembed data import-graphs {entry.get('source', 'FILE.jsonl')} --name {name}"
        folder = user_dir() / str(entry.get("directory", ""))
        check.files = [
            _present(folder / f"{name}{suffix}", fix)
            for suffix in (".values.parquet", ".archs.parquet", ".json")
        ]
        checks.append(check)
    return checks
