"""Embedding evaluations on real NB201 data: predictive power, smoothness, sequences, quality."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from archembed.encoders.arch2vec import Arch2Vec
from archembed.encoders.baseline import OneHotEncoder
from archembed.encoders.precomputed import PrecomputedEncoder
from archembed.evaluation.neighbours import greedy_chain, neighbour_sequence
from archembed.evaluation.predictive import predictive_power, predictive_power_of
from archembed.evaluation.pretraining import pretraining_quality
from archembed.evaluation.smoothness import pairwise_edit_distances, random_walk, smoothness
from archembed.predictors import EmbeddingPredictor, make_predictor
from archembed.spaces import get_space


@pytest.fixture(scope="module")
def small_model():
    space = get_space("nb201")
    graphs = space.sample(800, np.random.default_rng(0))
    encoder = Arch2Vec(space, hidden=(32, 32), latent_dim=8, epochs=2, validity_samples=0)
    return encoder.fit(graphs, progress=False)


def test_gp_predicts_real_nb201_accuracy_from_embeddings(nb201_bench, small_model) -> None:
    graphs, acc = nb201_bench.labels("cifar10-valid", "val_acc", 200)
    seeds = [0, 1, 2, 3, 4]  # a 2-epoch model: single seeds scatter around its small Pearson r
    result = predictive_power_of(small_model, graphs[:3000], acc[:3000], n_train=100, seeds=seeds)
    assert [r["seed"] for r in result["runs"]] == seeds
    assert all(r["n_test"] < int((acc[:3000] > 80).sum()) for r in result["runs"])
    assert result["pearson_mean"] > 0.1 and 0 < result["rmse_mean"] < 10
    shuffled = predictive_power_of(
        small_model,
        graphs[:3000],
        np.random.default_rng(0).permutation(acc[:3000]),
        n_train=100,
        seeds=[0],
    )
    assert result["pearson_mean"] > shuffled["pearson_mean"] + 0.1


def test_prediction_filter_drops_test_archs_predicted_under_the_threshold() -> None:
    # Two clusters: A (accuracy 95) and B (accuracy 10, except a few at 90). The GP predicts
    # about 10 on all of B, so B's 90s are test archs above 80 predicted far below it: the
    # official Fig. 2 filter drops them, the plain one keeps them.
    rng = np.random.default_rng(0)
    u = rng.uniform(-1, 1, 600)
    X = np.stack([np.repeat([1.0, -1.0], 300) + 0.1 * u, np.zeros(600)], axis=1)
    y = np.concatenate([95 + 2 * u[:300], 10 + 2 * u[300:]])
    y[300:340] = 90.0
    space = get_space("nb201")
    graphs = space.enumerate()[:600]
    table = PrecomputedEncoder(space, [space.identity(g) for g in graphs], X)
    predictor = EmbeddingPredictor(table, make_predictor("gp"))
    result = predictive_power(predictor, graphs, y, n_train=250, seeds=[0, 1])
    filtered = result["prediction_filtered"]
    assert result["rmse_mean"] > 10 and filtered["rmse_mean"] < 5
    assert 0.5 < filtered["kept_share"] < 1
    assert all(r["n_kept"] < r["n_test"] for r in result["runs"])
    everything = predictive_power(predictor, graphs, y, n_train=250, threshold=-1e9, seeds=[0])
    assert everything["prediction_filtered"]["rmse_mean"] == pytest.approx(everything["rmse_mean"])


def test_pairwise_edit_distances_match_archgraph() -> None:
    space = get_space("nb101")
    graphs = space.sample(12, np.random.default_rng(1))
    expected = np.array([[a.edit_distance(b) for b in graphs] for a in graphs])
    assert np.array_equal(pairwise_edit_distances(graphs), expected)


def test_random_walk_takes_single_edits_and_smoothness_summarises(small_model) -> None:
    walk = random_walk(small_model.space, 30, np.random.default_rng(0))
    assert len(walk) == 31
    assert all(a.edit_distance(b) == 1 for a, b in itertools.pairwise(walk))
    result = smoothness(small_model, steps=60, seed=0)
    assert result["walk"]["edit_to_start"][0] == 0 and len(result["walk"]["l2_step"]) == 60
    assert sum(r["pairs"] for r in result["by_edit_distance"]) == 61 * 60 // 2
    assert result["by_edit_distance"][0]["edit_distance"] in (0, 1)  # walks may revisit
    assert result["spearman_edit_vs_l2"] > 0  # farther in edits, farther in latent space


def test_greedy_chain_visits_nearest_unvisited() -> None:
    points = np.array([[0.0], [10.0], [1.0], [3.0]])
    assert greedy_chain(points, 0, 4) == [0, 2, 3, 1]


def test_neighbour_sequence_is_decoded_and_pretraining_quality(small_model) -> None:
    pool = small_model.space.sample(200, np.random.default_rng(2))
    summary, cells = neighbour_sequence(small_model, pool, length=5, seed=0)
    assert summary["decoded"] and len(cells) == 5 and len(summary["sequence"]) == 5
    assert summary["sequence"][0]["edit_to_previous"] is None
    quality = pretraining_quality(small_model, n_samples=300)
    assert 0 <= quality["reconstruction_accuracy"] <= 1
    assert set(quality["reconstruction_elementwise"]) == {"ops", "adjacency"}
    train, standard = quality["samples"]
    assert (train["prior"], standard["prior"]) == ("train", "standard")
    assert train["op_validity"] >= train["validity"]
    assert train["paper_validity"] >= train["op_validity"]  # NB201: skips vertex 1, adjacency
    assert 0 <= train["paper_uniqueness"] <= 1
    with pytest.raises(Exception, match="no decoder"):
        pretraining_quality(OneHotEncoder("nb201"))
