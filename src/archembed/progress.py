"""Progress for long work, on stderr so stdout stays machine-readable.

On a terminal, a rich progress bar. Anywhere else (a log file, a pipe, CI) a plain line
``description: done/total (pct) elapsed ETA`` every :data:`PLAIN_INTERVAL` seconds while a
task runs (even when a long step has not advanced it) and when it finishes, so a redirected
run is never silent. ``--quiet`` turns both off.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from archembed.threads import adapt

PLAIN_INTERVAL = 10.0
_quiet = False


def set_quiet(quiet: bool) -> None:
    """Silence (or restore) every progress display of this process."""
    global _quiet
    _quiet = quiet


def is_quiet() -> bool:
    """Whether progress displays are silenced (``--quiet``)."""
    return _quiet


def stderr_is_terminal() -> bool:
    """Whether stderr is an interactive terminal (rich bars) rather than a file or pipe."""
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def plain_line(text: str) -> None:
    """Print one progress line on stderr (nothing when quiet)."""
    if not _quiet:
        print(text, file=sys.stderr, flush=True)


def format_seconds(seconds: float) -> str:
    """``75.0`` -> ``1:15``; ``3725`` -> ``1:02:05``."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProgressBar(Progress):
    """Progress with count, elapsed and remaining time, and a free-text ``info`` column.

    Use as a context manager; ``add_task(description, total=n)``, then
    ``advance(task)`` or ``update(task, advance=1, info="loss 0.12")`` for per-step metrics.
    ``enabled=False`` (tests, ``--quiet``) draws nothing; off a terminal it prints plain lines.
    """

    def __init__(
        self, enabled: bool = True, transient: bool = False, interval: float = PLAIN_INTERVAL
    ) -> None:
        self.shown = enabled and not _quiet
        self.plain = self.shown and not stderr_is_terminal()
        self.interval = interval
        self._printed: dict[TaskID, tuple[float, float]] = {}
        self._stopped = threading.Event()
        self._beat: threading.Thread | None = None
        super().__init__(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[info]}"),
            console=Console(stderr=True),
            disable=not self.shown or self.plain,
            transient=transient,
        )

    def add_task(
        self,
        description: str,
        start: bool = True,
        total: float | None = 100.0,
        completed: int = 0,
        visible: bool = True,
        **fields: Any,
    ) -> TaskID:
        fields.setdefault("info", "")
        task = super().add_task(description, start, total, completed, visible, **fields)
        if self.plain:
            self._print(task)
        return task

    def update(self, task_id: TaskID, **kwargs: Any) -> None:
        super().update(task_id, **kwargs)
        self._maybe_print(task_id)
        adapt()

    def advance(self, task_id: TaskID, advance: float = 1) -> None:
        super().advance(task_id, advance)
        self._maybe_print(task_id)
        adapt()

    def start(self) -> None:
        super().start()
        if self.plain:
            self._stopped.clear()
            self._beat = threading.Thread(target=self._heartbeat, daemon=True)
            self._beat.start()

    def _heartbeat(self) -> None:
        """Reprint unfinished tasks not printed for ``interval`` s: a slow step still shows."""
        while not self._stopped.wait(min(1.0, self.interval)):
            with self._lock:
                for task in self.tasks:
                    last = self._printed.get(task.id)
                    stale = last is not None and time.monotonic() - last[0] >= self.interval
                    if stale and not task.finished:
                        self._print(task.id)

    def stop(self) -> None:
        self._stopped.set()
        if self._beat is not None:
            self._beat.join()
            self._beat = None
        if self.plain:
            for task in self.tasks:
                if task.id in self._printed and self._printed[task.id][1] != task.completed:
                    self._print(task.id)
            self._printed.clear()
        super().stop()

    def _maybe_print(self, task_id: TaskID) -> None:
        if not self.plain or task_id not in self._printed:
            return
        task = self._tasks[task_id]
        last_time, last_completed = self._printed[task_id]
        if task.completed == last_completed:
            return
        if task.finished or time.monotonic() - last_time >= self.interval:
            self._print(task_id)

    def _print(self, task_id: TaskID) -> None:
        task = self._tasks[task_id]
        elapsed = task.elapsed or 0.0
        parts = [f"{task.description}:"]
        if task.total:
            parts.append(f"{int(task.completed)}/{int(task.total)}")
            parts.append(f"({100 * task.completed / task.total:.0f}%)")
        else:
            parts.append(f"{int(task.completed)} done")
        parts.append(f"elapsed {format_seconds(elapsed)}")
        if task.total and 0 < task.completed < task.total:
            remaining = elapsed * (task.total - task.completed) / task.completed
            parts.append(f"ETA {format_seconds(remaining)}")
        info = str(task.fields.get("info") or "")
        if info:
            parts.append(info)
        self._printed[task_id] = (time.monotonic(), task.completed)
        plain_line(" ".join(parts))


@contextmanager
def status(message: str) -> Iterator[None]:
    """A spinner with ``message`` on a terminal; one plain line elsewhere; nothing when quiet."""
    if _quiet:
        yield
        return
    if not stderr_is_terminal():
        plain_line(f"{message} ...")
        yield
        return
    with Console(stderr=True).status(message):
        yield
