"""archembed: embeddings of neural network architectures for prediction and search."""

from archembed.errors import UserError
from archembed.graph import ArchGraph

__all__ = ["ArchGraph", "UserError"]
__version__ = "0.1.0"
