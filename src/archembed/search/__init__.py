"""Search strategies (ask/tell), budgets and the search loop."""

from archembed.search import nao
from archembed.search.base import STRATEGIES, Strategy, register_strategy

__all__ = ["STRATEGIES", "Strategy", "nao", "register_strategy"]
