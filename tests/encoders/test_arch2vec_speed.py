"""arch2vec speed-ups change no number: flat Adam and clipping (skipped when it cannot act),
off-diagonal gather, epoch batches and loss targets, the fused GIN aggregation, the batched module
hash of the per-epoch validity check, no compiler or metric-learning import."""

from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from archembed.encoders.arch2vec import Arch2Vec, graph_batch
from archembed.encoders.arch2vec.training import ORDER, split
from archembed.encoders.decoding import paper_valid
from archembed.encoders.module_classes import module_classes
from archembed.graph import hash_module
from archembed.nn.gin import DenseGINLayer
from archembed.nn.graph_autoencoder import OP_LOSSES, GraphAutoencoder
from archembed.nn.training import CLIP_MARGIN, EpochRandom, FlatAdam, seeded, step
from archembed.pretrained import from_pretrained
from archembed.spaces import get_space


def _model() -> GraphAutoencoder:
    with seeded(3):
        return GraphAutoencoder(7, (8, 8), 4, decoder_dropout=0.3, op_loss="sigmoid")


def _data(n: int = 24) -> tuple[torch.Tensor, ...]:
    space = get_space("nb201")
    batch = graph_batch(*space.tensors(space.enumerate()[:n]))
    return batch.adj, batch.ops, batch.codes, batch.mask


def _train(model: GraphAutoencoder, optimizer: torch.optim.Optimizer, steps: int = 6) -> None:
    adj, ops, codes, mask = _data()
    noise = torch.Generator().manual_seed(0)
    for _ in range(steps):
        out = model.loss(adj, ops, codes, mask, 0.01, generator=noise, adj_weight=0.4375)
        step(model, optimizer, out.total, grad_clip=0.05)  # clipping active: norms > 0.05


def test_flat_adam_updates_every_parameter_exactly_as_adam() -> None:
    plain, flat = _model(), _model()
    _train(plain, torch.optim.Adam(plain.parameters(), lr=1e-2))
    _train(flat, FlatAdam(flat.parameters(), lr=1e-2))
    for (name, a), b in zip(plain.named_parameters(), flat.parameters(), strict=True):
        assert torch.equal(a, b), name
    assert not torch.equal(plain.op_head.weight, _model().op_head.weight)  # it did train


def test_flat_adam_parameters_and_gradients_are_views_of_its_buffers() -> None:
    model = _model()
    optimizer = FlatAdam(model.parameters(), lr=1e-3)
    sizes = sum(p.numel() for p in model.parameters())
    assert optimizer.flat.numel() == sizes
    optimizer.flat.data.fill_(0.5)
    assert all(bool((p == 0.5).all()) for p in model.parameters())
    _train(model, optimizer, steps=1)
    assert float(optimizer.flat.grad.abs().sum()) > 0
    assert all(p.grad.data_ptr() >= optimizer.flat.grad.data_ptr() for p in model.parameters())
    optimizer.zero_grad()
    assert all(bool((p.grad == 0).all()) for p in model.parameters())


def test_flat_adam_state_round_trips_through_a_checkpoint() -> None:
    first = _model()
    optimizer = FlatAdam(first.parameters(), lr=1e-2)
    _train(first, optimizer, steps=2)
    second = _model()
    second.load_state_dict(first.state_dict())
    restored = FlatAdam(second.parameters(), lr=1e-2)
    restored.load_state_dict(copy.deepcopy(optimizer.state_dict()))  # as a saved file would
    _train(first, optimizer, steps=2)
    _train(second, restored, steps=2)
    for a, b in zip(first.parameters(), second.parameters(), strict=True):
        assert torch.equal(a, b)


def test_adjacency_loss_is_the_mean_over_off_diagonal_entries() -> None:
    model = _model().eval()
    adj, ops, codes, mask = _data(5)
    out = model.loss(adj, ops, codes, mask, 0.0)
    logits = model.decode(out.latent_mean)[1]
    off = ~torch.eye(adj.shape[-1], dtype=torch.bool)
    expected = F.binary_cross_entropy_with_logits(
        logits[:, off], (adj + adj.transpose(1, 2))[:, off]
    )
    assert torch.equal(out.adj, expected)


def test_epoch_batches_follow_the_shuffled_order(monkeypatch) -> None:
    space = get_space("nb201")
    graphs = space.enumerate()[:70]
    encoder = Arch2Vec.from_recipe("fast", space, epochs=1, batch_size=16, validity_samples=0)
    seen: list[torch.Tensor] = []
    original = GraphAutoencoder.loss

    def spy(model, adj, ops, codes, *args, **kwargs):
        seen.append(codes.clone())
        return original(model, adj, ops, codes, *args, **kwargs)

    monkeypatch.setattr(GraphAutoencoder, "loss", spy)
    encoder.fit(graphs, progress=False)
    train_idx, _ = split(len(graphs), encoder.settings.holdout, encoder.settings.seed)
    codes = graph_batch(*space.tensors(graphs)).codes[torch.from_numpy(train_idx)]
    order = torch.randperm(len(codes), generator=EpochRandom(encoder.settings.seed, 0).torch(ORDER))
    assert [len(b) for b in seen] == [16, 16, 16, 15]  # 63 training graphs, the last batch short
    assert torch.equal(torch.cat(seen), codes[order])


@pytest.mark.parametrize("clip", [1e3, 0.05])  # never / always clipping
def test_flat_adam_with_clipping_steps_exactly_as_clip_grad_norm_and_adam(clip: float) -> None:
    plain, flat = _model(), _model()
    adj, ops, codes, mask = _data()
    noise = [torch.Generator().manual_seed(0) for _ in range(2)]
    optimizers = (torch.optim.Adam(plain.parameters(), lr=1e-2), FlatAdam(flat.parameters(), 1e-2))
    optimizers[1].grad_clip = clip
    for _ in range(6):
        for model, optimizer, generator, loop_clip in zip(
            (plain, flat), optimizers, noise, (clip, None), strict=True
        ):
            out = model.loss(adj, ops, codes, mask, 0.01, generator=generator, adj_weight=0.4)
            step(model, optimizer, out.total, grad_clip=loop_clip)
    for (name, a), b in zip(plain.named_parameters(), flat.parameters(), strict=True):
        assert torch.equal(a, b), name


def test_flat_adam_computes_the_clipping_norm_near_the_bound_and_for_nan() -> None:
    optimizer = FlatAdam(_model().parameters(), grad_clip=1.0)
    grad = optimizer.flat.grad
    grad.zero_()[0] = 1.0 - CLIP_MARGIN / 2  # within the margin: the exact norm decides
    assert optimizer._may_clip(grad)
    grad[0] = 1.0 - 2 * CLIP_MARGIN
    assert not optimizer._may_clip(grad)
    grad[1] = float("nan")
    assert optimizer._may_clip(grad)


@pytest.mark.parametrize("op_loss", OP_LOSSES)
@pytest.mark.parametrize("space_name", ["nb201", "nb101"])  # no padding / padded vertices
def test_loss_with_epoch_targets_equals_the_loss_of_the_batch(
    op_loss: str, space_name: str
) -> None:
    space = get_space(space_name)
    graphs = (
        space.enumerate()[:40]
        if space_name == "nb201"
        else space.sample(40, np.random.default_rng(0))
    )
    data = graph_batch(*space.tensors(graphs))
    with seeded(0):
        model = GraphAutoencoder(len(space.ops), (8, 8), 4, op_loss=op_loss).eval()
    targets = model.targets(data.adj, data.codes, data.mask)
    for begin, end in ((0, 16), (16, 40)):
        part = data.take(slice(begin, end), torch.device("cpu"))
        args = (part.adj, part.ops, part.codes, part.mask, 0.1)
        given = model.loss(*args, targets=targets.rows(begin, end))
        made = model.loss(*args)
        for term in ("total", "ops", "adj", "kl"):
            assert torch.equal(getattr(given, term), getattr(made, term)), term
        mean, logvar = model.encode(part.adj, part.ops, part.mask)
        per_node = -0.5 * (1 + logvar - mean.pow(2) - logvar.exp()).sum(dim=-1)
        assert torch.equal(made.kl, per_node[part.mask].mean())  # the KL over real vertices


def test_gin_layer_aggregates_as_one_plus_eps_times_h_plus_a_h() -> None:
    with seeded(0):
        layer = DenseGINLayer(7, 16)
    layer.eps.data.fill_(0.25)
    adj, ops, _, _ = _data(32)
    sym = adj + adj.transpose(1, 2)
    out = layer(sym, ops)
    expected = layer.mlp(((1 + layer.eps) * ops + sym @ ops).reshape(-1, 7)).reshape(32, 8, 16)
    assert torch.equal(out, expected)
    grads = torch.autograd.grad(out.square().sum(), (layer.eps, layer.mlp[0].weight))
    expected_grads = torch.autograd.grad(expected.square().sum(), (layer.eps, layer.mlp[0].weight))
    assert all(torch.equal(a, b) for a, b in zip(grads, expected_grads, strict=True))


def test_flat_adam_state_has_torch_adams_layout() -> None:
    model = _model()
    optimizer = FlatAdam(model.parameters(), lr=1e-2)
    _train(model, optimizer, steps=3)
    flat = torch.nn.Parameter(optimizer.flat.detach().clone())
    torch_adam = torch.optim.Adam([flat], lr=1e-2)
    torch_adam.load_state_dict(copy.deepcopy(optimizer.state_dict()))
    assert torch_adam.state_dict()["param_groups"] == optimizer.state_dict()["param_groups"]
    gradient = torch.randn(flat.shape, generator=torch.Generator().manual_seed(1))
    flat.grad = gradient.clone()
    optimizer.flat.grad.copy_(gradient)
    torch_adam.step()
    optimizer.step()
    assert torch.equal(flat, optimizer.flat)


def test_arch2vec_training_imports_neither_the_compiler_nor_metric_learning() -> None:
    code = (
        "import sys; from archembed.encoders.arch2vec import Arch2Vec; "
        "from archembed.nn.training import FlatAdam; "
        "m = Arch2Vec.from_recipe('official', 'nb201').new_model(); FlatAdam(m.parameters()); "
        "print(sorted(k for k in ('torch._dynamo', 'pytorch_metric_learning') if k in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _random_dags(rng: np.random.Generator, n: int, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Random DAGs with few labels, and a renumbered copy of each (same module hash)."""
    adjacency = np.triu(rng.random((n, nodes, nodes)) < 0.4, 1).astype(np.uint8)
    codes = rng.integers(0, 2, (n, nodes))
    perms = [rng.permutation(nodes) for _ in range(n)]
    moved = np.stack([a[np.ix_(p, p)] for a, p in zip(adjacency, perms, strict=True)])
    return np.concatenate([codes, np.take_along_axis(codes, np.stack(perms), 1)]), np.concatenate(
        [adjacency, moved]
    )


@pytest.mark.parametrize("nodes", [3, 5, 8])  # 3: many distinct cells share a hash
def test_module_classes_are_the_classes_of_the_module_hash(nodes: int) -> None:
    codes, adjacency = _random_dags(np.random.default_rng(nodes), 400, nodes)
    classes = module_classes(codes, adjacency).tolist()
    hashes = [hash_module(a, c.tolist()) for a, c in zip(adjacency, codes, strict=True)]
    assert len(set(classes)) == len(set(hashes)) == len(set(zip(classes, hashes, strict=True)))
    assert classes[:400] == classes[400:]  # a renumbered graph is the same graph
    assert len(set(hashes)) > 1


def test_validity_check_counts_unique_samples_as_the_module_hash() -> None:
    model = from_pretrained("arch2vec-nb201")
    z = model.sample_latents(2000, np.random.default_rng(0))
    quality = model.latent_quality(z)
    codes, adjacency = model.paper_decode_codes(z)
    valid = paper_valid(model.space, codes, adjacency)
    hashes = {hash_module(adjacency[i], codes[i].tolist()) for i in np.flatnonzero(valid)}
    assert quality["validity"] == float(valid.mean())
    assert quality["uniqueness"] == len(hashes) / int(valid.sum())
    assert int(valid.sum()) > 500 and len(hashes) < int(valid.sum())  # duplicates were merged
