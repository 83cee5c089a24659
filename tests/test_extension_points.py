"""The four extension points of docs/ARCHITECTURE.md, each proved by a tiny plug-in.

Each plug-in is what a user's own file would hold: one class and one registration. It is then
used only through the public paths (``ae.load_space``, ``ae.search``, ``EmbeddingPredictor``,
``archembed search``), never by reaching into the registries.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from tests.cli.fuzzing import invoke

import archembed as ae
from archembed.encoders.base import Encoder, register_encoder
from archembed.errors import InvalidArchitectureError
from archembed.graph import ArchGraph
from archembed.predictors import EmbeddingPredictor, Predictor, make_predictor, register_predictor
from archembed.search.base import Strategy, make_strategy, register_strategy
from archembed.search.budget import Budget
from archembed.search.loop import run_search
from archembed.search.objectives import FunctionObjective
from archembed.spaces.base import SearchSpace, register_space

BENCHMARK = "nasbench_graph/arxiv"
CHAIN = np.eye(4, k=1, dtype=np.uint8)
LETTERS = ("a", "b", "c")


@register_space("tiny-chain")
class TinyChain(SearchSpace):
    """Chains input -> x -> y -> output with x, y in a, b, c: nine architectures."""

    name = "tiny-chain"
    ops = ("input", *LETTERS, "output")
    max_nodes = 4
    size = 9

    def enumerate(self) -> list[ArchGraph]:
        return [self.from_native("-".join(p)) for p in itertools.product(LETTERS, repeat=2)]

    def sample(self, n: int, rng: np.random.Generator) -> list[ArchGraph]:
        every = self.enumerate()
        return [every[i] for i in rng.integers(len(every), size=n)]

    def is_valid(self, graph: ArchGraph) -> bool:
        return graph in self.enumerate()

    def neighbours(self, graph: ArchGraph) -> list[ArchGraph]:
        return [g for g in self.enumerate() if sum(a != b for a, b in zip(g.ops, graph.ops)) == 1]

    def to_native(self, graph: ArchGraph) -> str:
        return "-".join(graph.ops[1:3])

    def from_native(self, text: str) -> ArchGraph:
        inner = text.split("-")
        if len(inner) != 2 or not set(inner) <= set(LETTERS):
            raise InvalidArchitectureError(f"{text!r} is not two of a, b, c joined by '-'")
        return ArchGraph(CHAIN, ("input", *inner, "output"))


@register_encoder("tiny-opcount")
class OpCount(Encoder):
    """How often each op of the space occurs in the graph."""

    name = "tiny-opcount"

    def fit(self, graphs: Sequence[ArchGraph], y: np.ndarray | None = None) -> OpCount:
        return self

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        ops = self.space.ops
        return np.array([[g.ops.count(op) for op in ops] for g in graphs], dtype=np.float32)


@register_predictor("tiny-nearest")
class Nearest(Predictor):
    """The target of the nearest training embedding (k = 1 nearest neighbour)."""

    name = "tiny-nearest"

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale

    def fit(self, X: np.ndarray, y: np.ndarray) -> Nearest:
        self.X_, self.y_ = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
        return self

    def _predict_mean(self, X: np.ndarray) -> np.ndarray:
        distances = ((X[:, None, :] - self.X_[None, :, :]) ** 2).sum(axis=2)
        return self.scale * self.y_[distances.argmin(axis=1)]


@register_strategy("tiny-stride")
class Stride(Strategy):
    """Every ``stride``-th architecture of the space, in its enumeration order."""

    name = "tiny-stride"

    def __init__(self, space: SearchSpace, rng: np.random.Generator, stride: int = 1) -> None:
        super().__init__(space, rng)
        self.stride = stride
        self._next = 0

    def ask(self, n: int = 1) -> list[ArchGraph]:
        every = self.space.enumerate()
        picks = every[self._next :: self.stride][:n]
        self._next += len(picks) * self.stride
        return picks

    def tell(self, graphs: Sequence[ArchGraph], scores: Sequence[float]) -> None:
        """Nothing to learn."""


def c_count(graphs: Sequence[ArchGraph]) -> list[float]:
    return [float(g.ops.count("c")) for g in graphs]


def test_a_new_space_is_loaded_sampled_and_searched():
    space = ae.load_space("tiny-chain")
    rng = np.random.default_rng(0)
    assert all(space.is_valid(g) for g in space.sample(5, rng))
    objective = FunctionObjective(c_count, space)
    strategy = make_strategy("random", space, np.random.default_rng(1))
    trajectory, _ = run_search(strategy, objective, Budget(9), rng)
    assert sorted(trajectory["arch"]) == sorted(space.to_native(g) for g in space.enumerate())
    assert trajectory["incumbent_arch"].iloc[-1] == "c-c"
    evolution = make_strategy("evolution", space, rng, population_size=4, sample_size=2)
    assert len(run_search(evolution, objective, Budget(6), rng)[0]) == 6


def test_a_new_encoder_drives_a_search_and_saves(tmp_path):
    result = ae.search(BENCHMARK, "bo", "tiny-opcount", queries=6, seed=0, n_init=3, q=3)
    assert len(result.trajectory) == 6 and result.summary["status"] == "ok"
    encoder = OpCount("tiny-chain")
    loaded = ae.load_encoder(encoder.save(tmp_path / "model"))
    graphs = ae.load_space("tiny-chain").enumerate()
    assert isinstance(loaded, OpCount)
    np.testing.assert_array_equal(loaded.transform(graphs), encoder.transform(graphs))


def test_a_new_head_predicts_through_the_embedding_predictor():
    space = ae.load_space("tiny-chain")
    graphs = space.enumerate()
    y = np.array(c_count(graphs))
    head = make_predictor("tiny-nearest")
    model = EmbeddingPredictor(ae.OneHotEncoder(space), head).fit(graphs, y)
    np.testing.assert_array_equal(model.predict(graphs), y)  # nearest of itself
    assert make_predictor("tiny-nearest", scale=2.0).fit(np.eye(2), [1.0, 3.0]).predict(
        np.eye(2)
    ).tolist() == [2.0, 6.0]
    with pytest.raises(ae.UserError, match="uncertainty"):
        model.predict(graphs, return_std=True)


def test_a_new_strategy_runs_in_the_api_and_the_search_runner(tmp_path):
    result = ae.search(BENCHMARK, "tiny-stride", queries=4, stride=3)
    space = ae.load_space("nasbench_graph")
    expected = [space.to_native(g) for g in space.enumerate()[:12:3]]
    assert list(result.trajectory["arch"]) == expected
    args = ["search", "--benchmark", BENCHMARK, "--strategy", "tiny-stride", "-p", "stride=3"]
    outcome = invoke([*args, "--queries", "4", "--seeds", "1", "--workers", "1", "--out", tmp_path])
    assert outcome.code == 0, outcome.stderr
    (trajectory,) = tmp_path.rglob("*.parquet")
    assert list(pd.read_parquet(trajectory)["arch"]) == expected
