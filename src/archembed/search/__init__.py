"""Search strategies (ask/tell), objectives, budgets and the search loop.

Build any strategy with :func:`make_strategy`; the built-in ones register on import.
"""

from archembed.search import bo, dngo, evolution, local, random_search, reinforce
from archembed.search.base import STRATEGIES, Strategy, make_strategy, register_strategy

__all__ = [
    "STRATEGIES",
    "Strategy",
    "bo",
    "dngo",
    "evolution",
    "local",
    "make_strategy",
    "random_search",
    "register_strategy",
    "reinforce",
]
