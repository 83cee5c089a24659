import json

import numpy as np
import pytest

from archembed.benchmarks import load_benchmark
from archembed.benchmarks.user import import_graphs
from archembed.errors import ConfigError, CorruptFileError, InvalidArchitectureError
from archembed.spaces import get_space
from archembed.spaces.generic import GenericSpace, graph_from_record

CHAIN = {"adjacency": [[0, 1, 0], [0, 0, 1], [0, 0, 0]], "ops": ["input", "conv", "output"]}
# vertices listed out of topological order: 0 -> 2 -> 1 -> 3
SHUFFLED = {
    "adjacency": [[0, 0, 1, 0], [0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 0]],
    "ops": ["input", "pool", "conv", "output"],
}


def test_records_are_reordered_topologically():
    graph = graph_from_record(SHUFFLED)
    assert graph.ops == ("input", "conv", "pool", "output")
    assert graph.adj[0, 1] and graph.adj[1, 2] and graph.adj[2, 3]


@pytest.mark.parametrize(
    ("record", "needle"),
    [
        (
            {"adjacency": [[0, 1, 0], [0, 0, 1], [0, 1, 0]], "ops": ["input", "a", "output"]},
            "outgoing",
        ),
        (
            {
                "adjacency": [[0, 1, 0, 0], [0, 0, 1, 0], [0, 1, 0, 1], [0, 0, 0, 0]],
                "ops": ["input", "a", "b", "output"],
            },
            "cycle",
        ),
        ({"adjacency": [[0, 1], [0, 0]], "ops": ["input", "a", "output"]}, "shape"),
        ({"adjacency": [[0, 2], [0, 0]], "ops": ["input", "output"]}, "0 or 1"),
        ({"adjacency": [[0, 1], [0, 0]], "ops": ["conv", "output"]}, "start with"),
        ({"ops": ["input", "output"]}, "adjacency"),
    ],
)
def test_bad_records(record, needle):
    with pytest.raises(InvalidArchitectureError, match=needle):
        graph_from_record(record)


def test_bounded_space_samples_and_edits():
    space = GenericSpace(["conv", "pool"], 5)
    graphs = space.sample(30, np.random.default_rng(0))
    assert all(space.is_valid(g) and g.n_nodes <= 5 for g in graphs)
    assert graphs == space.sample(30, np.random.default_rng(0))
    graph = space.from_native(json.dumps(CHAIN))
    neighbours = space.neighbours(graph)
    assert neighbours and all(space.is_valid(n) for n in neighbours) and graph not in neighbours
    assert {n.n_nodes for n in neighbours} == {3, 4}  # removing the only layer disconnects
    assert space.from_native(space.to_native(graph)) == graph


def test_space_limits_are_enforced():
    space = GenericSpace(["conv"], 4)
    with pytest.raises(InvalidArchitectureError, match="unknown op 'pool'"):
        space.from_native(json.dumps(SHUFFLED))
    with pytest.raises(InvalidArchitectureError, match="more than the space's maximum of 3"):
        space = GenericSpace(["conv", "pool"], 3)
        space.from_native(json.dumps(SHUFFLED))
    open_space = get_space("generic")
    assert open_space.is_valid(graph_from_record(SHUFFLED))
    with pytest.raises(ConfigError, match="vocabulary"):
        open_space.sample(1, np.random.default_rng(0))


def _write(path, records):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path


def test_imported_benchmark_is_found_by_name(tmp_path):
    source = _write(
        tmp_path / "mine.jsonl",
        [
            {**CHAIN, "acc": 90.5, "latency": 2, "note": "text fields are ignored"},
            "",
            {**SHUFFLED, "acc": 80.25},
        ],
    )
    import_graphs(source, "test-byo")
    bench = load_benchmark("test-byo")
    space = get_space("test-byo")
    assert space.ops == ("input", "conv", "pool", "output") and space.max_nodes == 4
    assert bench.metrics("default") == ["acc", "latency"]
    _, values = bench.labels("default", "acc")
    assert sorted(values) == [80.25, 90.5]
    assert bench.query([graph_from_record(SHUFFLED)], "default", "acc")[0] == 80.25
    assert bench.query([graph_from_record(CHAIN)], "default", "latency")[0] == 2
    with pytest.raises(InvalidArchitectureError, match="no latency"):
        bench.query([graph_from_record(SHUFFLED)], "default", "latency")


@pytest.mark.parametrize(
    ("lines", "options", "needle"),
    [
        (
            [{**CHAIN, "y": 1}, '{"adjacency": [[0, 1], [0, 0]], "ops": '],
            {},
            "line 2: malformed JSON",
        ),
        (
            [
                {
                    "adjacency": [[0, 1, 0], [0, 0, 1], [0, 1, 0]],
                    "ops": ["input", "a", "output"],
                    "y": 1,
                }
            ],
            {},
            "line 1: the output",
        ),
        (
            [
                {**CHAIN, "y": 1},
                {
                    "adjacency": [[0, 1, 0, 0], [0, 0, 1, 0], [0, 1, 0, 1], [0, 0, 0, 0]],
                    "ops": ["input", "a", "b", "output"],
                    "y": 2,
                },
            ],
            {},
            "line 2: the graph has a cycle",
        ),
        ([{**CHAIN, "y": 1}], {"ops": ["pool"]}, "line 1: unknown op 'conv'"),
        ([{**CHAIN, "y": 1}, {**SHUFFLED, "y": 2}], {"max_nodes": 3}, "line 2: 4 nodes"),
        ([{**CHAIN}], {}, "line 1: no numeric metric"),
        ([{**CHAIN, "y": 1}, {**CHAIN, "y": 2}], {}, "line 2 repeats the architecture of line 1"),
    ],
)
def test_bad_lines_name_their_number(tmp_path, lines, options, needle):
    source = _write(tmp_path / "bad.jsonl", lines)
    with pytest.raises(CorruptFileError, match=needle):
        import_graphs(source, "test-bad", **options)
    with pytest.raises(Exception, match="unknown benchmark"):
        load_benchmark("test-bad")


def test_interrupted_import_keeps_the_previous_benchmark(tmp_path, monkeypatch):
    import archembed.benchmarks.user as user

    import_graphs(_write(tmp_path / "a.jsonl", [{**CHAIN, "acc": 1.0}]), "test-crash")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(user, "write_entry", crash)
    with pytest.raises(KeyboardInterrupt):
        import_graphs(_write(tmp_path / "b.jsonl", [{**CHAIN, "acc": 2.0}]), "test-crash")
    with pytest.raises(KeyboardInterrupt):
        import_graphs(_write(tmp_path / "c.jsonl", [{**CHAIN, "acc": 3.0}]), "test-crash-new")
    bench = load_benchmark("test-crash")
    assert bench.query([graph_from_record(CHAIN)], "default", "acc")[0] == 1.0
    with pytest.raises(Exception, match="unknown benchmark"):
        load_benchmark("test-crash-new")


def test_names_of_built_ins_are_refused(tmp_path):
    source = _write(tmp_path / "a.jsonl", [{**CHAIN, "acc": 1.0}])
    for name in ("nb201", "darts", "bad/name"):
        with pytest.raises(ConfigError):
            import_graphs(source, name)
