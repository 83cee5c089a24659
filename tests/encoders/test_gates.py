"""GATES, TA-GATES and the supervised baselines on a small slice of real NB201 data."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from archembed.encoders import ENCODERS, load_encoder
from archembed.errors import ConfigError
from archembed.predictors.metrics import kendall_tau

FAST = {"epochs": 25, "min_steps": 0, "batch_size": 50, "lr": 3e-3}
SMALL = {
    "gates": {"op_dim": 16, "input_dim": 16, "hidden": [32] * 4},
    "tagates": {
        "op_dim": 16,
        "input_dim": 16,
        "hidden": [32] * 4,
        "backward_dim": 16,
        "head": [32],
    },
    "mlp": {"hidden": [64, 64]},
    "mlp-path": {"hidden": [64, 64]},
    "lstm": {"hidden": 32},
    "gcn": {"hidden": [32, 32, 32]},
}


@pytest.fixture(scope="module")
def nb201_slice(nb201_bench):
    graphs, y = nb201_bench.labels("cifar10-valid", "val_acc", 200)
    order = np.random.default_rng(0).permutation(len(graphs))
    train, test = order[:150], order[150:750]
    early = nb201_bench.query([graphs[i] for i in train], "cifar10-valid", "val_acc", 12)
    return (
        [graphs[i] for i in train],
        y[train],
        early,
        [graphs[i] for i in test],
        y[test],
    )


@pytest.mark.parametrize("name", ["gates", "tagates", "mlp", "mlp-path", "lstm", "gcn"])
def test_trained_encoders_rank_unseen_architectures(name, nb201_slice, tmp_path):
    train, y_train, _, test, y_test = nb201_slice
    model = ENCODERS.get(name)("nb201", **SMALL[name], **FAST).fit(train, y_train)
    scores = model.predict(test)
    assert scores.shape == (len(test),)
    assert kendall_tau(y_test, scores) > 0.35
    encoding = model.transform(test[:5])
    assert encoding.ndim == 2 and encoding.shape[0] == 5 and np.isfinite(encoding).all()
    restored = load_encoder(model.save(tmp_path / name))
    assert np.allclose(restored.predict(test[:20]), scores[:20], atol=1e-6)


def test_training_is_deterministic_given_a_seed(nb201_slice):
    train, y_train, _, test, _ = nb201_slice
    params = {"epochs": 3, "min_steps": 0, "batch_size": 50, **SMALL["gates"]}
    first = ENCODERS.get("gates")("nb201", seed=4, **params).fit(train, y_train).predict(test)
    again = ENCODERS.get("gates")("nb201", seed=4, **params).fit(train, y_train).predict(test)
    other = ENCODERS.get("gates")("nb201", seed=5, **params).fit(train, y_train).predict(test)
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_tagates_anytime_scores_each_fidelity_from_its_step(nb201_slice):
    train, y_train, early, test, _ = nb201_slice
    targets = np.stack([early, y_train], axis=1)
    model = ENCODERS.get("tagates")("nb201", steps=3, symmetry="noise", **SMALL["tagates"], **FAST)
    scores = model.fit(train, targets).predict(test)
    assert scores.shape == (len(test), 2)
    assert model.model_.fidelity_steps == (2, 3)
    mse = ENCODERS.get("mlp")("nb201", loss="mse", **SMALL["mlp"], **FAST).fit(train, targets)
    values = mse.predict(test)
    assert mse.predicts_values and 0 < np.median(values[:, 1]) < 100


def test_bad_settings_are_user_errors(nb201_slice):
    train, y_train, _, _, _ = nb201_slice
    with pytest.raises(ConfigError):
        ENCODERS.get("tagates")("nb201", symmetry="shuffle")
    with pytest.raises(ConfigError):
        ENCODERS.get("gates")("nb201", loss="hinge2")
    with pytest.raises(ConfigError):
        ENCODERS.get("gates")("nb201").fit(train, None)
    with pytest.raises(ConfigError):
        ENCODERS.get("tagates")("nb201", steps=2, fidelity_steps=[3], epochs=1).fit(train, y_train)
    with pytest.raises(ConfigError):
        ENCODERS.get("gates")("nb201", schedule="step")
    with pytest.raises(ConfigError):
        ENCODERS.get("gates")("nb201", min_steps=-1)
    with pytest.raises(ConfigError):
        ENCODERS.get("gates")("nb201", pair_ratio=0)


def test_small_training_sets_get_at_least_min_steps():
    model = ENCODERS.get("gates")("nb201", epochs=200, batch_size=128)
    assert model.min_steps == 2000
    assert model.epochs_for(78) == 2000  # one batch per epoch
    assert model.epochs_for(391) == 500  # four batches per epoch
    assert model.epochs_for(7813) == 200  # already more steps than the minimum
    assert ENCODERS.get("gates")("nb201", min_steps=0).epochs_for(78) == 200
    assert ENCODERS.get("mlp")("nb201").min_steps == 0  # the baselines keep plain epochs
    assert model.pair_ratio == 4 and ENCODERS.get("mlp")("nb201").pair_ratio is None


def test_gates_flow_defaults_follow_the_paper(nb201_slice):
    train, y_train, _, test, _ = nb201_slice
    model = ENCODERS.get("gates")("nb201", **SMALL["gates"], epochs=1, min_steps=0)
    inputs = model._inputs(train[:4])
    skip = model.space.ops.index("skip_connect")
    assert torch.equal(inputs["open_gate"], inputs["ops"][..., skip])
    net = model.fit(train, y_train).model_
    assert all(flow.self_map is None for flow in net.flow.passes) and net.flow.relu
    assert any(isinstance(layer, torch.nn.Dropout) for layer in net.head)
    assert net.head[0].out_features == 200
    tagates = ENCODERS.get("tagates")("nb201")
    assert tagates.head == (300,) * 5 and tagates.backward_dim == 128
    constant = ENCODERS.get("gates")(
        "nb201", **SMALL["gates"], epochs=2, min_steps=0, schedule="constant"
    )
    assert np.isfinite(constant.fit(train, y_train).predict(test[:5])).all()


def test_tagates_zero_cost_symmetry_breaking_uses_real_saliencies(nb201_slice):
    train, y_train, _, _, _ = nb201_slice
    cells = train[:3]  # each costs a real network build and backward passes
    model = ENCODERS.get("tagates")(
        "nb201", symmetry="add", epochs=2, min_steps=0, batch_size=3, **SMALL["tagates"]
    ).fit(cells, y_train[:3])
    assert np.isfinite(model.saliency_scale_).all() and (model.saliency_scale_ > 0).all()
    saliency = model._inputs(cells)["saliency"]
    assert saliency.shape == (3, 8, 5) and saliency.abs().sum() > 0
    assert saliency[:, [0, 7]].abs().sum() == 0  # input and output carry no parameters
    assert np.isfinite(model.predict(cells)).all()
    other_seed = ENCODERS.get("tagates")("nb201", symmetry="add", seed=1, **SMALL["tagates"])
    assert np.array_equal(other_seed._raw_saliency(cells), model._raw_saliency(cells))


def test_tagates_detached_update_changes_gradients_not_outputs(nb201_slice):
    train, y_train, _, _, _ = nb201_slice
    model = ENCODERS.get("tagates")("nb201", steps=3, epochs=1, min_steps=0, **SMALL["tagates"])
    net = model.fit(train[:20], y_train[:20]).model_
    inputs = model._inputs(train[:8])
    outputs, grads = [], []
    for detach in (False, True):
        net.detach_update = detach
        net.zero_grad()
        scores, _ = net(**inputs)
        scores.sum().backward()
        outputs.append(scores.detach())
        grads.append(net.op_table.weight.grad.clone())
    assert torch.allclose(outputs[0], outputs[1])
    assert not torch.allclose(grads[0], grads[1])


def test_tagates_conv_only_update_leaves_other_operations_fixed(nb201_slice):
    train, y_train, _, _, _ = nb201_slice
    with pytest.raises(ConfigError, match="update_ops"):
        ENCODERS.get("tagates")("nb201", update_ops="pool")
    model = ENCODERS.get("tagates")(
        "nb201", steps=3, epochs=1, min_steps=0, update_ops="conv", **SMALL["tagates"]
    )
    net = model.fit(train[:20], y_train[:20]).model_
    assert net.updatable.tolist() == [float("conv" in op) for op in model.space.ops]
    space = model.space
    no_conv = space.from_native(
        "|skip_connect~0|+|avg_pool_3x3~0|skip_connect~1|+|none~0|avg_pool_3x3~1|skip_connect~2|"
    )
    with_conv = space.from_native(
        "|nor_conv_3x3~0|+|avg_pool_3x3~0|skip_connect~1|+|none~0|nor_conv_1x1~1|skip_connect~2|"
    )
    net.eval()
    with torch.no_grad():
        fixed, moved = (net.encodings(**model._inputs([cell])) for cell in (no_conv, with_conv))
    assert all(torch.allclose(fixed[0], step) for step in fixed[1:])  # nothing to update
    assert not torch.allclose(moved[0], moved[-1])


@pytest.mark.parametrize(
    ("name", "params", "fragment"),
    [
        ("gates", {"op_dim": 0}, "op_dim must be a whole number in [1,"),
        ("gates", {"input_dim": -3}, "input_dim"),
        ("gates", {"hidden": []}, "hidden must be a non-empty list"),
        ("gates", {"hidden": [32, 0]}, "hidden width"),
        ("gates", {"head": "wide"}, "head must be a non-empty list"),
        ("gates", {"dropout": 1.0}, "dropout must be a finite number in [0, 1), got 1.0"),
        ("gates", {"dropout": float("nan")}, "dropout"),
        ("gates", {"op_init_std": -1.0}, "op_init_std"),
        ("tagates", {"steps": 0}, "TA-GATES steps"),
        ("tagates", {"steps": 10**6}, "TA-GATES steps"),
        ("tagates", {"step_size": float("inf")}, "step_size"),
        ("tagates", {"backward_dim": 0}, "backward_dim"),
        ("tagates", {"noise_scale": -0.1}, "noise_scale"),
        ("tagates", {"proxies": ["params"]}, "unknown TA-GATES proxy 'params'"),
        ("tagates", {"saliency_setting": "huge"}, "unknown saliency_setting 'huge'"),
        ("tagates", {"saliency_seed": -1}, "saliency_seed"),
        ("mlp", {"hidden": [64, -1]}, "hidden width"),
        ("lstm", {"hidden": 0}, "hidden"),
        ("lstm", {"layers": 0}, "layers"),
        ("gcn", {"hidden": 7}, "hidden must be a non-empty list"),
    ],
)
def test_bad_parameters_fail_when_the_model_is_made(name, params, fragment):
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        ENCODERS.get(name)("nb201", **params)


@pytest.mark.parametrize("name", ["gates", "lstm"])
def test_an_interrupted_fit_resumes_bit_identical(name, nb201_slice, tmp_path):
    train, y_train, _, test, _ = nb201_slice
    params = {**SMALL[name], **FAST, "schedule": "constant", "seed": 3}
    straight = ENCODERS.get(name)("nb201", **dict(params, epochs=4)).fit(train, y_train)
    checkpoint = tmp_path / "run.pt"
    ENCODERS.get(name)("nb201", **dict(params, epochs=2)).fit(train, y_train, checkpoint=checkpoint)
    resumed = ENCODERS.get(name)("nb201", **dict(params, epochs=4))
    resumed.fit(train, y_train, checkpoint=checkpoint)
    for key, value in straight.model_.state_dict().items():
        assert torch.equal(resumed.model_.state_dict()[key], value), key
    assert np.array_equal(resumed.predict(test[:20]), straight.predict(test[:20]))
    with pytest.raises(ConfigError, match="another configuration"):
        ENCODERS.get(name)("nb201", **dict(params, lr=1e-2)).fit(
            train, y_train, checkpoint=checkpoint
        )
