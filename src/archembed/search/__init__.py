"""Search strategies (ask/tell), objectives, budgets and the search loop.

Build any strategy with :func:`make_strategy`; the built-in ones register on import.
"""

from archembed.search import bo, dngo, evolution, local, nao, random_search, reinforce
from archembed.search.base import STRATEGIES, Strategy, make_strategy, register_strategy

__all__ = [
    "STRATEGIES",
    "Strategy",
    "bo",
    "dngo",
    "evolution",
    "local",
    "make_strategy",
    "nao",
    "random_search",
    "register_strategy",
    "reinforce",
]
