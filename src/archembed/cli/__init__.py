"""The ``archembed`` command line: a thin Typer layer over the library.

Each command group lives in its own module and is attached to :data:`app` here. The modules
import only light libraries at top level (heavy ones inside their commands), so ``archembed
--help`` starts fast. User mistakes (:class:`~archembed.errors.UserError`) print one line and
exit with status 2.
"""

from __future__ import annotations

from archembed.cli import (
    contrastive,
    core,
    doctor,
    explore,
    leaderboard,
    locality,
    models,
    nets,
    predict,
    search,
    shipped_models,
    user_data,
)
from archembed.cli.common import app, main

__all__ = [
    "app",
    "contrastive",
    "core",
    "doctor",
    "explore",
    "leaderboard",
    "locality",
    "main",
    "models",
    "nets",
    "predict",
    "search",
    "shipped_models",
    "user_data",
]
