"""Search spaces, registered by name (see :func:`archembed.spaces.base.get_space`)."""

from archembed.spaces import darts, generic, nasbench_graph, nb101, nb201
from archembed.spaces.base import SPACES, SearchSpace, get_space, register_space

__all__ = [
    "SPACES",
    "SearchSpace",
    "darts",
    "generic",
    "get_space",
    "nasbench_graph",
    "nb101",
    "nb201",
    "register_space",
]
