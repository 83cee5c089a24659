"""Search spaces, registered by name (see :func:`archembed.spaces.base.get_space`)."""

from archembed.spaces import darts, darts_cell, generic, nasbench_graph, nats_sss, nb101, nb201
from archembed.spaces.base import SPACES, SearchSpace, get_space, register_space

__all__ = [
    "SPACES",
    "SearchSpace",
    "darts",
    "darts_cell",
    "generic",
    "get_space",
    "nasbench_graph",
    "nats_sss",
    "nb101",
    "nb201",
    "register_space",
]
