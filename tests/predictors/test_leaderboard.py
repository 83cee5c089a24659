"""The leaderboard: its metrics on hand-made arrays, the model-selection hook, a tiny run."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

from archembed.predictors import leaderboard
from archembed.predictors.leaderboard import (
    LeaderboardPlan,
    fit_predictor,
    open_store,
    run_leaderboard,
    scores,
    summarise,
)
from archembed.predictors.metrics import best_rank_at_k, precision_at_share


def test_precision_at_share_uses_the_floor_of_the_share():
    truth = np.arange(200.0)  # the top 1% (K = 2) are 199 and 198
    guess = truth.copy()
    guess[198] = -1.0  # 198 falls out of the predicted top 2
    assert precision_at_share(truth, guess, 0.01) == 0.5
    assert precision_at_share(truth, truth, 0.05) == 1.0
    assert precision_at_share(truth, -truth, 0.05) == 0.0
    assert precision_at_share(truth[:50], truth[:50], 0.01) == 1.0  # K at least 1


def test_n_at_k_is_the_best_true_rank_among_the_predicted_top_k():
    truth = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    assert best_rank_at_k(truth, truth, 2) == 1
    assert best_rank_at_k(truth, -truth, 2) == 4  # predicted best: the two worst cells
    assert best_rank_at_k(truth, np.array([0.0, 0.0, 1.0, 0.0, 0.9]), 2) == 3
    assert best_rank_at_k(truth, -truth, 10) == 1  # K above n looks at every cell


def test_scores_of_a_perfect_and_a_reversed_ranking():
    truth = np.linspace(0, 1, 300)
    best, worst = scores(truth, truth), scores(truth, -truth)
    assert best == {"kendall_tau": 1.0, "spearman": 1.0, "p@1%": 1.0, "p@5%": 1.0, "n@10": 1.0}
    assert worst["kendall_tau"] == -1.0 and worst["n@10"] == 291.0 and worst["p@5%"] == 0.0


class Recorder:
    """A predictor that records what it is given and predicts the first op's index."""

    name = "recorder"
    has_std = False
    predicts_values = True
    seen: ClassVar[list[tuple[str, list]]] = []

    def fit(self, graphs, y, validation=None):
        Recorder.seen.append(("fit", list(graphs)))
        Recorder.seen.append(("validation", list(validation[0])))
        return self

    def predict(self, graphs, return_std=False):
        Recorder.seen.append(("predict", list(graphs)))
        return np.array([len(g.ops[1]) for g in graphs], dtype=float)


class Plain:
    def fit(self, graphs, y):
        self.n = len(graphs)
        return self


def test_the_hook_gives_validation_cells_only_to_predictors_that_take_them():
    plain = fit_predictor(Plain(), ["a", "b"], np.zeros(2), (["c"], np.zeros(1)))
    assert plain.n == 2
    recorder = fit_predictor(Recorder(), ["a"], np.zeros(1), (["c"], np.zeros(1)))
    assert Recorder.seen[-1] == ("validation", ["c"])
    assert isinstance(recorder, Recorder)


def _plan(**changes) -> LeaderboardPlan:
    fields = dict(
        benchmark="nb201",
        dataset="cifar10-valid",
        metric="val_acc",
        epoch=200,
        protocol="tagates",
        sizes=[20, 40],
        split_seeds=[2021],
        seeds=[0],
        specs=["onehot+gp"],
    )
    return LeaderboardPlan(**{**fields, **changes})


def test_no_predictor_sees_a_test_cell(nb201_bench, tmp_path, monkeypatch):
    Recorder.seen.clear()
    monkeypatch.setattr(leaderboard, "build_predictor", lambda *a, **k: Recorder())
    plan = _plan(specs=["mlp"], sizes=[20])
    run_leaderboard(nb201_bench, plan, open_store(tmp_path, plan, 15625), progress=False)
    seen = dict(Recorder.seen)
    keys = {name: {nb201_bench.space.identity(g) for g in graphs} for name, graphs in seen.items()}
    assert (len(seen["fit"]), len(seen["validation"]), len(seen["predict"])) == (20, 40, 7772)
    assert not keys["predict"] & (keys["fit"] | keys["validation"])
    assert not keys["fit"] & keys["validation"]


def test_a_tiny_leaderboard_runs_scores_and_resumes(nb201_bench, tmp_path, monkeypatch):
    plan = _plan()
    results = run_leaderboard(nb201_bench, plan, open_store(tmp_path, plan, 15625), False)
    assert [(r["n_train"], r["n_test"], r["n_valid"]) for r in results] == [
        (20, 7772, 40),
        (40, 7772, 40),
    ]
    assert all(0.0 < r["kendall_tau"] < 1.0 and r["fit_seconds"] > 0 for r in results)
    rows = summarise(results)
    assert [row["n_train"] for row in rows] == [20, 40]
    assert rows[0]["kendall_tau"]["mean"] == pytest.approx(results[0]["kendall_tau"])

    def refuse(*args, **kwargs):
        raise AssertionError("a stored run was trained again")

    monkeypatch.setattr(leaderboard, "build_predictor", refuse)
    again = run_leaderboard(nb201_bench, plan, open_store(tmp_path, plan, 15625), False)
    assert again == results


def test_the_kendall_tau_plot_is_a_png(tmp_path):
    from archembed.viz.leaderboard import plot_kendall_tau

    rows = [
        {"predictor": name, "share": share, "kendall_tau": {"mean": tau, "std": std}}
        for name, std in (("a", 0.02), ("b", None))
        for share, tau in ((0.01, 0.5), (0.1, 0.7))
    ]
    path = plot_kendall_tau(rows, "test", tmp_path / "tau.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def test_all_predictors_keeps_only_those_that_apply_to_the_space():
    """``--predictors all`` on a space without shipped proxies leaves out the proxy predictors."""
    on_nb201 = leaderboard.all_predictors("nb201")
    on_nb101 = leaderboard.all_predictors("nb101")
    with_proxies = {"mlp-unified", "gates-unified", "gates-unified-ens"}
    assert with_proxies <= set(on_nb201)
    assert not with_proxies & set(on_nb101)
    assert {"gates", "tagates"} <= set(on_nb101)
    assert set(on_nb101) < set(on_nb201)
