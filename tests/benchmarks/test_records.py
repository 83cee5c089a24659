"""The lines of a bring-your-own file: edge-labelled cells, size limits, lazy reading."""

import json
import tracemalloc

import numpy as np
import pytest

import archembed.benchmarks.records as records
from archembed.benchmarks import load_benchmark
from archembed.benchmarks.records import (
    DEFAULT_MAX_NODES,
    iter_graph_records,
    node_labelled,
)
from archembed.benchmarks.user import import_graphs
from archembed.errors import CorruptFileError
from archembed.spaces import get_space
from archembed.spaces.generic import GenericSpace
from archembed.spaces.nb201 import EDGES, NB201_OPS, graph_from_edge_ops

CHAIN = {"adjacency": [[0, 1, 0], [0, 0, 1], [0, 0, 0]], "ops": ["input", "conv", "output"]}


def _write(path, lines):
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


def _nb201_line(ops, acc):
    return {"edges": [[a, b, op] for (a, b), op in zip(EDGES, ops, strict=True)], "acc": acc}


def test_an_nb201_cell_written_on_edges_is_the_nb201_graph(tmp_path):
    rng = np.random.default_rng(0)
    cells = [tuple(NB201_OPS[i] for i in rng.integers(5, size=6)) for _ in range(40)]
    source = _write(tmp_path / "nb201.jsonl", [_nb201_line(c, i) for i, c in enumerate(cells)])
    parsed = [record.graph for record in iter_graph_records(source)]
    assert parsed == [graph_from_edge_ops(cell) for cell in cells]
    nb201 = get_space("nb201")
    assert [nb201.to_native(g) for g in parsed] == [
        nb201.to_native(graph_from_edge_ops(c)) for c in cells
    ]


def test_an_edge_labelled_benchmark_answers_for_its_node_labelled_graph(tmp_path):
    cell = ("nor_conv_3x3", "skip_connect", "nor_conv_1x1", "avg_pool_3x3", "none", "skip_connect")
    source = _write(tmp_path / "cells.jsonl", [_nb201_line(cell, 71.5), {**CHAIN, "acc": 3}])
    import_graphs(source, "edge-cells")
    bench = load_benchmark("edge-cells")
    assert bench.query([graph_from_edge_ops(cell)], "default", "acc")[0] == 71.5
    assert set(NB201_OPS) - {"none"} <= set(bench.space.ops)


def test_edges_feed_the_edges_that_start_where_they_end():
    # node 0 -> 1 (a), 1 -> 2 (b), 0 -> 2 (c): a feeds b; b and c feed the output
    graph = node_labelled({"edges": [[0, 1, "a"], [1, 2, "b"], [0, 2, "c"]]})
    assert graph["ops"] == ["input", "a", "b", "c", "output"]
    edges = {(i, j) for i, row in enumerate(graph["adjacency"]) for j, v in enumerate(row) if v}
    assert edges == {(0, 1), (1, 2), (0, 3), (2, 4), (3, 4)}


@pytest.mark.parametrize(
    ("edges", "needle"),
    [
        ([], "non-empty list"),
        ("0-1", "non-empty list"),
        ([[0, 1]], 'edge 0 must be [from, to, "op"]'),
        ([[0, 1, 3]], 'edge 0 must be [from, to, "op"]'),
        ([[0, True, "a"]], 'edge 0 must be [from, to, "op"]'),
        ([[0, 1, "a"], [1, 1, "b"]], "edge 1 goes from node 1 to node 1"),
        ([[0, 2, "a"], [2, 1, "b"]], "higher-numbered node"),
        ([[-1, 1, "a"]], "from node -1"),
        ([[0, 1, "input"]], "reserved"),
        ([[0, 1, "a"], [2, 3, "b"]], "no path"),
    ],
)
def test_bad_edge_lines_name_line_and_edge(tmp_path, edges, needle):
    source = _write(tmp_path / "bad.jsonl", [{**CHAIN, "acc": 1}, {"edges": edges, "acc": 2}])
    with pytest.raises(CorruptFileError, match="line 2: .*" + needle.replace("[", r"\[")):
        list(iter_graph_records(source))


def test_both_forms_on_one_line_are_refused(tmp_path):
    source = _write(tmp_path / "both.jsonl", [{**CHAIN, "edges": [[0, 1, "a"]], "acc": 1}])
    with pytest.raises(CorruptFileError, match="line 1: give either"):
        list(iter_graph_records(source))


def _chain(n):
    adjacency = [[int(j == i + 1) for j in range(n)] for i in range(n)]
    return {"adjacency": adjacency, "ops": ["input", *["conv"] * (n - 2), "output"], "acc": 1}


def test_the_default_size_limit_says_how_to_raise_it(tmp_path):
    source = _write(tmp_path / "big.jsonl", [_chain(3), _chain(DEFAULT_MAX_NODES + 1)])
    with pytest.raises(CorruptFileError, match=f"line 2: .*--max-nodes {DEFAULT_MAX_NODES} "):
        list(iter_graph_records(source))
    assert len(list(iter_graph_records(source, max_nodes=DEFAULT_MAX_NODES + 1))) == 2


def test_an_over_long_line_is_refused_without_reading_it_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "MAX_LINE_CHARS", 200)
    note = {**CHAIN, "acc": 1, "note": "x" * 300}
    source = _write(tmp_path / "long.jsonl", [{**CHAIN, "acc": 1}, note])
    with pytest.raises(CorruptFileError, match="line 2: longer than 200 characters"):
        list(iter_graph_records(source))


def test_lines_are_parsed_lazily(tmp_path):
    source = _write(tmp_path / "late.jsonl", [{**CHAIN, "acc": 1}, "{broken"])
    lines = iter_graph_records(source)
    assert next(lines).metrics == {"acc": 1.0}
    with pytest.raises(CorruptFileError, match="line 2: malformed JSON"):
        next(lines)


def test_the_import_keeps_far_less_than_the_parsed_graphs(tmp_path):
    from archembed.benchmarks.user import _Collected

    graphs = GenericSpace(["a", "b", "c"], 7).sample(1000, np.random.default_rng(1))
    lines = [{**g.to_dict(), "acc": i % 7, "loss": 1.0} for i, g in enumerate(graphs)]
    source = _write(tmp_path / "many.jsonl", lines)
    tracemalloc.start()
    held = list(iter_graph_records(source))
    parsed = tracemalloc.get_traced_memory()[0]
    del held
    before = tracemalloc.get_traced_memory()[0]
    collected = _Collected("mean")
    for record in iter_graph_records(source):
        collected.add(record)
    kept = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert collected.records == 1000 and kept < parsed / 3, (kept, parsed)


def test_the_command_states_the_default_limit_and_refuses_bad_edges_in_one_line(tmp_path):
    from tests.cli.fuzzing import assert_input_error, invoke

    help_text = " ".join(invoke(["data", "import-graphs", "--help"]).stdout.split())
    assert f"lines over {DEFAULT_MAX_NODES} vertices are refused" in help_text.replace("│ ", "")
    source = _write(tmp_path / "edges.jsonl", [{"edges": [[0, 1, "a"], [1, 0, "b"]], "acc": 1}])
    assert_input_error(["data", "import-graphs", str(source), "--name", "edges"], "line 1: edge 1")
