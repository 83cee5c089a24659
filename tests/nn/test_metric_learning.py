import pytest
import torch

from archembed.errors import ConfigError
from archembed.nn.metric_learning import METRIC_LOSSES, make_metric_loss


def _clusters(spread: float) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    centres = torch.randn(6, 8, generator=generator) * 3
    labels = torch.arange(6).repeat_interleave(8)
    points = centres[labels] + spread * torch.randn(48, 8, generator=generator)
    return points, labels


@pytest.mark.parametrize("name", list(METRIC_LOSSES))
def test_each_loss_prefers_the_true_grouping(name):
    loss = make_metric_loss(name, miner="none")
    points, labels = _clusters(0.3)
    shuffled = labels[torch.randperm(48, generator=torch.Generator().manual_seed(1))]
    true_value, shuffled_value = loss(points, labels), loss(points, shuffled)
    assert torch.isfinite(shuffled_value)
    assert true_value < shuffled_value


@pytest.mark.parametrize("name", ["triplet", "margin", "angular"])
def test_default_miners_give_gradients(name):
    points, labels = _clusters(2.0)
    points.requires_grad_(True)
    value = make_metric_loss(name)(points, labels)
    value.backward()
    assert points.grad is not None and points.grad.abs().sum() > 0


def test_no_metric_loss_is_zero():
    points, labels = _clusters(1.0)
    loss = make_metric_loss("none")
    assert not loss.active
    assert float(loss(points, labels)) == 0.0


def test_unknown_names_are_config_errors():
    with pytest.raises(ConfigError, match="unknown metric loss"):
        make_metric_loss("cosface")
    with pytest.raises(ConfigError, match="unknown miner"):
        make_metric_loss("margin", miner="hardest")
