"""arch2vec's adjacency offset: unlinked twins cap the plain inner-product decoder; the offset
lifts the cap; the default recipe decides it from the training graphs (spaces without twins
train as before), reproductions and saved models keep the plain decoder."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from tests.cli.fuzzing import invoke

from archembed.encoders import load_encoder
from archembed.encoders.arch2vec import Arch2Vec, Arch2VecConfig
from archembed.encoders.arch2vec.data import graph_batch
from archembed.graph import ArchGraph
from archembed.nn.graph_autoencoder import GraphAutoencoder, decode_predictions, unlinked_twins
from archembed.spaces import get_space

OPS = ("input", "conv", "pool", "output")
DIAMOND = [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]]
CHAIN = [[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]]


def _batch(*graphs: ArchGraph):
    tensors = [g.to_tensors(OPS, 4) for g in graphs]
    return graph_batch(np.stack([t[0] for t in tensors]), np.stack([t[1] for t in tensors]))


def _twins(*graphs: ArchGraph, rounds: int = 4) -> list[bool]:
    batch = _batch(*graphs)
    return unlinked_twins(batch.adj, batch.codes, rounds).tolist()


def test_twins_are_alike_vertices_without_an_edge_between_them() -> None:
    same = ArchGraph(DIAMOND, ("input", "conv", "conv", "output"))
    mixed = ArchGraph(DIAMOND, ("input", "conv", "pool", "output"))
    chain = ArchGraph(CHAIN, ("input", "conv", "conv", "output"))
    assert _twins(same, mixed, chain) == [True, False, False]
    # one round cannot tell the chain's two convs apart either (both touch one other vertex
    # and the input or output, whose ops differ): still not twins, they are linked
    assert _twins(chain, rounds=1) == [False]


def test_the_offset_decodes_unlinked_twins_the_plain_decoder_cannot() -> None:
    twin = torch.tensor([0.8, 0.5])
    z = torch.stack([torch.tensor([-1.0, 4.0]), twin, twin, torch.tensor([3.0, -1.0])])[None]
    target = torch.tensor(DIAMOND, dtype=torch.uint8)
    plain = GraphAutoencoder(len(OPS), (8,), 2)
    _, edges = decode_predictions(*plain.decode(z))
    assert edges[0, 1, 2] == 1  # z . z > 0: the twins always get an edge
    offset = GraphAutoencoder(len(OPS), (8,), 2, adj_offset=True)
    with torch.no_grad():
        offset.adj_bias.fill_(-1.0)
    _, edges = decode_predictions(*offset.decode(z))
    assert torch.equal(edges[0], target)
    assert "adj_bias" not in plain.state_dict() and "adj_bias" in offset.state_dict()


def test_fit_decides_the_offset_from_the_training_graphs(tmp_path) -> None:
    nb201 = get_space("nb201")
    plain = Arch2Vec.from_recipe("plain", nb201, hidden=(8,), epochs=1, validity_samples=0)
    plain.fit(nb201.enumerate()[:200], progress=False)
    assert plain.adj_offset is False  # NB201 has no twins: the model is as before
    assert "adj_bias" not in plain.model_.state_dict()
    nbg = get_space("nasbench_graph")
    model = Arch2Vec.from_recipe("fast", nbg, hidden=(8,), epochs=1, validity_samples=0)
    model.fit(nbg.enumerate()[:300], progress=False)
    assert model.adj_offset is True and model.config()["adj_offset"] is True
    model.save(tmp_path / "m")
    again = load_encoder(tmp_path / "m")
    assert again.adj_offset is True
    assert torch.equal(again.model_.adj_bias, model.model_.adj_bias)


def test_without_the_offset_no_held_out_graph_with_twins_decodes_exactly() -> None:
    space = get_space("nasbench_graph")
    graphs = space.enumerate()[:600]
    model = Arch2Vec(space, hidden=(16, 16), epochs=2, validity_samples=0)  # plain decoder
    model.fit(graphs, progress=False)
    hold = model.holdout_
    twins = unlinked_twins(hold.adj, hold.codes, 2)
    assert twins.any()
    means = model.encode_means(hold)
    codes, edges = decode_predictions(*model.model_.decode(means))
    exact = (codes == hold.codes).all(dim=1) & (edges == hold.adj).flatten(1).all(dim=1)
    assert not exact[torch.from_numpy(twins)].any()


@pytest.mark.parametrize("recipe", ["official", "paper"])
def test_reproductions_and_saved_models_keep_the_plain_decoder(recipe: str) -> None:
    assert Arch2VecConfig.recipe(recipe, "nb101").adj_offset is False
    assert Arch2VecConfig.recipe("plain", "nb101").adj_offset is None
    saved = Arch2VecConfig().to_dict()  # as a model saved before the offset existed
    assert "adj_offset" not in saved and Arch2VecConfig(**saved).adj_offset is False
    assert Arch2VecConfig(adj_offset=1).adj_offset is True


@pytest.mark.parametrize(("flag", "expected"), [([], True), (["--no-adj-offset"], None)])
def test_pretrain_on_the_command_line_decides_or_takes_the_offset(tmp_path, flag, expected):
    out = tmp_path / "model"
    args = ["pretrain", "arch2vec", "--space", "nasbench_graph", "--recipe", "fast"]
    result = invoke([*args, "--samples", "60", "--epochs", "1", *flag, "--out", str(out)])
    assert result.code == 0, result.stderr
    assert json.loads((out / "config.json").read_text())["params"].get("adj_offset") is expected
