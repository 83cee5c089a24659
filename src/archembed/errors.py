"""User-facing errors: one-line messages that say what is wrong and how to fix it.

The CLI catches :class:`UserError`, prints its message and exits with status 2.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake in the user's input, configuration or data directory."""


class InvalidArchitectureError(UserError):
    """An architecture is malformed: wrong shape, cycle, unknown op, bad native string."""


class UnknownNameError(UserError):
    """A name (space, benchmark, dataset, metric, epoch, strategy...) is not registered."""

    def __init__(self, kind: str, name: object, known: list[str] | tuple[str, ...]) -> None:
        listed = ", ".join(str(k) for k in known) if known else "(none)"
        super().__init__(f"unknown {kind} {name!r}; choose one of: {listed}")
        self.kind = kind
        self.name = name
        self.known = list(known)


class DataNotFoundError(UserError):
    """The data directory or a file in it is missing or unreadable."""


class CorruptFileError(UserError):
    """A file exists but cannot be parsed (truncated, wrong format, wrong schema)."""


class ConfigError(UserError):
    """A configuration value is invalid."""


class AmbiguousRequestError(UserError):
    """A request leaves open a choice that must be made explicitly (e.g. which epoch)."""


class TrainingDivergedError(Exception):
    """Training hit a non-finite loss: a runtime failure (exit 1), not a bad input.

    The model is left unfinished (no final model written); the message names the epoch and
    the loss term, and suggests a lower learning rate or loss weights.
    """
