import numpy as np
import pytest
import torch

from archembed.encoders.locality import (
    LocalityConfig,
    locality_batch,
    positive_samples,
    pretrain_locality,
)
from archembed.encoders.nao import NAOEncoder
from archembed.errors import ConfigError, TrainingDivergedError
from archembed.spaces.base import get_space


@pytest.mark.parametrize("name", ["nb101", "nb201"])
def test_positives_are_valid_nearby_and_different(name):
    space = get_space(name)
    rng = np.random.default_rng(0)
    for anchor in space.sample(20, rng):
        positives = positive_samples(space, anchor, 7, 3, rng)
        assert len(positives) == 7
        assert all(space.is_valid(p) and p != anchor for p in positives)
        distances = [anchor.edit_distance(p) for p in positives]
        assert max(distances) <= 3 and min(distances) >= 1


def test_batch_labels_group_anchor_and_positives():
    space = get_space("nb201")
    rng = np.random.default_rng(1)
    graphs, labels = locality_batch(space, space.sample(4, rng), 7, 3, rng)
    assert len(graphs) == 32
    assert np.array_equal(labels, np.repeat(np.arange(4), 8))


def test_bad_configuration_is_rejected():
    with pytest.raises(ConfigError, match="lambda_e"):
        LocalityConfig(lambda_e=-0.1)
    with pytest.raises(ConfigError, match="unknown metric loss"):
        LocalityConfig(loss="arcface")
    with pytest.raises(ConfigError, match="unknown miner"):
        LocalityConfig(miner="hard")


def _cosine_gap(encoder, space, seed):
    """Mean cosine similarity of anchor-positive pairs minus that of random pairs."""
    rng = np.random.default_rng(seed)
    anchors = space.sample(100, rng)
    near = [positive_samples(space, a, 1, 3, rng)[0] for a in anchors]
    far = space.sample(100, rng)
    za, zn, zf = (encoder.transform(g) for g in (anchors, near, far))
    za, zn, zf = (z / np.linalg.norm(z, axis=1, keepdims=True) for z in (za, zn, zf))
    return float((za * zn).sum(1).mean() - (za * zf).sum(1).mean())


def test_metric_loss_makes_neighbours_closer_and_resume_is_exact(tmp_path):
    space = get_space("nb201")
    base = {"anchors": 320, "anchors_per_batch": 16, "seed": 3}
    plain = NAOEncoder(space, hidden=16, seed=3)
    pretrain_locality(plain, LocalityConfig(loss="none", epochs=2, **base), progress=False)
    metric = NAOEncoder(space, hidden=16, seed=3)
    history = pretrain_locality(
        metric, LocalityConfig(loss="margin", lambda_e=1.0, epochs=2, **base), progress=False
    )
    assert history[-1]["metric"] < history[0]["metric"]
    assert _cosine_gap(metric, space, 7) > _cosine_gap(plain, space, 7)
    assert metric.pretraining["loss"] == "margin"

    checkpoint = tmp_path / "ckpt.pt"
    resumed = NAOEncoder(space, hidden=16, seed=3)
    first = LocalityConfig(loss="margin", lambda_e=1.0, epochs=1, **base)
    pretrain_locality(resumed, first, checkpoint=checkpoint, progress=False)
    again = NAOEncoder(space, hidden=16, seed=3)
    second = LocalityConfig(loss="margin", lambda_e=1.0, epochs=2, **base)
    resumed_history = pretrain_locality(again, second, checkpoint=checkpoint, progress=False)
    losses = ("epoch", "reconstruction", "metric", "loss")
    assert [{k: row[k] for k in losses} for row in resumed_history] == [
        {k: row[k] for k in losses} for row in history
    ]
    for name, value in metric.model_.state_dict().items():
        assert torch.equal(value, again.model_.state_dict()[name]), name
    with pytest.raises(ConfigError, match="another configuration"):
        other = LocalityConfig(loss="angular", epochs=2, **base)
        pretrain_locality(NAOEncoder(space, hidden=16), other, checkpoint=checkpoint)


def test_positives_skip_excluded_cells_and_never_loop_forever():
    space = get_space("nb201")
    rng = np.random.default_rng(3)
    anchor = space.sample(1, rng)[0]
    neighbours = space.neighbours(anchor)
    kept = neighbours[0]
    exclude = {g.exact_key for g in neighbours[1:]}
    positives = positive_samples(space, anchor, 5, 1, rng, exclude)
    assert [p.exact_key for p in positives] == [kept.exact_key] * 5
    everything = exclude | {kept.exact_key}
    assert len(positive_samples(space, anchor, 3, 1, rng, everything)) == 3


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"lambda_e": float("nan")}, "lambda_e must be a finite number in [0, 1], got nan"),
        ({"anchors": 1}, "anchors must be a whole number"),
        ({"epochs": 0}, "epochs must be a whole number"),
        ({"positives": 10**6}, "positives must be a whole number in [1, 1000]"),
        ({"seed": -1}, "seed"),
    ],
)
def test_out_of_range_options_are_rejected(options, message):
    with pytest.raises(ConfigError) as raised:
        LocalityConfig(**options)
    assert message in str(raised.value)


def test_a_nan_loss_stops_pretraining_before_any_checkpoint(tmp_path):
    encoder = NAOEncoder("nb201", hidden=16)
    with torch.no_grad():
        next(encoder.build().parameters()).fill_(float("nan"))
    checkpoint = tmp_path / "checkpoint.pt"
    expected = "locality training diverged at epoch 1: reconstruction loss is nan"
    with pytest.raises(TrainingDivergedError, match=expected):
        pretrain_locality(
            encoder, LocalityConfig(anchors=8, epochs=2), checkpoint=checkpoint, progress=False
        )
    assert not checkpoint.exists()
