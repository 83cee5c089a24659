"""arch2vec: training on real spaces, embeddings, decoding, save/load, checkpoints, bad files."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

from archembed.encoders import load_encoder
from archembed.encoders.arch2vec import Arch2Vec
from archembed.encoders.decoding import (
    decoded_fingerprints,
    graphs_from_codes,
    paper_valid,
    validity_uniqueness,
    well_formed_ops,
)
from archembed.encoders.pretrain import pretrain_to
from archembed.errors import (
    ConfigError,
    CorruptFileError,
    InvalidArchitectureError,
    TrainingDivergedError,
)
from archembed.evaluation.pretraining import sample_quality
from archembed.nn.graph_autoencoder import GraphAutoencoder
from archembed.nn.training import step
from archembed.spaces import get_space


def _nb201_graphs(n: int, seed: int = 0):
    space = get_space("nb201")
    graphs = space.enumerate()
    picked = np.random.default_rng(seed).choice(len(graphs), size=n, replace=False)
    return space, [graphs[i] for i in picked]


@pytest.fixture(scope="module")
def trained_nb201():
    space, graphs = _nb201_graphs(3000)
    encoder = Arch2Vec(
        space, hidden=(64, 64, 64), epochs=4, batch_size=16, lr=2e-3, validity_samples=200
    )
    encoder.fit(graphs, progress=False)
    return encoder, graphs


def test_training_reconstructs_held_out_nb201_cells(trained_nb201) -> None:
    encoder, graphs = trained_nb201
    history = encoder.history_
    assert [h["epoch"] for h in history] == [1, 2, 3, 4]
    assert history[-1]["loss"] < history[0]["loss"] / 2
    assert encoder.reconstruction_accuracy() > 0.9
    decoded = encoder.decode(encoder.encode_nodes(graphs[:200]))
    assert sum(d == g for d, g in zip(decoded, graphs[:200])) >= 180
    last = history[-1]  # validity as the paper counts it, the strict variant named apart
    assert 0.0 <= last["validity_strict"] <= last["validity"] <= 1.0 and last["validity"] > 0
    assert 0.0 < last["uniqueness"] <= 1.0 and 0.0 <= last["uniqueness_strict"] <= 1.0


def test_reconstruction_scores_count_graphs_and_elements(trained_nb201) -> None:
    encoder, _ = trained_nb201
    scores = encoder.reconstruction_scores()
    assert scores["graphs"] == encoder.reconstruction_accuracy()
    assert scores["graphs"] <= scores["ops"] <= 1.0
    assert scores["graphs"] <= scores["adjacency"] <= 1.0


def test_embeddings_shape_dtype_and_pooling(trained_nb201) -> None:
    encoder, graphs = trained_nb201
    emb = encoder.transform(graphs[:50])
    assert emb.shape == (50, 16) and emb.dtype == np.float32
    nodes = encoder.encode_nodes(graphs[:50])
    assert np.allclose(emb, nodes.mean(axis=1), atol=1e-5)  # NB201 cells have no padding
    assert len({row.tobytes() for row in emb}) > 45


def test_samples_from_training_gaussian_beat_standard_normal(trained_nb201) -> None:
    encoder, _ = trained_nb201
    rng = np.random.default_rng(0)
    train = validity_uniqueness(encoder.space, encoder.decode(encoder.sample_latents(500, rng)))
    standard = validity_uniqueness(
        encoder.space, encoder.decode(encoder.sample_latents(500, rng, prior="standard"))
    )
    assert train["samples"] == 500 and train["validity"] > standard["validity"]
    with pytest.raises(ConfigError):
        encoder.sample_latents(5, rng, prior="uniform")


def test_save_load_round_trip_and_bad_model_files(trained_nb201, tmp_path) -> None:
    encoder, graphs = trained_nb201
    path = encoder.save(tmp_path / "model")
    assert sorted(p.name for p in path.iterdir()) == ["config.json", "state.pt"]
    loaded = load_encoder(path)
    assert isinstance(loaded, Arch2Vec) and loaded.hidden == (64, 64, 64)
    assert np.array_equal(loaded.transform(graphs[:20]), encoder.transform(graphs[:20]))
    assert loaded.reconstruction_accuracy() == pytest.approx(encoder.reconstruction_accuracy())
    with pytest.raises(InvalidArchitectureError, match="trained on space 'nb201'"):
        loaded.check_space("nb101")

    other = Arch2Vec("nasbench_graph", hidden=(8,), latent_dim=4, epochs=1, validity_samples=0)
    other.fit(get_space("nasbench_graph").enumerate()[:64], progress=False)
    other.save(tmp_path / "nbg")
    (tmp_path / "model" / "state.pt").write_bytes((tmp_path / "nbg" / "state.pt").read_bytes())
    with pytest.raises(CorruptFileError, match="nasbench_graph"):
        load_encoder(tmp_path / "model")
    (tmp_path / "model" / "state.pt").write_bytes(b"\x00 truncated")
    with pytest.raises(CorruptFileError):
        load_encoder(tmp_path / "model")


def test_checkpoint_resume_equals_uninterrupted_run(tmp_path) -> None:
    space, graphs = _nb201_graphs(120, seed=1)
    params = dict(hidden=(16,), latent_dim=4, batch_size=16, validity_samples=0, seed=3)
    full = Arch2Vec(space, epochs=2, **params).fit(graphs, progress=False)
    ckpt = tmp_path / "checkpoint.pt"
    Arch2Vec(space, epochs=1, **params).fit(graphs, checkpoint=ckpt, progress=False)
    resumed = Arch2Vec(space, epochs=2, **params).fit(
        graphs, checkpoint=ckpt, resume=True, progress=False
    )
    assert np.array_equal(resumed.transform(graphs), full.transform(graphs))  # bit-identical
    for name, tensor in full.model_.state_dict().items():
        assert torch.equal(resumed.model_.state_dict()[name], tensor), name
    assert [h["epoch"] for h in resumed.history_] == [1, 2]
    stopped = Arch2Vec(space, epochs=1, **params).fit(
        graphs, checkpoint=ckpt, resume=True, progress=False
    )
    assert len(stopped.history_) == 2 and np.isfinite(stopped.latent_std_).all()
    assert np.array_equal(stopped.transform(graphs), resumed.transform(graphs))
    with pytest.raises(ConfigError, match="another configuration"):
        Arch2Vec(space, epochs=2, **params).fit(
            graphs[:100], checkpoint=ckpt, resume=True, progress=False
        )


@pytest.mark.parametrize(
    ("name", "variant"),
    [
        ("nb101", {}),
        ("darts", {"encoder": "gcn", "variational": False}),
        ("darts_cell", {}),
        ("nasbench_graph", {"encoder": "gcn"}),
    ],
)
def test_every_space_and_variant_trains_and_decodes(name, variant) -> None:
    space = get_space(name)
    graphs = space.sample(96, np.random.default_rng(0))
    encoder = Arch2Vec(
        space, hidden=(16, 16), latent_dim=8, epochs=1, validity_samples=20, **variant
    )
    encoder.fit(graphs, progress=False)
    emb = encoder.transform(graphs)
    assert emb.shape == (96, 8) and np.isfinite(emb).all()
    decoded = encoder.decode(encoder.encode_nodes(graphs))
    assert len(decoded) == 96 and all(g is None or space.is_valid(g) for g in decoded)


def test_generic_user_space_with_padding_and_sum_pooling() -> None:
    from archembed.spaces.generic import GenericSpace

    space = GenericSpace(["conv", "pool"], max_nodes=5, name="toy")
    graphs = space.sample(64, np.random.default_rng(0))
    encoder = Arch2Vec(space, hidden=(16,), latent_dim=4, epochs=1, pooling="sum")
    encoder.fit(graphs, progress=False)
    nodes = encoder.encode_nodes(graphs)
    sizes = np.array([g.n_nodes for g in graphs])
    assert (sizes < 5).any()
    expected = np.stack([nodes[i, : sizes[i]].sum(axis=0) for i in range(len(graphs))])
    assert np.allclose(encoder.transform(graphs), expected, atol=1e-5)
    with pytest.raises(ConfigError, match="op vocabulary"):
        Arch2Vec(GenericSpace())


def test_graphs_from_codes_keeps_present_vertices_and_rejects_broken_cells() -> None:
    space = get_space("nb101")
    absent = len(space.ops)
    i, o, c3 = space.ops.index("input"), space.ops.index("output"), 1
    codes = np.array(
        [
            [i, c3, o, absent, absent, absent, absent],  # a 3-vertex chain
            [c3, i, o, absent, absent, absent, absent],  # input not first
            [i, c3, c3, o, absent, absent, absent],  # vertex 2 dangles: pruned away
        ]
    )
    adj = np.zeros((3, 7, 7), dtype=np.uint8)
    adj[:, 0, 1] = adj[:, 1, 2] = 1
    adj[2, 1, 2], adj[2, 1, 3] = 0, 1
    graphs = graphs_from_codes(space, codes, adj)
    assert graphs[0] is not None and graphs[0].n_nodes == 3 and space.is_valid(graphs[0])
    assert graphs[1] is None
    assert graphs[2] is not None and graphs[2].n_nodes == 3
    quality = validity_uniqueness(space, graphs)
    assert quality["validity"] == pytest.approx(2 / 3) and quality["uniqueness"] == 0.5


def test_paper_validity_is_the_official_nb201_op_check() -> None:
    space = get_space("nb201")
    code = {op: i for i, op in enumerate(space.ops)}
    conv, pool = code["nor_conv_3x3"], code["avg_pool_3x3"]
    good = [code["input"], conv, conv, pool, conv, pool, conv, code["output"]]
    slot1_input = [code["input"], code["input"], *good[2:]]  # the official check skips vertex 1
    slot2_output = [*good[:2], code["output"], *good[3:]]
    absent_end = [*good[:7], len(space.ops)]
    codes = np.array([good, slot1_input, slot2_output, absent_end])
    adjacency = np.zeros((len(codes), 8, 8), dtype=np.uint8)
    assert paper_valid(space, codes, adjacency).tolist() == [True, True, False, False]
    assert well_formed_ops(space, codes).tolist() == [True, False, False, False]
    assert paper_valid(get_space("darts"), codes, adjacency) is None


def test_nb101_paper_validity_prunes_before_checking_ops() -> None:
    # input -> conv -> output plus a dead vertex decoded as "output" (no edges) or as a conv
    # with an edge to the output but none in: ModelSpec prunes both away and accepts the cell,
    # while our strict check rejects a second "output". Too many live edges stay invalid.
    space = get_space("nb101")
    absent = len(space.ops)
    i, o, c3 = space.ops.index("input"), space.ops.index("output"), 1
    codes = np.array(
        [
            [i, c3, o, o, absent, absent, absent],
            [i, c3, c3, o, absent, absent, absent],
            [i, c3, c3, c3, c3, c3, o],
            [i, o, absent, absent, absent, absent, absent],
        ]
    )
    adj = np.zeros((4, 7, 7), dtype=np.uint8)
    adj[0, 0, 1] = adj[0, 1, 3] = 1
    adj[1, 0, 1] = adj[1, 1, 3] = adj[1, 2, 3] = 1
    adj[2] = np.triu(np.ones((7, 7), dtype=np.uint8), 1)
    assert paper_valid(space, codes, adj).tolist() == [True, True, False, False]
    strict = [graph is not None for graph in graphs_from_codes(space, codes, adj)]
    assert strict == [False, True, False, False]


def test_darts_cell_paper_validity_is_the_official_lenient_check() -> None:
    # The official DARTS check asks for the ops in place and, per edge-op vertex, some
    # predecessor among the cell inputs and earlier nodes' op vertices. A vertex reading two
    # unrelated vertices passes it although the graph is no cell (strict: invalid); a vertex
    # whose only predecessor is its sibling, or a missing c_k-1, fails both.
    space = get_space("darts_cell")
    cell = space.sample(1, np.random.default_rng(0))[0]
    _, ops = space.tensors([cell])
    codes = np.repeat(ops.argmax(axis=-1), 4, axis=0)
    adj = np.repeat(cell.adj[None], 4, axis=0)
    adj[1, 0, 5] = adj[1, 1, 5] = 1  # vertex 5 reads c_k-2 and c_k-1 together
    adj[2, :, 5] = 0
    adj[2, 4, 5] = 1  # vertex 5 reads only vertex 4, the other edge of its node
    codes[3, 1] = codes[3, 0]
    assert paper_valid(space, codes, adj).tolist() == [True, True, False, False]
    strict = [graph is not None for graph in graphs_from_codes(space, codes, adj)]
    assert strict == [True, False, False, False]
    assert well_formed_ops(space, codes).tolist() == [True, True, True, False]


def test_decoded_fingerprints_merge_relabellings_and_keep_dead_parts_apart() -> None:
    # input -> 1 -> output and input -> 2 -> output with ops 1 and 2 swapped: one graph,
    # relabelled. input -> 1 -> output plus a dead branch input -> 2 (no path to the output)
    # prunes to the same cell as the bare chain, but the official count keeps them apart.
    diamond = np.zeros((4, 4), dtype=np.uint8)
    diamond[0, 1] = diamond[0, 2] = diamond[1, 3] = diamond[2, 3] = 1
    chain = np.zeros((4, 4), dtype=np.uint8)
    chain[0, 1] = chain[1, 3] = 1
    dead_branch = chain.copy()
    dead_branch[0, 2] = 1
    codes = np.array([[0, 1, 2, 4], [0, 2, 1, 4], [0, 1, 2, 4], [0, 1, 2, 4]])
    adjacency = np.stack([diamond, diamond, chain, dead_branch])
    assert len(decoded_fingerprints(codes, adjacency, np.array([0, 1]))) == 1
    assert len(decoded_fingerprints(codes, adjacency, np.array([2, 3]))) == 2


def test_decoder_dropout_and_stochastic_epochs(monkeypatch) -> None:
    space, graphs = _nb201_graphs(200)
    with pytest.raises(ConfigError):
        Arch2Vec(space, decoder_dropout=1.0)
    with pytest.raises(ConfigError):
        Arch2Vec(space, stochastic_epochs=-1)
    modes: list[bool] = []
    original = GraphAutoencoder.loss

    def spy(self, *args, **kwargs):
        modes.append(self.training)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(GraphAutoencoder, "loss", spy)
    encoder = Arch2Vec(
        space,
        hidden=(16, 16),
        epochs=3,
        batch_size=32,
        decoder_dropout=0.3,
        stochastic_epochs=1,
        validity_samples=0,
    )
    encoder.fit(graphs, progress=False)
    steps = len(modes) // 3  # 180 training graphs, batch 32: the same steps every epoch
    assert modes == [True] * steps + [False] * (2 * steps)  # epoch 1 training mode, then eval
    assert encoder.config()["decoder_dropout"] == 0.3
    assert encoder.config()["stochastic_epochs"] == 1
    assert encoder.model_.decoder_dropout == 0.3


def test_grad_clip_bounds_every_step_gradient() -> None:
    space, graphs = _nb201_graphs(100)
    with pytest.raises(ConfigError, match="grad_clip"):
        Arch2Vec(space, grad_clip=0.0)
    layer = torch.nn.Linear(4, 1)
    total = (layer(torch.full((8, 4), 100.0)) ** 2).sum()  # a gradient far above the bound
    step(layer, torch.optim.SGD(layer.parameters(), lr=0.0), total, grad_clip=0.05)
    norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in layer.parameters()]))
    assert float(norm) == pytest.approx(0.05, abs=1e-6)
    options = {"hidden": (16, 16), "epochs": 1, "batch_size": 32, "validity_samples": 0}
    free = Arch2Vec(space, **options).fit(graphs, progress=False)
    clipped = Arch2Vec(space, grad_clip=0.05, **options).fit(graphs, progress=False)
    assert clipped.config()["grad_clip"] == 0.05
    weights = zip(free.model_.parameters(), clipped.model_.parameters(), strict=True)
    assert not all(torch.equal(a, b) for a, b in weights)  # the bound reached the training


def test_adj_weight_scales_only_the_adjacency_term() -> None:
    with pytest.raises(ConfigError, match="adj_weight"):
        Arch2Vec("nb201", adj_weight=0.0)
    assert Arch2Vec("nb201", adj_weight=0.4375).config()["adj_weight"] == 0.4375
    adj = torch.zeros(4, 3, 3)
    adj[:, 0, 1] = adj[:, 1, 2] = 1
    ops = torch.nn.functional.one_hot(torch.tensor([0, 3, 6]), 7).float().expand(4, 3, 7)
    codes, mask = ops.argmax(-1), torch.ones(4, 3, dtype=torch.bool)
    torch.manual_seed(0)
    model = GraphAutoencoder(7, (8,), 4).eval()
    plain = model.loss(adj, ops, codes, mask, kl_weight=0.1)
    weighted = model.loss(adj, ops, codes, mask, kl_weight=0.1, adj_weight=0.25)
    assert torch.allclose(weighted.adj, plain.adj) and torch.allclose(weighted.ops, plain.ops)
    expected = plain.ops + 0.25 * plain.adj + 0.1 * plain.kl
    assert torch.allclose(weighted.total, expected)
    assert not torch.allclose(weighted.total, plain.total)


def test_last_epoch_latent_stats_come_from_the_training_batches(monkeypatch, tmp_path) -> None:
    space, graphs = _nb201_graphs(100)
    with pytest.raises(ConfigError, match="latent stats"):
        Arch2Vec(space, latent_stats="prior")
    means: list[torch.Tensor] = []
    original = GraphAutoencoder.loss

    def spy(self, *args, **kwargs):
        out = original(self, *args, **kwargs)
        means.append(out.latent_mean.detach())
        return out

    monkeypatch.setattr(GraphAutoencoder, "loss", spy)
    options = {"hidden": (16, 16), "epochs": 2, "batch_size": 30, "validity_samples": 0}
    ckpt = tmp_path / "checkpoint.pt"
    encoder = Arch2Vec(space, latent_stats="last-epoch", **options)
    encoder.fit(graphs, checkpoint=ckpt, progress=False)
    last_epoch = torch.cat(means[-3:]).numpy()  # 90 training graphs, 3 batches per epoch
    assert np.allclose(encoder.latent_mean_, last_epoch.mean(axis=0))
    assert np.allclose(encoder.latent_std_, last_epoch.std(axis=0))
    final = Arch2Vec(space, **options).fit(graphs, progress=False)
    assert not np.allclose(final.latent_std_, encoder.latent_std_)  # the weights moved
    resumed = Arch2Vec(space, latent_stats="last-epoch", **options)
    resumed.fit(graphs, checkpoint=ckpt, resume=True, progress=False)  # nothing left to train
    assert np.array_equal(resumed.latent_mean_, encoder.latent_mean_)


def test_sigmoid_op_loss_is_the_per_class_binary_cross_entropy() -> None:
    with pytest.raises(ConfigError, match="op loss"):
        Arch2Vec("nb201", op_loss="hinge")
    adj = torch.zeros(4, 3, 3)
    adj[:, 0, 1] = adj[:, 1, 2] = 1
    ops = torch.nn.functional.one_hot(torch.tensor([0, 3, 6]), 7).float().expand(4, 3, 7)
    codes, mask = ops.argmax(-1), torch.ones(4, 3, dtype=torch.bool)
    losses = {}
    for op_loss in ("softmax", "sigmoid"):
        torch.manual_seed(0)
        model = GraphAutoencoder(7, (8,), 4, variational=False, op_loss=op_loss).eval()
        losses[op_loss] = model.loss(adj, ops, codes, mask, kl_weight=0.0).ops.item()
        with torch.no_grad():
            logits = model.decode(model.encode(adj, ops, mask)[0])[0].reshape(-1, 8)
    targets = torch.nn.functional.one_hot(codes.reshape(-1), 8).float()
    expected = (
        -(targets * torch.log(torch.sigmoid(logits))).sum()
        - ((1 - targets) * torch.log(1 - torch.sigmoid(logits))).sum()
    )
    assert losses["sigmoid"] == pytest.approx(float(expected) / targets.numel(), rel=1e-5)
    assert losses["softmax"] != pytest.approx(losses["sigmoid"])


def test_paper_validity_decodes_zero_padding_models_without_an_absent_class() -> None:
    # The official model has no absent class: its samples take the best real op on every
    # vertex. A zero-padding model is read that way for the paper's numbers, and only then.
    space, graphs = _nb201_graphs(100)
    options = {"hidden": (16, 16), "epochs": 1, "batch_size": 32, "validity_samples": 0}
    z = np.zeros((3, space.max_nodes, 16), dtype=np.float32)
    for op_loss in ("softmax", "sigmoid-zero-pad"):  # the zero-padding model is kept below
        encoder = Arch2Vec(space, op_loss=op_loss, **options).fit(graphs, progress=False)
        with torch.no_grad():
            encoder.model_.op_head.weight.zero_()
            encoder.model_.op_head.bias.copy_(torch.tensor([-2.0] * 7 + [5.0]))
            encoder.model_.op_head.bias[3] = -1.0
        codes, _ = encoder.decode_codes(z)
        paper_codes, _ = encoder.paper_decode_codes(z)
        assert (codes == 7).all()  # absent: no real op above one half, or the absent class wins
        assert (paper_codes == (3 if op_loss == "sigmoid-zero-pad" else 7)).all()
        assert (encoder.decode_codes(z, real_ops_only=True)[0] == 3).all()
    # Every sample is one cell whose best real ops all score under one half: absent to us, a
    # well-formed cell to the official decoding, and sample_quality scores it the official way.
    cell = [space.ops.index(op) for op in ("input", *["nor_conv_3x3"] * 6, "output")]
    encoder.latent_mean_ = np.zeros((space.max_nodes, 16), dtype=np.float32)
    encoder.latent_mean_[np.arange(space.max_nodes), cell] = 1.0
    encoder.latent_std_ = np.zeros_like(encoder.latent_mean_)
    with torch.no_grad():
        encoder.model_.op_head.weight.zero_()
        encoder.model_.op_head.weight[:7, :7] = torch.eye(7)
        encoder.model_.op_head.bias.fill_(-2.0)
    samples = encoder.sample_latents(5, np.random.default_rng(0))
    assert (encoder.decode_codes(samples)[0] == 7).all()
    assert sample_quality(encoder, 5, seed=0)["paper_validity"] == 1.0


def test_zero_padding_op_loss_reads_an_all_low_row_as_no_vertex() -> None:
    # Vertex 2 is padding: its target is the all-zero row over the 7 real classes, the loss
    # never sees the absent column, and a vertex decodes as absent when no real class scores
    # above one half.
    adj = torch.zeros(2, 3, 3)
    adj[:, 0, 1] = 1
    ops = torch.zeros(2, 3, 7)
    ops[:, 0, 0] = ops[:, 1, 6] = 1
    codes = torch.tensor([[0, 6, 7], [0, 6, 7]])
    mask = torch.tensor([[True, True, False]] * 2)
    torch.manual_seed(0)
    model = GraphAutoencoder(7, (8,), 4, variational=False, op_loss="sigmoid-zero-pad").eval()
    loss = model.loss(adj, ops, codes, mask, kl_weight=0.0).ops.item()
    with torch.no_grad():
        z = model.encode(adj, ops, mask)[0]
        logits = model.decode(z)[0]
    assert torch.all(logits[..., 7] == 0)
    real, targets = logits[..., :7].reshape(-1, 7), torch.zeros(6, 7)
    targets[[0, 3], 0] = targets[[1, 4], 6] = 1
    expected = torch.nn.functional.binary_cross_entropy_with_logits(real, targets)
    assert loss == pytest.approx(expected.item(), rel=1e-5)
    with torch.no_grad():
        model.op_head.weight.zero_()
        model.op_head.bias.copy_(torch.tensor([-1.0] * 7 + [5.0]))
        assert model.decode(z)[0].argmax(-1).eq(7).all()  # all real classes below one half
        model.op_head.bias[3] = 0.5
        assert model.decode(z)[0].argmax(-1).eq(3).all()


def test_decoder_dropout_zeroes_latents_only_in_training_mode() -> None:
    model = GraphAutoencoder(7, (8,), 4, decoder_dropout=0.5)
    adj = torch.zeros(64, 3, 3)
    adj[:, 0, 1] = adj[:, 1, 2] = 1
    ops = torch.nn.functional.one_hot(torch.tensor([0, 3, 6]), 7).float().expand(64, 3, 7)
    codes, mask = ops.argmax(-1), torch.ones(64, 3, dtype=torch.bool)
    seeded = [torch.Generator().manual_seed(1) for _ in range(2)]
    model.train()
    first, second = (model.loss(adj, ops, codes, mask, 0.0, g).total for g in seeded)
    assert torch.equal(first, second)  # dropout draws from the given generator
    model.eval()
    with torch.no_grad():
        a = model.loss(adj, ops, codes, mask, 0.0, torch.Generator().manual_seed(1)).total
        b = model.loss(adj, ops, codes, mask, 0.0, torch.Generator().manual_seed(2)).total
    assert torch.equal(a, b)
    with pytest.raises(ValueError):
        GraphAutoencoder(7, (8,), 4, decoder_dropout=1.0)


def test_locality_option_changes_training_and_saves_with_the_model(tmp_path) -> None:
    space, graphs = _nb201_graphs(200, seed=2)
    params = dict(hidden=(16,), latent_dim=4, epochs=1, batch_size=32, validity_samples=0)
    plain = Arch2Vec(space, **params).fit(graphs, progress=False)
    assert "loss_metric" not in plain.history_[0]
    assert not any(k.startswith("locality") for k in plain.config())
    off = Arch2Vec(space, locality_loss="none", **params).fit(graphs, progress=False)
    assert off.config() == plain.config()
    assert np.array_equal(off.transform(graphs), plain.transform(graphs))

    local = Arch2Vec(
        space, locality_loss="multisimilarity", locality_weight=1.0, locality_anchors=4, **params
    ).fit(graphs, progress=False)
    assert local.history_[0]["loss_metric"] > 0
    assert not np.allclose(local.transform(graphs), plain.transform(graphs), atol=1e-4)
    assert local.config()["locality_miner"] == "none"

    local.save(tmp_path / "m")
    loaded = load_encoder(tmp_path / "m")
    assert isinstance(loaded, Arch2Vec) and loaded.config() == local.config()
    assert loaded.locality_loss == "multisimilarity" and loaded.locality_weight == 1.0
    assert np.array_equal(loaded.transform(graphs), local.transform(graphs))


def test_locality_checkpoint_resumes_and_rejects_other_options(tmp_path) -> None:
    space, graphs = _nb201_graphs(120, seed=4)
    params = dict(
        hidden=(16,), latent_dim=4, batch_size=32, validity_samples=0, locality_loss="margin"
    )
    full = Arch2Vec(space, epochs=2, **params).fit(graphs, progress=False)
    ckpt = tmp_path / "checkpoint.pt"
    Arch2Vec(space, epochs=1, **params).fit(graphs, checkpoint=ckpt, progress=False)
    resumed = Arch2Vec(space, epochs=2, **params).fit(
        graphs, checkpoint=ckpt, resume=True, progress=False
    )
    assert np.allclose(resumed.transform(graphs), full.transform(graphs), atol=1e-5)
    with pytest.raises(ConfigError, match="another configuration"):
        Arch2Vec(space, epochs=2, **{**params, "locality_loss": "angular"}).fit(
            graphs, checkpoint=ckpt, resume=True, progress=False
        )


def test_locality_positives_avoid_held_out_cells(monkeypatch) -> None:
    from archembed.encoders import locality
    from archembed.encoders.arch2vec import training as module

    space, graphs = _nb201_graphs(300, seed=5)
    seen: list[str] = []

    def spy(space, anchors, positives, max_edits, rng, exclude=()):
        drawn, labels = real(space, anchors, positives, max_edits, rng, exclude)
        seen.extend(g.exact_key for g in drawn)
        return drawn, labels

    real = locality.locality_batch
    monkeypatch.setattr(locality, "locality_batch", spy)  # training imports it when it runs
    encoder = Arch2Vec(
        space, hidden=(8,), latent_dim=4, epochs=1, validity_samples=0, locality_loss="margin"
    ).fit(graphs, progress=False)
    _, hold = module.split(len(graphs), encoder.holdout, encoder.seed)
    held = {graphs[i].exact_key for i in hold}
    assert seen and held and not held & set(seen)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"locality_loss": "hinge"}, "unknown metric loss 'hinge'"),
        ({"locality_loss": "margin", "locality_miner": "hard"}, "unknown miner 'hard'"),
        (
            {"locality_loss": "margin", "locality_weight": 1.5},
            r"locality_weight must be a finite number in \[0, 1\], got 1.5",
        ),
        ({"locality_loss": "margin", "locality_weight": -0.1}, "locality_weight"),
        ({"locality_loss": "margin", "locality_anchors": 1}, r"anchors per batch .* \[2, "),
        ({"locality_loss": "margin", "locality_positives": 0}, r"positives .* \[1, 1000\], got 0"),
    ],
)
def test_bad_locality_options_raise_config_errors(options, message) -> None:
    with pytest.raises(ConfigError, match=message):
        Arch2Vec("nb201", **options)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("lr", math.nan),
        ("lr", 0.0),
        ("lr", -1e-3),
        ("lr", math.inf),
        ("kl_weight", math.nan),
        ("kl_weight", -0.5),
        ("adj_weight", math.inf),
        ("decoder_dropout", math.nan),
        ("grad_clip", math.nan),
        ("epochs", 0),
        ("batch_size", 1),
        ("latent_dim", 10**6),
        ("seed", -1),
    ],
)
def test_out_of_range_parameters_name_the_value(option, value) -> None:
    message = rf"^{option} must be a (finite|whole) number .*got {re.escape(repr(value))}$"
    with pytest.raises(ConfigError, match=message):
        Arch2Vec("nb201", **{option: value})


def test_a_nan_loss_stops_training_and_saves_no_model(tmp_path) -> None:
    space, graphs = _nb201_graphs(30)
    model = Arch2Vec(space, hidden=(8,), latent_dim=4, epochs=2, validity_samples=0)
    object.__setattr__(model.settings, "kl_weight", math.nan)  # past the config's check
    expected = r"^arch2vec training diverged at epoch 1: kl loss is nan; lower --lr"
    with pytest.raises(TrainingDivergedError, match=expected):
        pretrain_to(model, graphs, tmp_path / "model", progress=False)
    assert list((tmp_path / "model").iterdir()) == []
