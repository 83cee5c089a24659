"""Fuzz suite for the foundation commands: spaces, sample, query, data list/import/import-graphs.

Every bad input exits 2 with one ``error:`` line and no traceback. The cases fail at
validation, before a benchmark is imported, so the tables run in seconds in this process;
``{tmp}`` in an argument is the test's temporary directory (see :func:`workspace`). Cases that
need a benchmark's contents use a small user benchmark, or NB201 when the data is present.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.cli.fuzzing import assert_input_error, cases, invoke

from archembed.errors import UserError

BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
NB101_CELL = '{"adjacency": [[0, 1, 1], [0, 0, 1], [0, 0, 0]], "ops": ["input", "conv3x3-bn-relu", "output"]}'
GENOTYPE = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), "
    "('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), "
    "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"
)
GNN = '{"link": [0, 0, 1, 2], "ops": ["gat", "gat", "gcn", "cheb"]}'
CHAIN = {"adjacency": [[0, 1, 0], [0, 0, 1], [0, 0, 0]], "ops": ["input", "conv", "output"]}
WIDE = {
    "adjacency": [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]],
    "ops": ["input", "conv", "pool", "output"],
}
WIDE_SWAPPED = {**WIDE, "ops": ["input", "pool", "conv", "output"]}
"""WIDE with its two inner vertices listed in the other order: the same architecture."""
USER = "fuzz-core-user"


def _query(benchmark: str, arch: str, *extra: str) -> list[str]:
    return ["query", benchmark, arch, "--dataset", "cifar10-valid", *extra]


def _jsonl(*records: dict[str, object]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """Files the cases name: good and broken JSON-lines files, a plain file, a directory."""
    good = [{**CHAIN, "acc": 71.5}, {**WIDE, "acc": 75}]
    files = {
        "good.jsonl": _jsonl(*good),
        "file.txt": "not a directory\n",
        "empty.jsonl": "",
        "blank.jsonl": "\n  \n\n",
        "truncated.jsonl": _jsonl(good[0]) + json.dumps(good[1])[:40],
        "no_graph.jsonl": _jsonl({"adjacency": CHAIN["adjacency"], "acc": 1}),
        "no_metric.jsonl": _jsonl(CHAIN),
        "string_metric.jsonl": _jsonl({**CHAIN, "acc": "high"}),
        "list.jsonl": "[1, 2, 3]\n",
        "cycle.jsonl": _jsonl(
            {
                "adjacency": [[0, 1, 0, 0], [0, 0, 1, 0], [0, 1, 0, 1], [0, 0, 0, 0]],
                "ops": ["input", "a", "b", "output"],
                "acc": 1,
            }
        ),
        "duplicate.jsonl": _jsonl({**CHAIN, "acc": 1}, {**CHAIN, "acc": 2}),
        "duplicates.jsonl": _jsonl(
            {**WIDE, "acc": 1}, {**CHAIN, "acc": 2}, {**CHAIN, "acc": 3}, {**WIDE, "acc": 4}
        ),
        "isomorphic.jsonl": _jsonl({**WIDE, "acc": 1}, {**WIDE_SWAPPED, "acc": 2}),
        "duplicate_then_bad.jsonl": _jsonl({**CHAIN, "acc": 1}, {**CHAIN, "acc": 2})
        + '{"adjacency": [[0, 1], [0, 0]], "ops": \n',
        "duplicate_huge.jsonl": _jsonl({**CHAIN, "acc": 1e308}, {**CHAIN, "acc": 1e308}, CHAIN),
        "deep.jsonl": "[" * 100_000 + "\n",
        "nested_ops.jsonl": _jsonl({**CHAIN, "ops": ["input", ["conv"], "output"], "acc": 1}),
        "bad_adjacency.jsonl": _jsonl({**CHAIN, "adjacency": [[0, 2], [0, 0]], "acc": 1}),
        "ragged.jsonl": _jsonl({**CHAIN, "adjacency": [[0, 1, 0], [0, 0], [0]], "acc": 1}),
        "disconnected.jsonl": _jsonl(
            {"adjacency": [[0, 0, 0], [0, 0, 1], [0, 0, 0]], "ops": CHAIN["ops"], "acc": 1}
        ),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "nan.jsonl").write_text(json.dumps(CHAIN)[:-1] + ', "acc": NaN}\n')
    (tmp_path / "huge.jsonl").write_text(json.dumps(CHAIN)[:-1] + f', "acc": {"9" * 400}}}\n')
    (tmp_path / "binary.jsonl").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "latin1.jsonl").write_bytes('{"ops": ["entrée"]}\n'.encode("latin-1"))
    (tmp_path / "dir").mkdir()
    return tmp_path


@cases(
    [
        # spaces
        ("spaces-unknown-option", ["spaces", "--bogus"], "no such option"),
        ("spaces-extra-argument", ["spaces", "nb201"], "unexpected extra argument"),
        # sample: counts, seeds, names
        ("sample-negative-seed", ["sample", "nb201", "--seed", "-1"], "greater than or equal"),
        ("sample-huge-seed", ["sample", "nb201", "--seed", "9" * 30], "less than or equal"),
        ("sample-nan-seed", ["sample", "nb201", "--seed", "nan"], "valid integer"),
        ("sample-inf-seed", ["sample", "nb201", "--seed", "inf"], "valid integer"),
        ("sample-float-seed", ["sample", "nb201", "--seed", "1e3"], "valid integer"),
        ("sample-empty-seed", ["sample", "nb201", "--seed", ""], "valid integer"),
        ("sample-zero-n", ["sample", "nb201", "-n", "0"], "greater than or equal"),
        ("sample-negative-n", ["sample", "nb201", "-n", "-5"], "greater than or equal"),
        ("sample-huge-n", ["sample", "nb201", "-n", "10000000000"], "less than or equal"),
        ("sample-nan-n", ["sample", "nb201", "-n", "nan"], "valid integer"),
        ("sample-fraction-n", ["sample", "nb201", "-n", "2.5"], "valid integer"),
        ("sample-unknown-space", ["sample", "nb999"], "unknown search space"),
        ("sample-empty-space", ["sample", ""], "unknown search space"),
        ("sample-wrong-case", ["sample", "NB201"], "unknown search space"),
        ("sample-unbounded-generic", ["sample", "generic"], "no op vocabulary"),
        # query: names and numbers rejected before any data is read
        ("query-unknown-benchmark", _query("nb999", BEST), "unknown benchmark"),
        ("query-empty-benchmark", _query("", BEST), "unknown benchmark"),
        ("query-space-not-benchmark", _query("darts_cell", BEST), "unknown benchmark"),
        ("query-negative-seed", _query("nb201", BEST, "--seed", "-1"), "greater than or equal"),
        ("query-negative-epoch", _query("nb201", BEST, "--epoch", "-1"), "greater than or equal"),
        ("query-nan-epoch", _query("nb201", BEST, "--epoch", "nan"), "valid integer"),
        ("query-float-epoch", _query("nb201", BEST, "--epoch", "1e9"), "valid integer"),
        ("query-inf-seed", _query("nb201", BEST, "--seed", "inf"), "valid integer"),
        ("query-missing-arch", ["query", "nb201"], "missing argument"),
        (
            "query-data-dir-missing",
            _query("nb201", BEST, "--data-dir", "{tmp}/absent"),
            "does not exist",
        ),
        (
            "query-data-dir-file",
            _query("nb201", BEST, "--data-dir", "{tmp}/file.txt"),
            "is not a directory",
        ),
        # NB201 strings
        ("nb201-garbage", _query("nb201", "|bad|"), "not an NB201 architecture string"),
        ("nb201-empty", _query("nb201", ""), "not an NB201 architecture string"),
        ("nb201-truncated", _query("nb201", BEST[:-20]), "not an NB201 architecture string"),
        ("nb201-unknown-op", _query("nb201", BEST.replace("skip_connect", "conv")), "unknown"),
        ("nb201-wrong-input", _query("nb201", BEST.replace("~2|", "~1|")), "input indices"),
        ("nb201-doubled", _query("nb201", BEST + BEST), "not an NB201 architecture string"),
        ("nb201-not-utf8", _query("nb201", "\udcff\udcfe"), "not an NB201 architecture string"),
        ("nb201-huge", _query("nb201", "|" * 100_000), "not an NB201 architecture string"),
        ("nb201-given-json", _query("nb201", NB101_CELL), "not an NB201 architecture string"),
        # NB101 cells (JSON adjacency + ops)
        ("nb101-not-json", _query("nb101", "{adjacency"), "not a NAS-Bench-101 architecture"),
        ("nb101-deep", _query("nb101", "[" * 100_000), "nested too deeply"),
        ("nb101-long-number", _query("nb101", "1" * 5000), "too many digits"),
        ("nb101-list", _query("nb101", "[1, 2]"), "needs"),
        ("nb101-no-ops", _query("nb101", '{"adjacency": [[0, 1], [0, 0]]}'), "needs"),
        (
            "nb101-unknown-op",
            _query("nb101", NB101_CELL.replace("conv3x3-bn-relu", "conv9x9")),
            "unknown op",
        ),
        (
            "nb101-lower-triangular",
            _query("nb101", NB101_CELL.replace("[0, 0, 1], [0, 0, 0]", "[1, 0, 1], [0, 0, 0]")),
            "upper triangular",
        ),
        (
            "nb101-not-square",
            _query("nb101", '{"adjacency": [[0, 1], [0]], "ops": ["input", "output"]}'),
            "adjacency",
        ),
        (
            "nb101-too-big",
            _query("nb101", json.dumps({"adjacency": [[0] * 9] * 9, "ops": ["input"] * 9})),
            "more than 7",
        ),
        (
            "nb101-disconnected",
            _query("nb101", '{"adjacency": [[0, 0], [0, 0]], "ops": ["input", "output"]}'),
            "no path",
        ),
        # DARTS genotypes (NAS-Bench-301 through NASLib's benchmark)
        ("darts-garbage", _query("naslib-nb301", "Genotype("), "not a DARTS genotype"),
        ("darts-nb201-string", _query("naslib-nb301", BEST), "not a DARTS genotype"),
        ("darts-missing-field", _query("naslib-nb301", "Genotype(normal=[])"), "lacks field"),
        (
            "darts-huge-range",
            _query("naslib-nb301", GENOTYPE.replace("[2, 3, 4, 5]", "range(10**12)", 1)),
            "normal_concat must be",
        ),
        (
            "darts-long-range",
            _query("naslib-nb301", GENOTYPE.replace("[2, 3, 4, 5]", "range(1000000000000)", 1)),
            "normal_concat must be",
        ),
        (
            "darts-unknown-op",
            _query("naslib-nb301", GENOTYPE.replace("dil_conv_3x3", "conv_9x9")),
            "unknown DARTS op",
        ),
        (
            "darts-input-twice",
            _query(
                "naslib-nb301", GENOTYPE.replace("('sep_conv_3x3', 1)", "('skip_connect', 0)", 1)
            ),
            "uses input 0 twice",
        ),
        (
            "darts-bad-pairs",
            _query("naslib-nb301", GENOTYPE.replace("('dil_conv_3x3', 2)", "7")),
            "a DARTS edge is",
        ),
        ("darts-nested", _query("naslib-nb301", "(" * 300), "not a DARTS genotype"),
        ("darts-not-utf8", _query("naslib-nb301", "Genotype(\udcff)"), "not a DARTS genotype"),
        # NAS-Bench-Graph (JSON link + ops)
        ("nbg-not-json", _query("nasbench_graph", "gat,gcn"), "not a NAS-Bench-Graph"),
        ("nbg-no-ops", _query("nasbench_graph", '{"link": [0, 0, 1, 2]}'), "expected"),
        (
            "nbg-bad-link",
            _query("nasbench_graph", GNN.replace("[0, 0, 1, 2]", "[0, 5, 1, 2]")),
            "link[1]",
        ),
        (
            "nbg-float-link",
            _query("nasbench_graph", GNN.replace("[0, 0, 1, 2]", "[0, 0, 1, 2.5]")),
            "link[3]",
        ),
        ("nbg-unknown-op", _query("nasbench_graph", GNN.replace("cheb", "mlp")), "unknown"),
        (
            "nbg-only-skip",
            _query(
                "nasbench_graph", '{"link": [0, 0, 1, 2], "ops": ["skip", "skip", "skip", "skip"]}'
            ),
            "only skip",
        ),
        ("nbg-deep", _query("nasbench_graph", "[" * 100_000), "nested too deeply"),
        # data list / import
        ("list-data-dir-missing", ["data", "list", "--data-dir", "{tmp}/absent"], "does not exist"),
        ("list-data-dir-file", ["data", "list", "--data-dir", "{tmp}/file.txt"], "not a directory"),
        ("import-unknown", ["data", "import", "nb999"], "unknown benchmark"),
        ("import-unknown-later", ["data", "import", "nb201", "nb999"], "unknown benchmark"),
        (
            "import-data-dir-missing",
            ["data", "import", "nb201", "--data-dir", "{tmp}/absent"],
            "does not exist",
        ),
        (
            "import-data-dir-file",
            ["data", "import", "nb201", "--data-dir", "{tmp}/file.txt"],
            "not a directory",
        ),
        ("import-unknown-option", ["data", "import", "--bogus"], "no such option"),
    ]
)
def test_foundation_commands_reject_bad_input(workspace, args, fragment):
    assert_input_error([a.replace("{tmp}", str(workspace)) for a in args], fragment)


def _graphs(file: str, *extra: str) -> list[str]:
    return ["data", "import-graphs", f"{{tmp}}/{file}", "--name", "fuzz-byo", *extra]


@cases(
    [
        ("missing-file", _graphs("absent.jsonl"), "does not exist"),
        ("directory", _graphs("dir"), "not a regular file"),
        ("device", ["data", "import-graphs", "/dev/null", "--name", "x"], "not a regular file"),
        ("empty", _graphs("empty.jsonl"), "holds no architectures"),
        ("blank-lines", _graphs("blank.jsonl"), "holds no architectures"),
        ("binary", _graphs("binary.jsonl"), "not UTF-8"),
        ("latin-1", _graphs("latin1.jsonl"), "not UTF-8"),
        ("truncated", _graphs("truncated.jsonl"), "line 2: malformed JSON"),
        ("deeply-nested", _graphs("deep.jsonl"), "line 1: malformed JSON"),
        ("not-an-object", _graphs("list.jsonl"), "expected a JSON object"),
        ("no-ops-column", _graphs("no_graph.jsonl"), '"ops"'),
        ("no-metric", _graphs("no_metric.jsonl"), "no numeric metric"),
        ("string-metric", _graphs("string_metric.jsonl"), "no numeric metric"),
        ("nan-metric", _graphs("nan.jsonl"), "not a finite number"),
        ("huge-metric", _graphs("huge.jsonl"), "too large"),
        ("nested-op", _graphs("nested_ops.jsonl"), "list of op names"),
        ("bad-adjacency", _graphs("bad_adjacency.jsonl"), "line 1"),
        ("ragged-adjacency", _graphs("ragged.jsonl"), "line 1"),
        ("cycle", _graphs("cycle.jsonl"), "line 1: the graph has a cycle"),
        ("disconnected", _graphs("disconnected.jsonl"), "no path"),
        ("duplicate", _graphs("duplicate.jsonl"), "repeats the architecture"),
        ("duplicate-suggests", _graphs("duplicate.jsonl"), "pass --duplicates first or"),
        (
            "duplicates-counted",
            _graphs("duplicates.jsonl"),
            "2 architectures appear more than once (first: line 3 repeats the architecture of "
            "line 2",
        ),
        ("duplicate-isomorphic", _graphs("isomorphic.jsonl"), "line 2 repeats the architecture"),
        (
            "duplicate-explicit-error",
            _graphs("duplicate.jsonl", "--duplicates", "error"),
            "1 architecture appears more than once",
        ),
        ("duplicates-unknown-mode", _graphs("good.jsonl", "--duplicates", "last"), "not a mode"),
        ("duplicates-empty-mode", _graphs("good.jsonl", "--duplicates", ""), "error, first, mean"),
        ("duplicates-wrong-case", _graphs("good.jsonl", "--duplicates", "MEAN"), "not a mode"),
        ("duplicates-no-value", _graphs("good.jsonl", "--duplicates"), "requires an argument"),
        (
            "duplicates-mode-before-file",
            _graphs("absent.jsonl", "--duplicates", "median"),
            "not a mode",
        ),
        (
            "duplicates-first-bad-line",
            _graphs("duplicate_then_bad.jsonl", "--duplicates", "first"),
            "line 3: malformed JSON",
        ),
        (
            "duplicates-mean-bad-line",
            _graphs("duplicate_then_bad.jsonl", "--duplicates", "mean"),
            "line 3: malformed JSON",
        ),
        (
            "duplicates-mean-no-metric",
            _graphs("duplicate_huge.jsonl", "--duplicates", "mean"),
            "line 3: no numeric metric",
        ),
        ("unknown-op", _graphs("good.jsonl", "--ops", "conv"), "unknown op 'pool'"),
        ("empty-ops", _graphs("good.jsonl", "--ops", ","), "names no op"),
        ("max-nodes-one", _graphs("good.jsonl", "--max-nodes", "1"), "greater than or equal"),
        ("max-nodes-nan", _graphs("good.jsonl", "--max-nodes", "nan"), "valid integer"),
        ("max-nodes-small", _graphs("good.jsonl", "--max-nodes", "3"), "more than --max-nodes"),
        ("empty-dataset", _graphs("good.jsonl", "--dataset", " "), "--dataset"),
        (
            "bad-name",
            ["data", "import-graphs", "{tmp}/good.jsonl", "--name", "a b"],
            "benchmark name",
        ),
        (
            "builtin-name",
            ["data", "import-graphs", "{tmp}/good.jsonl", "--name", "nb201"],
            "built-in",
        ),
        ("missing-name", ["data", "import-graphs", "{tmp}/good.jsonl"], "missing option"),
    ]
)
def test_import_graphs_rejects_bad_files(workspace, args, fragment):
    assert_input_error([a.replace("{tmp}", str(workspace)) for a in args], fragment)


@pytest.fixture
def user_benchmark(workspace: Path) -> str:
    """A two-architecture user benchmark in the session cache."""
    from archembed.benchmarks.user import import_graphs

    import_graphs(workspace / "good.jsonl", USER)
    return USER


def _user_query(arch: object, *extra: str) -> list[str]:
    text = arch if isinstance(arch, str) else json.dumps(arch)
    return ["query", USER, text, "--dataset", "default", "--metric", "acc", *extra]


CHAIN_POOL = {**CHAIN, "ops": ["input", "pool", "output"]}
LONG_CHAIN = {
    "adjacency": [[int(j == i + 1) for j in range(6)] for i in range(6)],
    "ops": ["input", "conv", "conv", "pool", "conv", "output"],
}


@cases(
    [
        ("unknown-dataset", [*_user_query(CHAIN), "--dataset", "cifar10"], "unknown dataset"),
        ("unknown-metric", [*_user_query(CHAIN), "--metric", "loss"], "unknown metric"),
        ("epoch-given", _user_query(CHAIN, "--epoch", "5"), "omit --epoch"),
        ("huge-epoch", _user_query(CHAIN, "--epoch", "9" * 25), "omit --epoch"),
        ("seed-given", _user_query(CHAIN, "--seed", "3"), "seed 3"),
        ("huge-seed", _user_query(CHAIN, "--seed", "9" * 25), "available seeds"),
        ("not-in-table", _user_query(CHAIN_POOL), "have no acc"),
        ("unknown-op", _user_query({**CHAIN, "ops": ["input", "relu", "output"]}), "unknown op"),
        ("not-json", _user_query("{adjacency"), "not an architecture"),
        ("too-big", _user_query(LONG_CHAIN), "more than the space's maximum of 4"),
    ]
)
def test_query_of_a_user_benchmark_rejects_bad_requests(user_benchmark, args, fragment):
    assert_input_error(args, fragment)


@cases(
    [
        ("ambiguous-epoch", _query("nb201", BEST), "choose one"),
        (
            "unknown-dataset",
            [*_query("nb201", BEST, "--epoch", "200"), "--dataset", "mnist"],
            "unknown dataset",
        ),
        ("unknown-metric", _query("nb201", BEST, "--epoch", "200", "--metric", "acc"), "metric"),
        ("unknown-epoch", _query("nb201", BEST, "--epoch", "13"), "unknown epoch"),
        ("huge-epoch", _query("nb201", BEST, "--epoch", "9" * 25), "unknown epoch"),
        ("unknown-seed", _query("nb201", BEST, "--epoch", "200", "--seed", "5"), "seed 5"),
        ("huge-seed", _query("nb201", BEST, "--epoch", "200", "--seed", "9" * 25), "seed"),
    ]
)
def test_query_of_nb201_rejects_unavailable_requests(nb201_bench, args, fragment):
    assert_input_error(args, fragment)


SPACE_OF = {
    "nb201": "nb201",
    "nb101": "nb101",
    "darts": "naslib-nb301",
    "nasbench_graph": "nasbench_graph",
}
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=8)
        | st.dictionaries(
            st.sampled_from(["adjacency", "ops", "link", "normal", "x"]) | st.text(max_size=6),
            inner,
            max_size=4,
        )
    ),
    max_leaves=30,
)
NATIVE_LIKE = (
    st.text(max_size=120)
    | JSONISH.map(json.dumps)
    | st.lists(st.tuples(st.text(max_size=14), st.integers(-2, 9)), max_size=10).map(repr)
    | st.lists(st.sampled_from(["|", "~", "+", "0", "1", "none", "skip_connect"]), max_size=40).map(
        "".join
    )
    | st.text(alphabet="()[]{},'\"0123456789 Genotype=normalreduce_concat", max_size=120)
)


@pytest.mark.parametrize("space_name", ["nb201", "nb101", "darts", "darts_cell", "nasbench_graph"])
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=NATIVE_LIKE)
def test_from_native_raises_only_user_errors(space_name, text):
    from archembed.spaces.base import get_space

    space = get_space(space_name)
    try:
        graph = space.from_native(text)
    except UserError:
        return
    assert space.from_native(space.to_native(graph)) == graph


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=NATIVE_LIKE)
def test_from_native_of_a_generic_space_raises_only_user_errors(text):
    from archembed.spaces.generic import GenericSpace

    space = GenericSpace(["conv", "pool"], 6)
    try:
        graph = space.from_native(text)
    except UserError:
        return
    assert space.from_native(space.to_native(graph)) == graph


@pytest.mark.parametrize("space_name", sorted(SPACE_OF))
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=NATIVE_LIKE)
def test_query_with_a_random_architecture_is_one_line(space_name, text):
    from archembed.spaces.base import get_space

    try:
        get_space(space_name).from_native(text)
    except UserError:
        pass
    else:
        return  # a valid architecture: the request would read the benchmark
    assert_input_error(["query", SPACE_OF[space_name], text, "--dataset", "x"], "")


def test_sample_json_is_a_list_of_strings():
    result = invoke(["sample", "nb201", "-n", "3", "--seed", "7", "--json"])
    natives = json.loads(result.stdout)
    assert result.code == 0 and len(natives) == 3 and all(isinstance(n, str) for n in natives)


def test_spaces_json_sizes_are_numbers():
    result = invoke(["spaces", "--json", "--quiet"])
    rows = {row["space"]: row for row in json.loads(result.stdout)}
    assert result.code == 0 and rows["nb201"]["size"] == 15625
    assert rows["generic"]["size"] is None and isinstance(rows["nb101"]["max_nodes"], int)
