"""Search budgets: a number of queries and/or simulated training seconds."""

from __future__ import annotations

from dataclasses import dataclass

from archembed.errors import ConfigError


@dataclass(frozen=True)
class Budget:
    """Stop after ``queries`` evaluations or once simulated training time reaches ``seconds``.

    Either or both may be set; the search stops at whichever comes first. A time budget needs
    an objective that knows training times (e.g. NB101's ``train_time``).
    """

    queries: int | None = None
    seconds: float | None = None

    def __post_init__(self) -> None:
        if self.queries is None and self.seconds is None:
            raise ConfigError("a budget needs queries and/or seconds")
        if self.queries is not None and self.queries < 1:
            raise ConfigError(f"budget queries must be >= 1, got {self.queries}")
        if self.seconds is not None and self.seconds <= 0:
            raise ConfigError(f"budget seconds must be > 0, got {self.seconds}")

    def remaining(self, queries: int, seconds: float) -> int:
        """How many more queries may start (0 when the budget is spent)."""
        if self.seconds is not None and seconds >= self.seconds:
            return 0
        if self.queries is None:
            return 1 << 30
        return max(0, self.queries - queries)
