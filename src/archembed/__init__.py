"""archembed: embeddings of neural network architectures for prediction and search.

The flat API: ``import archembed as ae`` then ``ae.load_space``, ``ae.load_benchmark``,
``ae.search``, the encoders (``ae.OneHotEncoder``, ``ae.Arch2Vec``...), ``ae.load_encoder``,
``ae.predictors``, ``ae.ArchGraph``, ``ae.UserError``, ``ae.from_pretrained`` (shipped models),
``ae.fitted_encoder`` (any encoder spec, ready to embed a space).
Everything but the errors is imported on first use, so ``import archembed`` (and the command
line's start-up) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from archembed.errors import UserError

if TYPE_CHECKING:
    from archembed import predictors, search
    from archembed.api import SearchResult, fitted_encoder, load_benchmark, load_space
    from archembed.encoders.arch2vec import Arch2Vec
    from archembed.encoders.base import Decoder, Encoder, GraphDecoder, load_encoder
    from archembed.encoders.baseline import OneHotEncoder, PathEncoder
    from archembed.encoders.contrastive import ContrastiveEncoder
    from archembed.encoders.gates import GATES
    from archembed.encoders.nao import NAOEncoder
    from archembed.encoders.tagates import TAGATES
    from archembed.graph import ArchGraph
    from archembed.pretrained import from_pretrained
    from archembed.spaces.base import SearchSpace

__version__ = "0.1.0"
_LAZY = {
    "ArchGraph": "archembed.graph",
    "SearchSpace": "archembed.spaces.base",
    "load_space": "archembed.api",
    "load_benchmark": "archembed.api",
    "SearchResult": "archembed.api",
    "fitted_encoder": "archembed.api",
    "Encoder": "archembed.encoders.base",
    "Decoder": "archembed.encoders.base",
    "GraphDecoder": "archembed.encoders.base",
    "load_encoder": "archembed.encoders.base",
    "OneHotEncoder": "archembed.encoders.baseline",
    "PathEncoder": "archembed.encoders.baseline",
    "Arch2Vec": "archembed.encoders.arch2vec",
    "ContrastiveEncoder": "archembed.encoders.contrastive",
    "NAOEncoder": "archembed.encoders.nao",
    "GATES": "archembed.encoders.gates",
    "TAGATES": "archembed.encoders.tagates",
    "from_pretrained": "archembed.pretrained",
}
"""Attribute -> the module that defines it, imported on first access."""
_SUBMODULES = ("predictors", "search")
"""Subpackages of the API; ``search`` is callable (:func:`archembed.api.search`)."""
__all__ = [
    "GATES",
    "TAGATES",
    "Arch2Vec",
    "ArchGraph",
    "ContrastiveEncoder",
    "Decoder",
    "Encoder",
    "GraphDecoder",
    "NAOEncoder",
    "OneHotEncoder",
    "PathEncoder",
    "SearchResult",
    "SearchSpace",
    "UserError",
    "fitted_encoder",
    "from_pretrained",
    "load_benchmark",
    "load_encoder",
    "load_space",
    "predictors",
    "search",
]


def __getattr__(name: str) -> Any:
    """Import a lazy attribute's module on first use and cache the attribute here."""
    if name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public API (lazy attributes included), for ``dir(ae)`` and completion."""
    return sorted({*globals(), *__all__})
