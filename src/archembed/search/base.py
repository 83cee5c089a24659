"""Strategy: the ask/tell interface of every search algorithm, and its registry.

The loop, the budget and the objective live outside the strategy (see
:mod:`archembed.search.loop`), so one strategy runs on a tabular benchmark, on real training
or on a cluster. Scores are "higher is better".
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from archembed.graph import ArchGraph
from archembed.registry import Registry
from archembed.spaces.base import SearchSpace

STRATEGIES: Registry[type[Strategy]] = Registry("strategy")
register_strategy = STRATEGIES.register


class Strategy(ABC):
    """Proposes architectures (``ask``) and learns from their scores (``tell``)."""

    name: str = ""

    def __init__(self, space: SearchSpace, rng: np.random.Generator) -> None:
        self.space = space
        self.rng = rng

    @abstractmethod
    def ask(self, n: int = 1) -> list[ArchGraph]:
        """Up to ``n`` architectures to evaluate next (fewer only when the space is exhausted)."""

    @abstractmethod
    def tell(self, graphs: Sequence[ArchGraph], scores: Sequence[float]) -> None:
        """Report the scores of evaluated architectures (higher is better)."""
