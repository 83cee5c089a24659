"""DeepSets: shapes, permutation invariance, and independence from the number of points."""

from __future__ import annotations

import pytest
import torch

from archembed.nn.deepsets import DeepSets


def test_output_shape_and_permutation_invariance() -> None:
    torch.manual_seed(0)
    model = DeepSets(in_dim=5, hidden=8, out_dim=6)
    sets = torch.randn(3, 7, 5)
    out = model(sets)
    assert out.shape == (3, 6)
    shuffled = sets[:, torch.randperm(7)]
    torch.testing.assert_close(model(shuffled), out)
    assert not torch.allclose(out[0], out[1])


def test_repeating_every_point_leaves_the_mean_pooled_embedding_unchanged() -> None:
    torch.manual_seed(1)
    model = DeepSets(in_dim=4, hidden=8, out_dim=3, layers=1)
    sets = torch.randn(2, 5, 4)
    torch.testing.assert_close(model(torch.cat([sets, sets], dim=1)), model(sets))


def test_rejects_unbatched_input_and_empty_mlps() -> None:
    with pytest.raises(ValueError, match="batch, n_points, dim"):
        DeepSets(4)(torch.randn(5, 4))
    with pytest.raises(ValueError, match="at least one layer"):
        DeepSets(4, layers=0)
