"""Graph statistics, the MLP ranker on them and GATES / TA-GATES with statistics, on real NB201
cells."""

from __future__ import annotations

import numpy as np
import pytest

from archembed.encoders import ENCODERS, load_encoder
from archembed.encoders.graph_stats import graph_statistics, statistic_names
from archembed.graph import ArchGraph
from archembed.predictors.metrics import kendall_tau
from archembed.spaces.base import get_space

FAST = {"epochs": 25, "min_steps": 0, "batch_size": 50, "lr": 3e-3}
SMALL = {
    "mlp-stats": {"hidden": [64, 64]},
    "tagates-stats": {
        "op_dim": 16,
        "input_dim": 16,
        "hidden": [32] * 4,
        "backward_dim": 16,
        "head": [32],
    },
    "gates-stats": {"op_dim": 8, "input_dim": 8, "hidden": [16] * 4, "head": [16]},
}


def stats_of(space, text: str) -> dict[str, float]:
    graph = space.from_native(text)
    return dict(zip(statistic_names(space), graph_statistics(space, [graph])[0]))


def test_statistics_count_what_reaches_the_output():
    space = get_space("nb201")
    # 0 -conv3-> 1 -conv3-> 2 -conv3-> 3, with a skip 0 -> 3 and dead edges elsewhere
    chain = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"
    stats = stats_of(space, chain)
    assert stats["count:nor_conv_3x3"] == 3 and stats["count:skip_connect"] == 1
    assert stats["max_on_path:nor_conv_3x3"] == 3 and stats["min_on_path:nor_conv_3x3"] == 0
    assert stats["mean_on_path:nor_conv_3x3"] == pytest.approx(1.5)
    assert stats["log_paths"] == pytest.approx(np.log(2))
    assert stats["connected"] == 1
    dead = "|none~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|"
    assert not any(stats_of(space, dead).values())


def test_statistics_ignore_vertices_no_signal_crosses():
    adj = np.zeros((5, 5), dtype=int)
    for i, j in [(0, 1), (1, 4), (0, 2), (2, 3)]:  # 2 -> 3 leads nowhere
        adj[i, j] = 1
    space = get_space("nb101")
    live = ArchGraph(adj, ["input", "conv3x3-bn-relu", "conv3x3-bn-relu", "maxpool3x3", "output"])
    stats = dict(zip(statistic_names(space), graph_statistics(space, [live])[0]))
    assert stats["count:conv3x3-bn-relu"] == 1 and stats["count:maxpool3x3"] == 0
    assert stats["live_vertices"] == 3 and stats["longest"] == stats["shortest"] == 2


@pytest.fixture(scope="module")
def nb201_slice(nb201_labelled_split):
    return nb201_labelled_split(seed=0, n_train=150, n_test=600)


@pytest.mark.parametrize("name", ["mlp-stats", "tagates-stats", "gates-stats"])
def test_predictors_on_statistics_rank_unseen_architectures(name, nb201_slice, tmp_path):
    train, y_train, test, y_test = nb201_slice
    model = ENCODERS.get(name)("nb201", **SMALL[name], **FAST).fit(train, y_train)
    scores = model.predict(test)
    assert scores.shape == (len(test),)
    assert kendall_tau(y_test, scores) > 0.5
    assert np.isfinite(model.transform(test[:5])).all()
    restored = load_encoder(model.save(tmp_path / name))
    assert np.allclose(restored.predict(test[:20]), scores[:20], atol=1e-6)


@pytest.mark.parametrize("name", ["mlp-stats", "tagates-stats", "gates-stats"])
def test_training_is_deterministic_given_a_seed(name, nb201_slice):
    train, y_train, test, _ = nb201_slice
    params = {**SMALL[name], "epochs": 3, "min_steps": 0, "batch_size": 50}
    first, again, other = (
        ENCODERS.get(name)("nb201", seed=seed, **params).fit(train, y_train).predict(test)
        for seed in (4, 4, 5)
    )
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_tagates_stats_encoding_ends_with_the_scaled_statistics(nb201_slice):
    train, y_train, test, _ = nb201_slice
    params = {**SMALL["tagates-stats"], "epochs": 2, "min_steps": 0}
    model = ENCODERS.get("tagates-stats")("nb201", **params).fit(train, y_train)
    stats = ENCODERS.get("graphstats")("nb201").fit(train).transform(test[:5])
    assert np.allclose(model.transform(test[:5])[:, -stats.shape[1] :], stats, atol=1e-6)


def test_gates_stats_needs_no_proxies_and_reads_the_statistics_next_to_its_state(nb201_slice):
    assert ENCODERS.get("gates-stats").applies_to("nb101")
    ENCODERS.get("gates-stats")("nb101")
    train, y_train, test, _ = nb201_slice
    params = {**SMALL["gates-stats"], "epochs": 2, "min_steps": 0}
    model = ENCODERS.get("gates-stats")("nb201", **params).fit(train, y_train)
    stats = ENCODERS.get("graphstats")("nb201").fit(train).transform(test[:5])
    assert np.allclose(model.transform(test[:5])[:, -stats.shape[1] :], stats, atol=1e-6)
