"""Dense GIN: permutation equivariance, padding isolation, trainable eps."""

from __future__ import annotations

import torch

from archembed.nn.gin import DenseGINLayer, GINEncoder


def _graph(nodes: int = 5, features: int = 3) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    adj = torch.triu((torch.rand(1, nodes, nodes, generator=gen) > 0.5).float(), diagonal=1)
    return adj + adj.transpose(1, 2), torch.rand(1, nodes, features, generator=gen)


def test_gin_is_permutation_equivariant() -> None:
    torch.manual_seed(0)
    encoder = GINEncoder(3, [8, 8]).eval()
    adj, x = _graph()
    perm = torch.tensor([3, 0, 4, 1, 2])
    out = encoder(adj, x)
    out_perm = encoder(adj[:, perm][:, :, perm], x[:, perm])
    assert torch.allclose(out[:, perm], out_perm, atol=1e-5)
    assert out.shape == (1, 5, 8)


def test_padding_changes_neither_real_outputs_nor_stays_nonzero() -> None:
    torch.manual_seed(0)
    encoder = GINEncoder(3, [8]).eval()
    adj, x = _graph(4)
    padded_adj = torch.zeros(1, 6, 6)
    padded_adj[:, :4, :4] = adj
    padded_x = torch.zeros(1, 6, 3)
    padded_x[:, :4] = x
    mask = torch.tensor([[True] * 4 + [False] * 2])
    out = encoder(padded_adj, padded_x, mask)
    assert torch.allclose(out[:, :4], encoder(adj, x), atol=1e-5)
    assert torch.count_nonzero(out[:, 4:]) == 0


def test_batch_norm_statistics_ignore_padding() -> None:
    torch.manual_seed(0)
    layer = DenseGINLayer(3, 4).train()
    adj, x = _graph(4)
    padded_adj = torch.zeros(1, 6, 6)
    padded_adj[:, :4, :4] = adj
    padded_x = torch.zeros(1, 6, 3)
    padded_x[:, :4] = x
    mask = torch.tensor([[True] * 4 + [False] * 2])
    assert torch.allclose(layer(padded_adj, padded_x, mask)[:, :4], layer(adj, x), atol=1e-5)


def test_eps_is_trained() -> None:
    layer = DenseGINLayer(3, 4)
    adj, x = _graph()
    layer(adj, x).sum().backward()
    assert layer.eps.grad is not None and layer.eps.grad.abs().item() > 0
    frozen = DenseGINLayer(3, 4, train_eps=False)
    assert not frozen.eps.requires_grad
