"""arch2vec on small or variable-size benchmarks: padding counts as unlinked twins (the default
recipe then learns the adjacency offset), and a few hundred cells train for enough steps."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from archembed.encoders.arch2vec import DEFAULT_EPOCHS, FALLBACK_EPOCHS, Arch2VecConfig
from archembed.encoders.arch2vec.config import MIN_STEPS
from archembed.encoders.arch2vec.data import graph_batch
from archembed.graph import ArchGraph
from archembed.nn.graph_autoencoder import GraphAutoencoder, decode_predictions, unlinked_twins
from archembed.spaces import get_space
from archembed.spaces.generic import GenericSpace

OPS = ("input", "conv", "output")


def _chain(size: int) -> ArchGraph:
    adj = np.eye(size, k=1, dtype=int).tolist()
    return ArchGraph(adj, ("input", *["conv"] * (size - 2), "output"))


@pytest.mark.parametrize(("size", "expected"), [(5, False), (4, False), (3, True), (2, True)])
def test_two_padded_vertices_are_unlinked_twins(size: int, expected: bool) -> None:
    adj, ops = _chain(size).to_tensors(OPS, 5)
    batch = graph_batch(adj[None], ops[None])
    assert unlinked_twins(batch.adj, batch.codes, 4).tolist() == [expected]


def test_with_the_offset_padded_vertices_get_no_latent_and_no_edge() -> None:
    adj, ops = _chain(3).to_tensors(OPS, 5)
    batch = graph_batch(adj[None], ops[None])
    plain = GraphAutoencoder(len(OPS), (8,), 4).eval()
    means = plain.encode(batch.adj, batch.ops, batch.mask)[0]
    assert torch.equal(means[0, 3], means[0, 4]) and means[0, 3].abs().sum() > 0
    offset = GraphAutoencoder(len(OPS), (8,), 4, adj_offset=True).eval()
    with torch.no_grad():
        offset.adj_bias.fill_(-1.0)
    means = offset.encode(batch.adj, batch.ops, batch.mask)[0]
    assert not means[0, 3:].any()
    _, edges = decode_predictions(*offset.decode(means))
    assert not edges[0, 3:].any() and not edges[0, :, 3:].any()


class _Finite(GenericSpace):
    """A generic space of a known number of architectures (as an imported benchmark)."""

    def __init__(self, name: str, size: int) -> None:
        super().__init__(OPS, 5, name)
        self.size = size


def test_small_spaces_train_at_least_min_steps() -> None:
    config = Arch2VecConfig()  # batch 64, 10 % held out
    small = _Finite("mine", 725)  # 653 training cells: 11 batches per epoch
    assert config.n_epochs(small) == -(-MIN_STEPS // 11) == 273
    assert config.with_options(batch_size=16).n_epochs(small) == -(-MIN_STEPS // 41)
    assert config.with_options(epochs=5).n_epochs(small) == 5  # explicit epochs win


def test_large_and_paper_spaces_keep_their_epochs() -> None:
    config = Arch2VecConfig()
    assert config.n_epochs(get_space("nasbench_graph")) == FALLBACK_EPOCHS  # 26,206 cells
    assert config.n_epochs(_Finite("nb201", 100)) == DEFAULT_EPOCHS["nb201"]
    assert config.n_epochs(GenericSpace(OPS, 5)) == FALLBACK_EPOCHS  # size unknown
