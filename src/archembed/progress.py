"""Rich progress bars for long work, written to stderr so stdout stays machine-readable."""

from __future__ import annotations

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


class ProgressBar(Progress):
    """Progress with count, elapsed and remaining time, and a free-text ``info`` column.

    Use as a context manager; ``add_task(description, total=n)``, then
    ``advance(task)`` or ``update(task, advance=1, info="loss 0.12")`` for per-step metrics.
    ``enabled=False`` (tests, ``--quiet``) draws nothing.
    """

    def __init__(self, enabled: bool = True, transient: bool = False) -> None:
        super().__init__(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[info]}"),
            console=Console(stderr=True),
            disable=not enabled,
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
        return super().add_task(description, start, total, completed, visible, **fields)
