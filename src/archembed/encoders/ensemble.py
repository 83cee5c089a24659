"""Seed ensembles of a supervised encoder: k copies trained from different seeds, scores averaged.

A ranking network trained on few labels depends on its initialisation; averaging a few copies
removes part of that variance for k times the training time. Member ``i`` of an ensemble with
seed ``s`` trains with seed ``s * members + i`` (seed 0: members 0, 1, 2), so the ensembles of
different seeds share no member. Each member's scores are standardised by their mean and
standard deviation on the training cells (per output column, by ``Standardizer``) before
averaging, so a member whose ranking loss left its scores on a wider scale does not outweigh
the others (with ``loss="mse"`` the members predict target units and their mean is returned
instead). Measured for ``gates-unified`` on NB201 (docs/benchmarks/leaderboard.md): three
members gain at most 0.001 Kendall tau over their first member at 5 and 10 % of the training
pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from archembed.checks import check_int
from archembed.encoders.base import Encoder
from archembed.encoders.trained import TrainedEncoder
from archembed.errors import CorruptFileError
from archembed.estimator import Estimator, no_uncertainty
from archembed.graph import ArchGraph
from archembed.io import read_json, write_json
from archembed.preprocessing import Standardizer

MAX_MEMBERS = 32
SCALES_FILE = "ensemble.json"


class SeedEnsemble(Estimator, Encoder):
    """``members`` copies of :attr:`member` (built with ``params``), trained from seeds
    ``seed * members + i``; predictions are the mean of the members' standardised scores and
    the encoding is the members' encodings side by side."""

    supervised = True
    has_std = False
    free_params = "params"
    member: type[TrainedEncoder]

    def __init__(self, space: Any, *, members: int = 3, seed: int = 0, **params: Any) -> None:
        super().__init__(space)
        self.members = check_int("members", members, 1, MAX_MEMBERS)
        self.seed = seed
        self.params = params
        self._member(0)

    def _member(self, index: int) -> TrainedEncoder:
        """Member ``index``, untrained (constructing it checks ``params``)."""
        return self.member(self.space, seed=self.seed * self.members + index, **self.params)

    @property
    def predicts_values(self) -> bool:
        """True when the members are MSE-trained (predictions in target units)."""
        return self._member(0).predicts_values

    def config(self) -> dict[str, Any]:
        return {k: v for k, v in self.get_params(deep=False).items() if k != "space"}

    def fit(self, graphs: Sequence[ArchGraph], y: np.ndarray | None = None) -> SeedEnsemble:
        """Train every member on ``graphs`` and ``y``; record its score scale on them."""
        self.members_ = [self._member(i).fit(graphs, y) for i in range(self.members)]
        self.scales_ = [self._scale(m.predict(graphs)) for m in self.members_]
        return self

    def _scale(self, scores: np.ndarray) -> Standardizer:
        """A member's score scale on its training cells; the identity when it predicts target
        units."""
        if self.predicts_values:
            return _scaler(0.0, 1.0)
        return Standardizer().fit(scores)

    def _fitted(self) -> list[TrainedEncoder]:
        if not hasattr(self, "members_"):
            raise CorruptFileError(f"{self.name} model is not trained: call fit() first")
        return self.members_

    def predict(self, graphs: Sequence[ArchGraph], return_std: bool = False) -> np.ndarray:
        """Mean over members of their standardised scores, shaped like the ``y`` given to fit."""
        if return_std:
            raise no_uncertainty(self.name)
        scores = [
            scale.transform(member.predict(graphs))
            for member, scale in zip(self._fitted(), self.scales_)
        ]
        return np.mean(scores, axis=0)

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        return np.concatenate([m.transform(graphs) for m in self._fitted()], axis=1)

    def save_state(self, directory: Path) -> None:
        for i, member in enumerate(self._fitted()):
            path = directory / f"member{i}"
            path.mkdir(parents=True, exist_ok=True)
            member.save_state(path)
        scales = [[np.asarray(s.mean_).tolist(), np.asarray(s.std_).tolist()] for s in self.scales_]
        write_json(directory / SCALES_FILE, {"scales": scales})

    def load_state(self, directory: Path) -> None:
        members = []
        for i in range(self.members):
            member = self._member(i)
            member.load_state(directory / f"member{i}")
            members.append(member)
        scales = read_json(directory / SCALES_FILE)["scales"]
        if len(scales) != self.members:
            raise CorruptFileError(f"{directory / SCALES_FILE} has {len(scales)} member scales")
        self.members_, self.scales_ = members, [_scaler(mean, std) for mean, std in scales]


def _scaler(mean: Any, std: Any) -> Standardizer:
    """A :class:`Standardizer` with a known mean and spread (a saved or identity scale)."""
    return Standardizer(
        mean_=np.asarray(mean, dtype=np.float64), std_=np.asarray(std, dtype=np.float64)
    )
