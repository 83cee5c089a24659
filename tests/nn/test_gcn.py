"""Dense GCN: symmetric normalisation, shapes, masking, directed input accepted."""

from __future__ import annotations

import torch

from archembed.nn.gcn import DenseGCNLayer, GCNEncoder, normalized_adjacency


def test_normalized_adjacency_of_a_path() -> None:
    adj = torch.tensor([[[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]])
    norm = normalized_adjacency(adj)
    degree = torch.tensor([2.0, 3.0, 2.0])
    expected = (adj[0] + torch.eye(3)) / torch.sqrt(degree[:, None] * degree[None, :])
    assert torch.allclose(norm[0], expected)
    assert torch.equal(
        normalized_adjacency(torch.zeros(1, 2, 2), self_loops=False), torch.zeros(1, 2, 2)
    )


def test_layer_maps_b_n_f_to_b_n_h_and_masks_padding() -> None:
    torch.manual_seed(0)
    layer = DenseGCNLayer(4, 6)
    adj = torch.triu(torch.ones(2, 5, 5), diagonal=1)  # directed adjacency is fine too
    x = torch.rand(2, 5, 4)
    mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])
    out = layer(adj, x, mask)
    assert out.shape == (2, 5, 6)
    assert torch.count_nonzero(out[1, 3:]) == 0


def test_encoder_is_permutation_equivariant() -> None:
    torch.manual_seed(0)
    encoder = GCNEncoder(3, [8, 4])
    adj = torch.tensor([[[0, 1, 1, 0], [1, 0, 0, 1], [1, 0, 0, 1], [0, 1, 1, 0.0]]])
    x = torch.rand(1, 4, 3)
    perm = torch.tensor([2, 0, 3, 1])
    out = encoder(adj, x)
    assert torch.allclose(out[:, perm], encoder(adj[:, perm][:, :, perm], x[:, perm]), atol=1e-6)
    assert out.shape == (1, 4, 4) and (out >= 0).all()
