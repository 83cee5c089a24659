import pytest
import torch

from archembed.errors import UnknownNameError
from archembed.nn.ranking import pairwise_hinge_loss, prediction_loss


def test_hinge_is_zero_once_every_pair_is_ordered_by_the_margin():
    targets = torch.tensor([1.0, 2.0, 3.0])
    assert pairwise_hinge_loss(torch.tensor([0.0, 0.2, 0.4]), targets).item() == 0.0
    # reversed order: each of the 3 pairs costs margin + score gap
    reversed_loss = pairwise_hinge_loss(torch.tensor([0.4, 0.2, 0.0]), targets)
    assert reversed_loss.item() == pytest.approx((0.3 + 0.3 + 0.5) / 3)


def test_hinge_gradient_pushes_the_better_architecture_up():
    scores = torch.tensor([0.0, 0.0], requires_grad=True)
    pairwise_hinge_loss(scores, torch.tensor([2.0, 1.0])).backward()
    assert scores.grad[0] < 0 < scores.grad[1]


def test_ties_give_no_pairs_and_columns_add_up():
    assert pairwise_hinge_loss(torch.zeros(4), torch.ones(4)).item() == 0.0
    scores = torch.tensor([[0.0, 0.4], [0.2, 0.0]])
    targets = torch.tensor([[1.0, 1.0], [2.0, 2.0]])
    both = pairwise_hinge_loss(scores, targets)
    first = pairwise_hinge_loss(scores[:, 0], targets[:, 0])
    second = pairwise_hinge_loss(scores[:, 1], targets[:, 1])
    assert both.item() == pytest.approx(first.item() + second.item())


def test_mse_option_and_unknown_loss():
    assert prediction_loss("mse", torch.zeros(3), torch.ones(3)).item() == pytest.approx(1.0)
    with pytest.raises(UnknownNameError):
        prediction_loss("huber", torch.zeros(3), torch.ones(3))
