"""archembed: embeddings of neural network architectures for prediction and search."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archembed.errors import UserError

if TYPE_CHECKING:
    from archembed.graph import ArchGraph

__all__ = ["ArchGraph", "UserError"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``archembed.ArchGraph`` is imported on first use (NumPy stays out of ``--help``)."""
    if name == "ArchGraph":
        from archembed.graph import ArchGraph

        return ArchGraph
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
