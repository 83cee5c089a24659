import numpy as np
import pytest
import torch

from archembed.encoders.baseline import OneHotEncoder
from archembed.encoders.nao import NAOEncoder
from archembed.errors import ConfigError
from archembed.search.base import STRATEGIES
from archembed.search.nao import NAOStrategy


def _search(strategy, bench, budget):
    queried, scores = [], []
    while len(queried) < budget:
        graphs = strategy.ask(10)
        values = bench.query(graphs, "cifar10-valid", "val_acc", epoch=200)
        strategy.tell(graphs, values)
        queried += graphs
        scores += list(values)
    return queried, np.asarray(scores)


def test_nao_proposes_new_valid_cells_better_than_random(nb201_bench):
    space = nb201_bench.space
    strategy = STRATEGIES.get("nao")(
        space, np.random.default_rng(0), n_init=20, train_epochs=60, top_k=10
    )
    queried, scores = _search(strategy, nb201_bench, 60)
    assert len({space.identity(g) for g in queried}) == 60
    assert all(space.is_valid(g) for g in queried)
    assert strategy.stats_["rounds"] == 4 and strategy.stats_["ascent"] >= 10
    assert strategy.stats_["ascent"] + strategy.stats_["random_fill"] == 40
    random_scores = nb201_bench.query(
        space.sample(200, np.random.default_rng(1)), "cifar10-valid", "val_acc", epoch=200
    )
    assert np.median(scores[20:]) > np.median(random_scores) + 1.0


def test_pretrained_controller_is_copied_not_modified(nb201_bench):
    space = nb201_bench.space
    controller = NAOEncoder(space, hidden=16, seed=0).fit(
        space.sample(50, np.random.default_rng(0)), epochs=1
    )
    weights = {k: v.clone() for k, v in controller.model_.state_dict().items()}
    strategy = NAOStrategy(
        space, np.random.default_rng(0), encoder=controller, n_init=10, train_epochs=2
    )
    _search(strategy, nb201_bench, 20)
    assert strategy.controller is not controller
    assert all(torch.equal(v, controller.model_.state_dict()[k]) for k, v in weights.items())


def test_wrong_encoder_or_settings_are_config_errors(nb201_bench):
    space = nb201_bench.space
    with pytest.raises(ConfigError, match="NAO controller"):
        NAOStrategy(space, np.random.default_rng(0), encoder=OneHotEncoder(space))
    with pytest.raises(ConfigError):
        NAOStrategy(space, np.random.default_rng(0), max_steps=0)


def test_nao_runs_through_the_search_loop_with_a_pretrained_controller(nb201_bench):
    from archembed.benchmarks.protocols import MetricRequest
    from archembed.encoders.locality import LocalityConfig, pretrain_locality
    from archembed.search.base import make_strategy
    from archembed.search.budget import Budget
    from archembed.search.loop import run_search
    from archembed.search.objectives import BenchmarkObjective

    objective = BenchmarkObjective(
        nb201_bench,
        MetricRequest("cifar10-valid", "val_acc", 200),
        test=MetricRequest("cifar10-valid", "test_acc", 200),
    )
    controller = NAOEncoder(nb201_bench.space, hidden=16, seed=0)
    pretrain_locality(controller, LocalityConfig(anchors=64, epochs=1), progress=False)
    rng = np.random.default_rng(0)
    strategy = make_strategy(
        "nao", objective.space, rng, encoder=controller, n_init=10, train_epochs=5
    )
    trajectory, _ = run_search(strategy, objective, Budget(queries=30), rng)
    assert len(trajectory) == 30 and trajectory["arch"].nunique() == 30
    assert (trajectory["regret"] >= 0).all()
    assert trajectory["regret"].iloc[-1] <= trajectory["regret"].iloc[9]
    assert set(trajectory["round"].value_counts()) == {10}
