"""arch2vec's ``dag`` recipe: directed GIN layers, vertex positions and a learned symmetric form
in the decoder, for cells in a fixed vertex layout; plain configs and saved models unchanged."""

from __future__ import annotations

import numpy as np
import torch

from archembed.encoders import load_encoder
from archembed.encoders.arch2vec import Arch2Vec, Arch2VecConfig
from archembed.nn.gin import DenseGINLayer
from archembed.nn.graph_autoencoder import GraphAutoencoder, decode_predictions
from archembed.spaces import get_space

DIAMOND = [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]]


def test_directed_layer_tells_predecessors_from_successors() -> None:
    torch.manual_seed(0)
    chain = torch.tensor([[[0.0, 1, 0], [1, 0, 1], [0, 1, 0]]])
    x = torch.rand(1, 3, 4)
    swapped = x[:, [2, 1, 0]]  # the middle vertex's predecessor and successor trade features
    symmetric, directed = DenseGINLayer(4, 8).eval(), DenseGINLayer(4, 8, directed=True).eval()
    assert torch.allclose(symmetric(chain, x)[0, 1], symmetric(chain, swapped)[0, 1])
    assert not torch.allclose(directed(chain, x)[0, 1], directed(chain, swapped)[0, 1])


def test_bilinear_decoder_leaves_alike_vertices_unlinked_without_an_offset() -> None:
    twin = torch.tensor([1.0, 2.0])
    z = torch.stack([torch.tensor([2.0, -1.0]), twin, twin, torch.tensor([-1.0, -3.0])])[None]
    model = GraphAutoencoder(4, (8,), 2, adj_decoder="bilinear")
    assert torch.equal(model.adj_form.detach(), torch.diag(torch.tensor([1.0, -1.0])))
    _, edges = decode_predictions(*model.decode(z))
    assert torch.equal(edges[0], torch.tensor(DIAMOND, dtype=torch.uint8))
    _, inner = decode_predictions(*GraphAutoencoder(4, (8,), 2).decode(z))
    assert inner[0, 1, 2] == 1  # the inner product links the twins: |z|^2 > 0


def test_positions_reach_the_encoder_and_change_the_latents() -> None:
    torch.manual_seed(0)
    model = GraphAutoencoder(4, (8,), 3, positions=5).eval()
    assert model.encoder.layers[0].mlp[0].in_features == 4 + 5
    adj = torch.zeros(1, 5, 5)
    ops = torch.nn.functional.one_hot(torch.tensor([[0, 1, 1, 1, 3]]), 4).float()
    mean, _ = model.encode(adj, ops, torch.ones(1, 5, dtype=torch.bool))
    assert not torch.allclose(mean[0, 1], mean[0, 2])  # same op, no edges: told apart by place


def test_dag_recipe_and_plain_configs_read_as_before() -> None:
    dag = Arch2VecConfig.recipe("dag", "nb201")
    assert (dag.encoder, dag.adj_decoder, dag.positions) == ("gin-directed", "bilinear", True)
    assert (dag.latent_dim, dag.lr, dag.adj_offset) == (64, 3e-3, None)
    plain = Arch2VecConfig.recipe("plain", "nb201").to_dict()
    assert "adj_decoder" not in plain and "positions" not in plain
    assert dag.to_dict()["adj_decoder"] == "bilinear"


def test_dag_model_saves_and_loads_to_the_same_embeddings(tmp_path) -> None:
    space = get_space("nb201")
    cells = space.sample(64, np.random.default_rng(0))
    model = Arch2Vec.from_recipe(
        "dag", space, hidden=(16,), epochs=2, validity_samples=0, holdout=0.0
    )
    model.fit(cells, progress=False)
    model.save(tmp_path / "dag")
    loaded = load_encoder(tmp_path / "dag")
    assert np.allclose(loaded.transform(cells[:8]), model.transform(cells[:8]))
    assert loaded.transform(cells[:8]).shape == (8, 64)
