"""Neural Architecture Optimization (Luo et al., 2018) as an ask/tell strategy.

Starts from random cells; then, each round, fine-tunes the NAO controller on every evaluated
cell (predictor MSE + reconstruction), embeds the best ``top_k`` cells, moves each embedding
along the predictor's gradient until the decoded cell changes into a new valid cell (at most
``max_steps`` steps) and proposes the decoded cells. A pretrained controller (e.g. locality
pretraining) is fine-tuned on a private copy, so runs sharing one never interfere.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from archembed.encoders.base import Encoder
from archembed.encoders.nao import NAOEncoder
from archembed.encoders.precomputed import PrecomputedEncoder
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.search.base import Bound, Strategy, register_strategy
from archembed.spaces.base import SearchSpace
from archembed.spaces.candidates import draw_unseen


@register_strategy("nao")
class NAOStrategy(Strategy):
    """NAO search; ``encoder`` is a (pretrained) NAOEncoder, or None for a fresh controller.

    ``n_init`` random cells first; then rounds of ``top_k`` proposals, each controller update
    running ``train_epochs`` epochs. When the ascent yields fewer new cells than asked, random
    unseen cells fill the gap (counted in ``stats_["random_fill"]``).
    """

    name = "nao"
    limits: ClassVar[dict[str, Bound]] = {
        "n_init": Bound(1, 100_000),
        "top_k": Bound(1, 10_000),
        "train_epochs": Bound(0, 100_000),
        "step_size": Bound(0, 100, low_open=True),
        "max_steps": Bound(1, 10_000),
        "hidden": Bound(1, 4096),
        "lam": Bound(0, 1),
    }

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        encoder: Encoder | None = None,
        n_init: int = 20,
        top_k: int = 10,
        train_epochs: int = 50,
        step_size: float = 0.05,
        max_steps: int = 50,
        hidden: int = 32,
        lam: float = 0.5,
    ) -> None:
        self.check_arguments(locals())
        super().__init__(space, rng)
        if isinstance(encoder, PrecomputedEncoder) and encoder.inner is not None:
            encoder = encoder.inner  # the controller changes while searching: embed afresh
        if encoder is None:
            seed = int(rng.integers(2**31))
            encoder = NAOEncoder(space, hidden=hidden, lam=lam, seed=seed)
        elif not isinstance(encoder, NAOEncoder):
            raise ConfigError(
                f"strategy nao needs a NAO controller (encoder 'nao'), got {encoder.name!r}; "
                "pretrain one with 'archembed pretrain locality'"
            )
        else:
            encoder.check_space(space)
            encoder = copy.deepcopy(encoder)
            encoder.lam = lam
            encoder.rng_ = np.random.default_rng(int(rng.integers(2**31)))
        self.controller = encoder
        self.n_init, self.top_k, self.train_epochs = n_init, top_k, train_epochs
        self.batch_size = top_k
        self.step_size, self.max_steps = step_size, max_steps
        self.graphs_: list[ArchGraph] = []
        self.scores_: list[float] = []
        self.seen_: set[str] = set()
        self.queue_: deque[ArchGraph] = deque()
        self.trained_on_ = 0
        self.stats_: dict[str, Any] = {"rounds": 0, "ascent": 0, "random_fill": 0, "steps": []}

    def ask(self, n: int = 1) -> list[ArchGraph]:
        out: list[ArchGraph] = []
        while len(out) < n:
            if not self.queue_ and not self._refill(n - len(out)):
                break
            out.append(self.queue_.popleft())
        return out

    def tell(self, graphs: Sequence[ArchGraph], scores: Sequence[float]) -> None:
        for graph, score in zip(graphs, scores, strict=True):
            self.seen_.add(self.space.identity(graph))
            self.graphs_.append(graph)
            self.scores_.append(float(score))

    def _propose(self, graph: ArchGraph) -> bool:
        identity = self.space.identity(graph)
        if identity in self.seen_:
            return False
        self.seen_.add(identity)
        self.queue_.append(graph)
        return True

    def _refill(self, wanted: int) -> bool:
        """Queue new cells (random until ``n_init`` are known, else a NAO round)."""
        missing = self.n_init - len(self.seen_)
        if missing > 0:
            return self._random(max(missing, wanted)) > 0
        if not self.graphs_:
            return self._random(wanted) > 0
        found = self._nao_round()
        short = max(0, wanted - found)
        if short:
            self.stats_["random_fill"] += self._random(short)
        return bool(self.queue_)

    def _random(self, n: int) -> int:
        return sum(self._propose(g) for g in draw_unseen(self.space, self.rng, n, self.seen_))

    def _nao_round(self) -> int:
        """Fine-tune on all scores, ascend from the best cells, queue new decoded cells."""
        if self.trained_on_ < len(self.graphs_):
            self.controller.fit(self.graphs_, np.asarray(self.scores_), epochs=self.train_epochs)
            self.trained_on_ = len(self.graphs_)
        self.stats_["rounds"] += 1
        best = np.argsort(self.scores_)[::-1][: self.top_k]
        z = self.controller.transform([self.graphs_[i] for i in best])
        active = np.ones(len(best), dtype=bool)
        found = 0
        for step in range(1, self.max_steps + 1):
            z[active] = self.controller.ascend(z[active], self.step_size)
            rows = np.flatnonzero(active)
            for row, graph in zip(rows, self.controller.decode(z[rows])):
                if graph is not None and self.space.is_valid(graph) and self._propose(graph):
                    active[row] = False
                    found += 1
                    self.stats_["steps"].append(step)
            if not active.any():
                break
        self.stats_["ascent"] += found
        return found
