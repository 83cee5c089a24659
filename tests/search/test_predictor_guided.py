"""The ``predictor`` strategy: a supervised ranking predictor refitted each round guides search."""

import numpy as np
import pytest
from tests.nb201_search import all_nb201_cells, smooth

from archembed.errors import ConfigError, UserError
from archembed.experiments.config import BenchmarkSpec, StrategySpec, parse_config
from archembed.experiments.defaults import with_default_predictor
from archembed.experiments.runner import plan_runs, run_experiment
from archembed.search import make_strategy
from archembed.search.budget import Budget
from archembed.search.loop import run_search
from archembed.search.objectives import FunctionObjective
from archembed.spaces import get_space

FAST_GATES = {"epochs": 30, "min_steps": 0, "batch_size": 16, "lr": 3e-3, "threads": 1}


@pytest.fixture(scope="module")
def nb201():
    return all_nb201_cells()


def search(space, seed, budget=30, **params):
    strategy = make_strategy(
        "predictor", space, np.random.default_rng(seed), predictor="gates", **params
    )
    objective = FunctionObjective(smooth(space.base), space)
    trajectory, _ = run_search(strategy, objective, Budget(budget), np.random.default_rng(0))
    return trajectory


def test_the_predictor_rounds_find_better_cells_than_the_random_design(nb201):
    params = {"n_init": 10, "q": 10, "predictor_params": FAST_GATES}
    trajectory = search(nb201, seed=3, **params)
    scores = trajectory["score"].to_numpy()
    assert len(set(trajectory["arch"])) == 30  # never the same cell twice
    assert scores[10:].mean() > scores[:10].mean() + 1.0
    assert scores.max() >= 5.0  # six edges: five or six 3x3 convolutions
    again = search(nb201, seed=3, **params)
    assert list(again["arch"]) == list(trajectory["arch"])  # one seed, one trajectory


def test_a_sampled_pool_of_a_large_space_works_too():
    space = get_space("nb201")
    strategy = make_strategy(
        "predictor",
        space,
        np.random.default_rng(0),
        predictor="gates",
        predictor_params=FAST_GATES,
        n_init=6,
        q=4,
        pool_size=50,
        mutations=5,
    )
    assert not strategy.pool.exhaustive or space.size <= 15_625
    proposals = strategy.ask(6)
    strategy.tell(proposals, smooth(space)(proposals))
    assert len(strategy.ask(4)) == 4


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"predictor": "onehot"}, "supervised predictor"),
        ({"predictor": "onehot+gp"}, "supervised predictor"),
        ({"predictor": "no-such-model"}, "no-such-model"),
        ({"predictor_params": {"seed": 3}}, "seed comes from the search seed"),
        ({"predictor_params": {"no_such_option": 1}}, "no_such_option"),
        ({"predictor_params": [1, 2]}, "must be a mapping"),
        ({"q": 0}, "q"),
    ],
)
def test_bad_parameters_are_one_clear_error(nb201, params, message):
    with pytest.raises(UserError, match=message):
        make_strategy("predictor", nb201, np.random.default_rng(0), **params)


@pytest.mark.parametrize(
    ("dataset", "expected"),
    [
        ("cifar10-valid", {"predictor": "gates-unified"}),
        ("cifar100", {"predictor": "gates-unified"}),  # no cifar100 proxies: the cifar10 file
        (
            "ImageNet16-120",
            {"predictor": "gates-unified", "predictor_params": {"zc_dataset": "ImageNet16-120"}},
        ),
    ],
)
def test_on_nb201_the_default_predictor_is_gates_unified_on_the_searched_proxies(dataset, expected):
    bench = BenchmarkSpec(name="nb201", dataset=dataset)
    chosen = with_default_predictor(StrategySpec(name="predictor"), bench)
    assert chosen.params == expected


def test_a_named_predictor_and_other_strategies_keep_their_parameters():
    in16 = BenchmarkSpec(name="nb201", dataset="ImageNet16-120")
    named = StrategySpec(name="predictor", params={"predictor": "tagates"})
    assert with_default_predictor(named, in16).params == {"predictor": "tagates"}
    given = StrategySpec(
        name="predictor",
        params={"predictor": "gates-unified", "predictor_params": {"zc_dataset": "cifar10"}},
    )
    assert with_default_predictor(given, in16) == given
    bo = StrategySpec(name="bo")
    assert with_default_predictor(bo, in16) == bo
    elsewhere = BenchmarkSpec(name="nasbench_graph", dataset="cora")
    assert with_default_predictor(StrategySpec(name="predictor"), elsewhere).params == {}


def experiment(strategy, benchmarks=("nb201/cifar10-valid",)):
    return parse_config(
        {"name": "guided", "benchmarks": list(benchmarks), "strategies": [strategy], "seeds": 1}
    )


def test_planned_runs_record_the_default_predictor_per_dataset(data_root, tmp_path):
    benchmarks = ["nb201/cifar10-valid", "nb201/ImageNet16-120"]
    runs = plan_runs(experiment("predictor", benchmarks), tmp_path)
    assert [run.strategy.params for run in runs] == [
        {"predictor": "gates-unified"},
        {"predictor": "gates-unified", "predictor_params": {"zc_dataset": "ImageNet16-120"}},
    ]
    assert runs[1].config(experiment("predictor", benchmarks), 0)["strategy"]["params"] == (
        runs[1].strategy.params
    )  # the seed's config.yaml says which model guided it


def test_a_bad_predictor_parameter_fails_before_any_seed_is_written(data_root, tmp_path):
    strategy = {"name": "predictor", "params": {"predictor_params": {"no_such_option": 1}}}
    with pytest.raises(ConfigError, match="no_such_option"):
        run_experiment(experiment(strategy), tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()
