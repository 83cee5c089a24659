import pytest
import torch

from archembed.errors import UnknownNameError
from archembed.nn.ranking import pairwise_hinge_loss, prediction_loss, sample_pairs


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


def test_sampled_pairs_are_a_random_subset_of_the_ordered_pairs():
    targets = torch.arange(10.0).reshape(10, 1)
    better = (targets.unsqueeze(1) > targets.unsqueeze(0)).float()  # 45 ordered pairs
    kept = sample_pairs(better, 12, torch.Generator().manual_seed(0))
    assert kept.sum().item() == 12 and bool((kept <= better).all())
    again = sample_pairs(better, 12, torch.Generator().manual_seed(0))
    other = sample_pairs(better, 12, torch.Generator().manual_seed(1))
    assert torch.equal(kept, again) and not torch.equal(kept, other)
    assert torch.equal(sample_pairs(better, 100, torch.Generator()), better)
    scores = torch.linspace(1.0, 0.0, 10)  # every pair in the wrong order
    sampled = pairwise_hinge_loss(scores, targets[:, 0], 0.1, 12, torch.Generator())
    assert sampled.item() > 0 and torch.isfinite(sampled)
