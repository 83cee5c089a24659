"""The benchmark is a space: an imported benchmark's own cells for sample, embed, search and
pretraining; spaces described in YAML; their one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from tests.cli.fuzzing import assert_input_error, cases, invoke

from archembed.graph import ArchGraph
from archembed.spaces.base import get_space
from archembed.spaces.described import DescribedSpace
from archembed.spaces.generic import GenericSpace
from archembed.spaces.restricted import BenchmarkSpace

NAME = "bench-space-cells"
SPACE_YAML = "ops: [conv3, conv1, pool]\nnodes: [3, 5]\nmax_in_degree: 2\n"


@pytest.fixture(scope="module")
def cells(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An imported benchmark of 60 distinct random cells; returns its natives by identity."""
    from archembed.benchmarks.user import import_graphs

    tmp = tmp_path_factory.mktemp("bench-space")
    space = GenericSpace(["conv3", "conv1", "pool"], 5)
    found: dict[str, object] = {}
    for graph in space.sample(400, np.random.default_rng(0)):
        found.setdefault(graph.key, graph)
    chosen = list(found.values())[:60]
    lines = [
        {**g.to_dict(), "val_acc": 80.0 + 3 * g.ops.count("conv3") + g.n_edges} for g in chosen
    ]
    path = tmp / "cells.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    import_graphs(path, NAME)
    return {g.key: space.to_native(g) for g in chosen}


def _json(args: list[str]) -> object:
    result = invoke([*args, "--json"])
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def _keys(natives: list[str]) -> set[str]:
    space = GenericSpace()
    return {space.from_native(text).key for text in natives}


def test_user_benchmark_space_is_its_cells(cells: dict[str, str]) -> None:
    space = get_space(NAME)
    assert isinstance(space, BenchmarkSpace) and space.finite and space.size == len(cells)
    assert {space.identity(g) for g in space.enumerate()} == set(cells)
    outside = GenericSpace(["conv3"], 5).sample(200, np.random.default_rng(1))
    assert not all(space.is_valid(g) for g in outside)


def test_sample_gives_only_benchmark_cells(cells: dict[str, str]) -> None:
    drawn = _json(["sample", NAME, "-n", "200", "--seed", "3"])
    assert len(drawn) == 200 and _keys(drawn) <= set(cells)
    assert len(_keys(drawn)) > 30  # uniform over 60 cells, not one repeated cell


def test_sample_all_lists_every_cell_once(cells: dict[str, str]) -> None:
    listed = _json(["sample", NAME, "--all"])
    assert len(listed) == len(cells) and _keys(listed) == set(cells)


def test_embed_benchmark_covers_every_cell(cells: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "emb.parquet"
    _json(["embed", "onehot", "--benchmark", NAME, "--out", str(out)])
    table = pq.read_table(out)
    assert set(table.column("arch").to_pylist()) == set(cells) and table.num_rows == len(cells)


def test_search_bo_queries_only_benchmark_cells(cells: dict[str, str], tmp_path: Path) -> None:
    args = ["search", "--benchmark", NAME, "--strategy", "bo", "--encoder", "onehot"]
    _json(
        [*args, "--queries", "12", "--seeds", "1", "--workers", "1", "--out", str(tmp_path / "r")]
    )
    frames = [pq.read_table(p).to_pandas() for p in (tmp_path / "r").rglob("trajectory.parquet")]
    assert frames
    queried = _keys(list(frames[0]["arch"]))  # native strings
    assert len(queried) == 12 and queried <= set(cells)


def test_pretrain_arch2vec_on_benchmark_cells(cells: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "a2v"
    args = ["pretrain", "arch2vec", "--benchmark", NAME, "--recipe", "fast", "--epochs", "2"]
    history = _json([*args, "--holdout", "0.2", "--out", str(out), "--threads", "1"])
    assert len(history) == 2 and 0.0 <= history[-1]["holdout_recon_acc"] <= 1.0
    from archembed.encoders.base import load_encoder

    model = load_encoder(out)
    assert len(model.holdout_) == round(0.2 * len(cells))
    assert isinstance(model.space, BenchmarkSpace) and model.space.size == len(cells)


def test_pretrain_locality_anchors_are_benchmark_cells(
    cells: dict[str, str], tmp_path: Path
) -> None:
    args = ["pretrain", "locality", "--benchmark", NAME, "--recipe", "fast", "--anchors", "8"]
    summary = _json([*args, "--epochs", "1", "--out", str(tmp_path / "loc"), "--threads", "1"])
    assert summary["space"] == NAME


def test_mutate_stays_in_the_cells_unless_a_cell_has_no_neighbour_there() -> None:
    base = GenericSpace(["a", "b"], 4)
    chain_a, chain_b = (
        ArchGraph([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", op, "output"]) for op in "ab"
    )
    far = ArchGraph(np.triu(np.ones((4, 4)), 1), ["input", "a", "a", "output"])
    space = BenchmarkSpace(base, lambda: {g.key: g for g in (chain_a, chain_b, far)})
    rng = np.random.default_rng(0)
    assert {space.mutate(chain_a, rng).key for _ in range(10)} == {chain_b.key}
    moved = space.mutate(far, rng)
    assert not space.is_valid(moved) and base.is_valid(moved) and far.edit_distance(moved) >= 1


def test_gates_stacks_one_pass_per_hop_of_the_cells_longest_path() -> None:
    from archembed.encoders.gates import GATES

    base = GenericSpace(["a", "b"], 8)
    wide = ArchGraph(
        [[0, 1, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0] * 5],
        ["input", "a", "b", "a", "output"],
    )
    chain = ArchGraph(
        [[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0] * 4], ["input", "a", "b", "output"]
    )
    space = BenchmarkSpace(base, lambda: {g.key: g for g in (wide, chain)})
    assert (wide.longest_path(), chain.longest_path()) == (2, 3)
    assert space.max_path_length == 2
    assert GATES(space).hidden == (128,) * 3
    assert GATES(base).hidden == (128,) * 7


def test_yaml_space_sample_and_enumerate(tmp_path: Path) -> None:
    path = tmp_path / "space.yaml"
    path.write_text(SPACE_YAML)
    space = get_space(str(path))
    assert isinstance(space, DescribedSpace) and space.finite
    every = _json(["sample", str(path), "--all"])
    assert len(every) == space.size == len(_keys(every))
    drawn = [space.from_native(t) for t in _json(["sample", str(path), "-n", "50"])]
    assert {space.identity(g) for g in drawn} <= _keys(every)
    for graph in drawn:
        assert 3 <= graph.n_nodes <= 5 and graph.adj.sum(axis=0).max() <= 2
        assert set(graph.ops[1:-1]) <= {"conv3", "conv1", "pool"}


def test_yaml_space_enumeration_is_complete() -> None:
    """Chains and branches of 3-4 vertices over one op: every DAG once, up to isomorphism."""
    space = DescribedSpace(["a"], 4, min_nodes=3)
    # 3 vertices: in->a->out, with or without in->out; 4 vertices (live DAGs in topological
    # order, isomorphic ones merged): 2 parallel a's (+/- skip), a chain (+ any of 3 skips).
    assert len(space.enumerate()) == 2 + 2 + 8


def test_large_yaml_space_samples_but_does_not_enumerate(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("ops: [a, b, c, d]\nnodes: 12\n")
    assert len(_json(["sample", str(path), "-n", "5"])) == 5
    assert_input_error(["sample", str(path), "--all"], "cannot be enumerated")


YAML_CASES = [
    ("empty", "", "empty"),
    ("not-mapping", "[1, 2]", "must be a mapping"),
    ("bad-yaml", "ops: [a\n", "not valid yaml"),
    ("unknown-field", "ops: [a]\nnodes: 4\ncolour: red\n", "unknown field 'colour'"),
    ("no-ops", "nodes: 4\n", "needs 'ops'"),
    ("no-nodes", "ops: [a]\n", "needs 'nodes'"),
    ("ops-empty", "ops: []\nnodes: 4\n", "non-empty list"),
    ("ops-reserved", "ops: [input]\nnodes: 4\n", "reserved"),
    ("ops-twice", "ops: [a, a]\nnodes: 4\n", "twice"),
    ("ops-number", "ops: [1]\nnodes: 4\n", "not an op name"),
    ("nodes-small", "ops: [a]\nnodes: 1\n", "nodes must be"),
    ("nodes-huge", "ops: [a]\nnodes: 100000\n", "nodes must be"),
    ("nodes-order", "ops: [a]\nnodes: [5, 3]\n", "larger than maximum"),
    ("nodes-triple", "ops: [a]\nnodes: [2, 3, 4]\n", "[min, max] pair"),
    ("nodes-text", "ops: [a]\nnodes: many\n", "nodes must be"),
    ("in-degree-zero", "ops: [a]\nnodes: 4\nmax_in_degree: 0\n", "max_in_degree"),
    ("edges-float", "ops: [a]\nnodes: 4\nmax_edges: 2.5\n", "max_edges"),
    ("too-tight", "ops: [a]\nnodes: [6, 6]\nmax_edges: 2\n", "loosen"),
]


@pytest.mark.parametrize(("text", "fragment"), [pytest.param(t, f, id=i) for i, t, f in YAML_CASES])
def test_bad_space_file_is_one_line_error(text: str, fragment: str, tmp_path: Path) -> None:
    path = tmp_path / "space.yaml"
    path.write_text(text)
    assert_input_error(["sample", str(path), "-n", "2"], fragment)


@cases(
    [
        ("missing-file", ["sample", "{tmp}/none.yaml"], "does not exist"),
        (
            "no-space-or-bench",
            ["pretrain", "arch2vec", "--out", "{tmp}/m"],
            "--space or --benchmark",
        ),
        (
            "space-and-bench",
            ["pretrain", "arch2vec", "--space", "nb201", "--benchmark", NAME, "--out", "{tmp}/m"],
            "exactly one",
        ),
        (
            "unknown-bench",
            ["pretrain", "arch2vec", "--benchmark", "nosuch", "--out", "{tmp}/m"],
            "nosuch",
        ),
        (
            "holdout-one",
            ["pretrain", "arch2vec", "--benchmark", NAME, "--holdout", "1", "--out", "{tmp}/m"],
            "holdout",
        ),
        ("loc-none", ["pretrain", "locality", "--out", "{tmp}/m"], "--space or --benchmark"),
        (
            "contrastive-bench",
            ["pretrain", "contrastive", "--benchmark", NAME, "--out", "{tmp}/m"],
            "jacobian features of real networks",
        ),
        ("contrastive-none", ["pretrain", "contrastive", "--out", "{tmp}/m"], "--features"),
        ("all-infinite", ["sample", "darts", "--all"], "cannot be enumerated"),
    ]
)
def test_benchmark_space_input_errors(
    args: list[str], fragment: str, cells: dict[str, str], tmp_path: Path
) -> None:
    assert_input_error([a.format(tmp=tmp_path) for a in args], fragment)
    assert not any(tmp_path.iterdir())
