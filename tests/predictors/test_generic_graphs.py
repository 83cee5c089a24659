"""Every predictor on an imported benchmark it has never seen (issue #21, item 3).

The fixture is a JSON-lines file imported like a user's: an op vocabulary with names no
built-in space uses (dots, dashes, digits), graphs of 4 to 9 vertices with several inputs per
vertex. The target rewards one op and the number of edges, so a predictor that reads the
graph ranks it well above chance.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy.stats import kendalltau
from tests.cli.fuzzing import assert_input_error, cases, invoke

from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.nn.flow import GatedFlow
from archembed.spaces.generic import GenericSpace

NAME = "generic-graphs"
OPS = ("gat.x", "sage-2", "zz_pool", "k9", "id0")
SHORT = {"epochs": 30, "min_steps": 0}
SUPERVISED = {
    "gates": SHORT,
    "tagates": {**SHORT, "steps": 2},
    "mlp": {"epochs": 30},
    "mlp-path": {"epochs": 30},
    "lstm": {"epochs": 30},
    "gcn": {"epochs": 30},
}
HEADS = ("onehot+rf", "onehot+gp", "path+rf", "onehot+lightgbm")


def _score(graph: ArchGraph) -> float:
    return 50.0 + 4.0 * graph.ops.count("k9") + float(graph.adj.sum())


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory):
    """The imported benchmark (about 150 distinct graphs)."""
    from archembed.benchmarks import load_benchmark
    from archembed.benchmarks.user import import_graphs

    graphs = GenericSpace(OPS, 9).sample(220, np.random.default_rng(1))
    path = tmp_path_factory.mktemp("generic") / "archs.jsonl"
    path.write_text("".join(json.dumps({**g.to_dict(), "acc": _score(g)}) + "\n" for g in graphs))
    import_graphs(path, NAME, duplicates="first")
    return load_benchmark(NAME)


def _split(bench):
    graphs = bench.graphs()
    y = np.asarray(bench.query(graphs, "default", "acc"))
    n = len(graphs) * 2 // 3
    return graphs[:n], y[:n], graphs[n:], y[n:]


def test_fixture_has_an_unusual_vocabulary_and_sizes(bench):
    sizes = {g.n_nodes for g in bench.graphs()}
    assert set(bench.space.ops) == {"input", "output", *OPS}
    assert min(sizes) <= 5 and max(sizes) == 9
    assert any(g.adj.sum(axis=0).max() >= 3 for g in bench.graphs())  # several inputs


@pytest.mark.parametrize("name", sorted(SUPERVISED))
def test_supervised_predictors_rank_generic_graphs(bench, name):
    from archembed.predictors.models import build_predictor, parse_spec

    train, y_train, test, y_test = _split(bench)
    model = build_predictor(parse_spec(name), bench.space, 0, {name: SUPERVISED[name]})
    model.fit(train, y_train)
    predicted = np.asarray(model.predict(test))
    assert predicted.shape == y_test.shape
    assert kendalltau(predicted, y_test)[0] > 0.3


@pytest.mark.parametrize("spec", HEADS)
def test_embedding_heads_rank_generic_graphs(bench, spec):
    from archembed.predictors.arch import EmbeddingPredictor
    from archembed.predictors.models import fitted_embedder, make_predictor, parse_spec

    train, y_train, test, y_test = _split(bench)
    parsed = parse_spec(spec)
    encoder = fitted_embedder(parsed, bench.space, train + test)
    model = EmbeddingPredictor(encoder, make_predictor(str(parsed.head), seed=0))
    predicted = np.asarray(model.fit(train, y_train).predict(test))
    assert kendalltau(predicted, y_test)[0] > 0.3


def test_op_embeddings_are_one_per_vocabulary_entry(bench):
    from archembed.encoders.gates import GATES

    model = GATES(bench.space, **SHORT).fit(*_split(bench)[:2])
    assert model.model_.op_table.in_features == len(bench.space.ops) == len(OPS) + 2


def test_reverse_flow_follows_the_users_dag():
    """Backward information leaves the output and reaches, pass by pass, exactly the vertices
    with a path to it of that many hops; a vertex on no path to the output gets none."""
    adj = np.zeros((6, 6))
    for i, j in [(0, 1), (0, 2), (1, 3), (2, 3), (3, 5), (0, 4), (1, 4)]:
        adj[i, j] = 1.0  # vertex 4 is a dead end: no path to the output 5
    flow = GatedFlow(4, 3, 4, self_loops=False)
    x = torch.zeros(1, 6, 4)
    x[0, 5] = 1.0
    adj_t = torch.as_tensor(adj, dtype=torch.float32)[None]
    ops = torch.randn(1, 6, 3)
    reached = []
    with torch.no_grad():
        for _ in range(3):
            x = flow(x, ops, adj_t, reverse=True)
            reached.append({int(v) for v in torch.nonzero(x[0].abs().sum(-1) > 0)})
    assert reached[0] == {3, 5}  # the output keeps its own map; its predecessor 3 is reached
    assert reached[1] >= {1, 2, 3} and 4 not in reached[1]
    assert 0 in reached[2] and 4 not in reached[2]


def test_tagates_space_specific_options_fail_clearly(bench):
    from archembed.encoders.tagates import TAGATES

    with pytest.raises(ConfigError, match="builds none for space 'generic-graphs'"):
        TAGATES(bench.space, symmetry="add")
    with pytest.raises(ConfigError, match="has none"):
        TAGATES(bench.space, update_ops="conv")
    assert TAGATES(bench.space, symmetry="noise").symmetry == "noise"


PREDICT = [
    "predict",
    "--benchmark",
    NAME,
    "--train-share",
    "0.8",
    "--fractions",
    "0.5",
    "--seeds",
    "1",
]
PREDICT += ["--out"]


@cases(
    [
        (
            "zero-cost-symmetry",
            ["--encoders", "tagates", "--param", "tagates.symmetry=add"],
            "needs zero-cost saliencies",
        ),
        (
            "conv-only-update",
            ["--encoders", "tagates", "--param", "tagates.update_ops=conv"],
            "update_ops 'conv'",
        ),
    ]
)
def test_predict_rejects_space_specific_options(bench, tmp_path, args, fragment):
    assert_input_error([*PREDICT, str(tmp_path / "p"), *args], fragment)


def test_predict_and_bo_search_run_on_the_imported_benchmark(bench, tmp_path: Path):
    gates = ["--param", "gates.epochs=5", "--param", "gates.min_steps=0"]
    result = invoke([*PREDICT, str(tmp_path / "p"), "--encoders", "gates,onehot+rf", *gates])
    assert result.code == 0, result.stderr
    search = ["search", "--benchmark", NAME, "--strategy", "bo", "--encoder", "onehot"]
    result = invoke([*search, "--queries", "14", "--seeds", "1", "--out", str(tmp_path / "s")])
    assert result.code == 0, result.stderr
