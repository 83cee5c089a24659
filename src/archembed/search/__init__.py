"""Search strategies (ask/tell), objectives, budgets and the search loop.

Build any strategy with :func:`make_strategy`; the built-in ones register on import.
The package is also callable: ``archembed.search(...)`` is :func:`archembed.api.search`
(``import archembed as ae; ae.search("nb201/cifar10-valid", "random")``).
"""

import sys
import types
from typing import Any

from archembed.search import (
    bo,
    constrained_bo,
    dngo,
    evolution,
    local,
    mobo,
    nao,
    nsga2,
    predictor_guided,
    random_search,
    reinforce,
)
from archembed.search.base import (
    STRATEGIES,
    MultiObjectiveStrategy,
    Strategy,
    make_strategy,
    register_strategy,
)
from archembed.search.surrogate import PoolSearch, SurrogateSearch

__all__ = [
    "STRATEGIES",
    "MultiObjectiveStrategy",
    "PoolSearch",
    "Strategy",
    "SurrogateSearch",
    "bo",
    "constrained_bo",
    "dngo",
    "evolution",
    "local",
    "make_strategy",
    "mobo",
    "nao",
    "nsga2",
    "predictor_guided",
    "random_search",
    "register_strategy",
    "reinforce",
]


class _CallableModule(types.ModuleType):
    """This package, callable as ``ae.search(...)`` (a subpackage and a function share a name)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from archembed.api import search

        return search(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
