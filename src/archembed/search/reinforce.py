"""REINFORCE in an embedding space, as in arch2vec.

A one-layer LSTM controller reads the embedding of the previous architecture and outputs the
mean of a Gaussian policy with identity covariance over the embedding space (the raw
embedding as in arch2vec's code; ``standardise=True`` scales each dimension to unit variance
first). The sampled point is mapped to the nearest unseen architecture by L2 distance. After
every ``episode`` evaluations the controller takes a policy-gradient step on discounted returns
minus a moving-average baseline. Defaults follow arch2vec's NB201 runs (episodes of 16, LSTM
width 128, discount 0.4, Adam 0.01).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from archembed.encoders.base import Encoder
from archembed.graph import ArchGraph
from archembed.nn.training import seeded, step
from archembed.search.base import Bound, Strategy, register_strategy
from archembed.spaces.base import SearchSpace
from archembed.spaces.candidates import CandidatePool


class Controller(nn.Module):
    """LSTM(dim -> hidden) + linear head giving the policy mean."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.cell = nn.LSTMCell(dim, hidden)
        self.head = nn.Linear(hidden, dim)

    def forward(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        h, c = self.cell(x, state)
        return self.head(h), (h, c)


@register_strategy("reinforce")
class ReinforceSearch(Strategy):
    """Policy-gradient search over embeddings (``discount``, ``baseline_decay``, ``lr``)."""

    name = "reinforce"
    needs_encoder = True
    limits: ClassVar[dict[str, Bound]] = {
        "hidden": Bound(1, 4096),
        "lr": Bound(0, 10, low_open=True),
        "discount": Bound(0, 1),
        "baseline_decay": Bound(0, 1, high_open=True),
        "episode": Bound(1, 100_000),
        "pool_size": Bound(1, 1_000_000),
        "mutations": Bound(0, 10_000),
    }

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        encoder: Encoder,
        hidden: int = 128,
        lr: float = 0.01,
        discount: float = 0.4,
        baseline_decay: float = 0.9,
        episode: int = 16,
        pool_size: int = 2000,
        mutations: int = 20,
        standardise: bool = False,
    ) -> None:
        self.check_arguments(locals())
        super().__init__(space, rng)
        self.discount = discount
        self.baseline_decay = baseline_decay
        self.episode = episode
        self.pool = CandidatePool(space, encoder, rng, sample_size=pool_size, mutations=mutations)
        reference = self.pool.embed(self.pool.unseen_sample(min(2000, pool_size)))
        self.center_ = reference.mean(axis=0) if standardise else np.zeros(reference.shape[1])
        spread = reference.std(axis=0) if standardise else np.ones(reference.shape[1])
        self.scale_ = np.where(spread > 0, spread, 1.0)
        dim = reference.shape[1]
        self.torch_rng = torch.Generator().manual_seed(int(rng.integers(2**31)))
        with seeded(int(rng.integers(2**31))):
            self.controller = Controller(dim, hidden)
        self.optimizer = torch.optim.Adam(self.controller.parameters(), lr=lr)
        self.baseline: float | None = None
        self._state: tuple[torch.Tensor, torch.Tensor] | None = None
        self._input = torch.zeros(1, dim)
        self._log_probs: list[torch.Tensor] = []
        self._rewards: list[float] = []
        self._best: list[ArchGraph] = []
        self._best_score = -np.inf
        self._all_z: np.ndarray | None = None

    def _standardise(self, X: np.ndarray) -> np.ndarray:
        return (X - self.center_) / self.scale_

    def ask(self, n: int = 1) -> list[ArchGraph]:
        out: list[ArchGraph] = []
        for _ in range(n):
            if self.pool.exhausted:
                break
            mean, self._state = self.controller(self._input, self._state)
            action = mean + torch.randn(mean.shape, generator=self.torch_rng)
            self._log_probs.append(-0.5 * ((action.detach() - mean) ** 2).sum())
            graph, z = self._nearest_unseen(action.detach().numpy()[0])
            if graph is None:
                break
            self.pool.mark_seen([graph])
            out.append(graph)
            self._input = torch.as_tensor(z[None, :], dtype=torch.float32)
        return out

    def _nearest_unseen(self, target: np.ndarray) -> tuple[ArchGraph | None, np.ndarray]:
        """The unseen candidate closest (L2, standardised embedding) to ``target``."""
        if self.pool.exhaustive:
            if self._all_z is None:
                self._all_z = self._standardise(self.pool.matrix.astype(np.float64))
            distance = ((self._all_z - target) ** 2).sum(axis=1)
            distance[~self.pool.unseen_mask] = np.inf
            row = int(np.argmin(distance))
            return self.pool.graphs[row], self._all_z[row]
        graphs, X = self.pool.candidates(self._best)
        if not graphs:
            return None, target
        Z = self._standardise(X)
        row = int(np.argmin(((Z - target) ** 2).sum(axis=1)))
        return graphs[row], Z[row]

    def tell(self, graphs: Sequence[ArchGraph], scores: Sequence[float]) -> None:
        self.pool.mark_seen(graphs)
        for graph, score in zip(graphs, scores):
            self._rewards.append(float(score))
            if score > self._best_score:
                self._best_score, self._best = float(score), [graph]
        if len(self._rewards) >= self.episode and len(self._log_probs) >= len(self._rewards):
            self._update()

    def _update(self) -> None:
        """One REINFORCE step on the episode, then start a new one with a fresh LSTM state."""
        k = len(self._rewards)
        rewards = np.asarray(self._rewards)
        returns = np.zeros(k)
        running = 0.0
        for t in range(k - 1, -1, -1):
            running = rewards[t] + self.discount * running
            returns[t] = running
        mean_reward = float(rewards.mean())
        if self.baseline is None:
            self.baseline = mean_reward
        horizon = np.array([sum(self.discount**j for j in range(k - t)) for t in range(k)])
        advantage = torch.as_tensor(returns - self.baseline * horizon, dtype=torch.float32)
        log_probs = torch.stack(self._log_probs[:k])
        step(self.controller, self.optimizer, -(log_probs * advantage).sum())
        self.baseline = (
            self.baseline_decay * self.baseline + (1 - self.baseline_decay) * mean_reward
        )
        self._log_probs = self._log_probs[k:]
        self._rewards = []
        self._state = None
        self._input = self._input.detach()
