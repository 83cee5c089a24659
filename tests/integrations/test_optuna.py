"""suggest_arch over every kind of space, and the embedding-BO sampler under Optuna's rules."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from archembed.errors import ConfigError, UnknownNameError
from archembed.graph import ArchGraph
from archembed.integrations.arch_params import arch_params, repair
from archembed.integrations.optuna import ArchSampler, suggest_arch
from archembed.spaces import get_space
from archembed.spaces.described import DescribedSpace
from archembed.spaces.generic import GenericSpace
from archembed.spaces.restricted import RestrictedSpace

optuna.logging.set_verbosity(optuna.logging.WARNING)
FAST_BO = {"n_init": 4, "fit_maxiter": 15}
"""A BO sampler that starts modelling after 4 trials and fits its GP briefly."""


pytestmark = pytest.mark.usefixtures("one_thread")


def spaces() -> dict[str, object]:
    nb201 = get_space("nb201")
    return {
        "nb201": nb201,
        "nats_sss": get_space("nats_sss"),
        "darts": get_space("darts"),
        "darts_cell": get_space("darts_cell"),
        "nb101": get_space("nb101"),
        "generic": GenericSpace(["conv", "pool"], max_nodes=5),
        "described": DescribedSpace(["conv", "pool"], max_nodes=4, max_edges=4),
        "subset": RestrictedSpace(nb201, nb201.sample(50, np.random.default_rng(0))),
    }


EXPECTED_KIND = {
    "nb201": "categorical",
    "nats_sss": "categorical",
    "darts": "categorical",
    "darts_cell": "categorical",
    "nb101": "dag",
    "generic": "dag",
    "described": "index",
    "subset": "index",
}


@pytest.mark.parametrize("name", sorted(EXPECTED_KIND))
def test_suggest_arch_samples_valid_architectures(name):
    space = spaces()[name]
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    found = []
    for _ in range(15):
        trial = study.ask()
        graph = suggest_arch(trial, space)
        assert space.is_valid(graph), space.to_native(graph)
        assert all(key.startswith("arch_") for key in trial.params)
        found.append(space.identity(graph))
        study.tell(trial, 0.0)
    assert len(set(found)) > 5
    assert arch_params(space).kind == EXPECTED_KIND[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_KIND))
def test_params_round_trip(name):
    """Every architecture has parameters that give exactly it back (what the sampler needs)."""
    space = spaces()[name]
    params = arch_params(space, "net")
    distributions = params.distributions()
    for graph in space.sample(20, np.random.default_rng(1)):
        values = params.params(graph)
        assert set(values) <= set(distributions)
        for key, value in values.items():
            assert distributions[key]._contains(distributions[key].to_internal_repr(value))
        assert params.decode(values) == graph


def test_nb201_has_one_categorical_per_edge():
    distributions = arch_params(get_space("nb201")).distributions()
    assert len(distributions) == 6
    assert all(len(d.choices) == 5 for d in distributions.values())


def test_nb101_repair_gives_cells_of_the_space():
    space = get_space("nb101")
    full = np.triu(np.ones((7, 7), dtype=np.uint8), k=1)
    ops = ["input", *["conv3x3-bn-relu"] * 5, "output"]
    repaired = repair(space, ArchGraph(full, ops))
    assert space.is_valid(repaired) and repaired.n_edges <= 9
    empty = repair(space, ArchGraph(np.zeros((7, 7), dtype=np.uint8), ops))
    assert empty.n_nodes == 2 and empty.n_edges == 1


def test_spaces_without_an_encoding_are_refused():
    with pytest.raises(ConfigError, match="no parameter encoding"):
        arch_params(GenericSpace())


def synthetic(trial: optuna.trial.BaseTrial) -> float:
    """Count of 3x3 convolutions in the cell, minus a penalty for 1x1 ones."""
    ops = suggest_arch(trial, get_space("nb201")).ops
    return ops.count("nor_conv_3x3") - 0.5 * ops.count("nor_conv_1x1")


def run(sampler: optuna.samplers.BaseSampler, trials: int, sign: float = 1.0) -> optuna.Study:
    study = optuna.create_study(direction="maximize" if sign > 0 else "minimize", sampler=sampler)
    study.optimize(lambda t: sign * synthetic(t), n_trials=trials)
    return study


def arch_sequence(study: optuna.Study) -> list[tuple[object, ...]]:
    return [tuple(sorted(t.params.items())) for t in study.trials]


def test_sampler_is_reproducible_by_seed_and_direction_free():
    space = get_space("nb201")
    first = run(ArchSampler(space, seed=3, **FAST_BO), 6)
    again = run(ArchSampler(space, seed=3, **FAST_BO), 6)
    other = run(ArchSampler(space, seed=4, **FAST_BO), 6)
    flipped = run(ArchSampler(space, seed=3, **FAST_BO), 6, sign=-1.0)
    assert arch_sequence(first) == arch_sequence(again) == arch_sequence(flipped)
    assert arch_sequence(first) != arch_sequence(other)
    assert len({t.params["arch_edge_0_1"] for t in first.trials} | {0}) > 1


def test_ask_tell_with_pruned_and_failed_trials_never_repeats_them():
    space = get_space("nb201")
    study = optuna.create_study(direction="maximize", sampler=ArchSampler(space, seed=0, **FAST_BO))
    seen = []
    for i in range(8):
        trial = study.ask()
        seen.append(space.identity(suggest_arch(trial, space)))
        if i % 3 == 1:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        elif i % 3 == 2:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            study.tell(trial, float(i))
    assert len(set(seen)) == len(seen)
    states = [t.state for t in study.trials]
    assert states.count(optuna.trial.TrialState.COMPLETE) == 3


def test_state_is_rebuilt_from_rdb_storage(tmp_path):
    """A new sampler on a stored study proposes what the one that ran it would propose."""
    space = get_space("nb201")
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    running = ArchSampler(space, seed=5, **FAST_BO)
    study = optuna.create_study(
        study_name="s", storage=storage, direction="maximize", sampler=running
    )
    study.optimize(synthetic, n_trials=5)
    resumed = optuna.load_study(
        study_name="s", storage=storage, sampler=ArchSampler(space, seed=5, **FAST_BO)
    )
    trial = resumed.ask()
    frozen = resumed.trials[-1]
    assert resumed.sampler.propose(resumed, frozen) == running.propose(study, frozen)
    graph = suggest_arch(trial, space)
    assert graph == running.propose(study, frozen)
    earlier = [arch_params(space).decode(t.params) for t in study.trials[:5]]
    assert graph not in earlier


@pytest.mark.parametrize("name", ["nb101", "generic"])
def test_sampler_on_spaces_too_large_to_list(name):
    """Repaired-DAG spaces: the strategy samples candidates; every trial gets a new valid cell."""
    space = spaces()[name]
    sampler = ArchSampler(space, seed=0, n_init=3, fit_maxiter=10, pool_size=200)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(lambda t: suggest_arch(t, space).n_edges, n_trials=5)
    graphs = [arch_params(space).decode(t.params) for t in study.trials]
    assert all(space.is_valid(g) for g in graphs)
    assert len({space.identity(g) for g in graphs}) == 5


def test_sampler_searches_darts_genotypes_with_the_shipped_cell_model():
    """``pretrained:arch2vec-darts`` (single cells) embeds genotypes cell by cell for BO."""
    space = get_space("darts")
    sampler = ArchSampler(
        space, encoder="pretrained:arch2vec-darts", seed=0, pool_size=100, **FAST_BO
    )
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(lambda t: suggest_arch(t, space).ops.count("sep_conv_3x3"), n_trials=6)
    graphs = [arch_params(space).decode(t.params) for t in study.trials]
    assert all(space.is_valid(g) for g in graphs)
    assert len({space.identity(g) for g in graphs}) == 6
    assert sampler.encoder.transform(graphs).shape == (6, 32)


def test_other_parameters_go_to_the_fallback_sampler():
    names = []

    class Recording(optuna.samplers.RandomSampler):
        def sample_independent(self, study, trial, param_name, param_distribution):
            names.append(param_name)
            return super().sample_independent(study, trial, param_name, param_distribution)

    space = get_space("nb201")
    sampler = ArchSampler(space, seed=0, fallback=Recording(seed=0), **FAST_BO)
    study = optuna.create_study(direction="maximize", sampler=sampler)

    def objective(trial):
        lr = trial.suggest_float("lr", 1e-3, 1e-1, log=True)
        return synthetic(trial) + lr

    study.optimize(objective, n_trials=5)
    assert names == ["lr"] * 5
    assert all(len(t.params) == 7 for t in study.trials)


def test_bad_configuration_fails_before_any_trial():
    space = get_space("nb201")
    with pytest.raises(ConfigError, match="n_init"):
        ArchSampler(space, n_init=0)
    with pytest.raises(UnknownNameError):
        ArchSampler(space, strategy="no-such-strategy")
    study = optuna.create_study(directions=["maximize", "maximize"], sampler=ArchSampler(space))
    with pytest.raises(ValueError, match="multi-objective"):
        study.optimize(lambda t: (synthetic(t), 0.0), n_trials=1)


@pytest.mark.slow
def test_bo_finds_better_nb201_cells_than_random(nb201_bench):
    """On the real table, embedding BO beats Optuna's random sampler at 40 trials (3 seeds)."""
    space = get_space("nb201")
    graphs, values = nb201_bench.labels("cifar10-valid", "val_acc", 200)
    table = {space.identity(g): float(v) for g, v in zip(graphs, values)}

    def objective(trial):
        return table[space.identity(suggest_arch(trial, space))]

    def best(sampler):
        study = optuna.create_study(direction="maximize", sampler=sampler)
        study.optimize(objective, n_trials=40)
        return study.best_value

    ours = [best(ArchSampler(space, seed=s, fit_maxiter=20)) for s in range(3)]
    random = [best(optuna.samplers.RandomSampler(seed=s)) for s in range(3)]
    assert np.mean(ours) > np.mean(random)
    assert max(values) - np.mean(ours) < 0.5
