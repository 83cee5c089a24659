"""(Variational) graph autoencoder over dense op-on-node graphs, as in arch2vec.

Encoder: GIN (or GCN, for the GAE/VGAE baselines) on the symmetrised adjacency ``A + A^T`` with
one-hot op features, then linear heads for per-node means and log-variances. Decoder:
``p(A_ij = 1) = sigmoid(z_i . z_j)`` (plus a learned offset with ``adj_offset``) and
``ops_i = softmax(W z_i + b)`` over the op vocabulary plus one "absent" class, so graphs
smaller than the padded size decode to their own size (or, with ``op_loss="sigmoid"``, one
sigmoid per class, as the official code).
Optional dropout on the latents before decoding (training only), as in the official arch2vec
decoder (rate 0.3 there). For DAGs in a fixed vertex layout, the encoder may sum successors and
predecessors apart (``gin-directed``) and read each vertex's position, and the decoder may score
edges with a learned symmetric form ``z_i^T S z_j`` (``bilinear``), which unlike the inner
product lets alike vertices stay unlinked.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from archembed.nn.gcn import GCNEncoder
from archembed.nn.gin import GINEncoder

GRAPH_ENCODERS = ("gin", "gcn", "gin-directed")
ADJ_DECODERS = ("inner", "bilinear")
OP_LOSSES = ("softmax", "sigmoid", "sigmoid-zero-pad")
"""Op reconstruction losses: cross-entropy over the op classes, or (the official arch2vec code)
one sigmoid per class with binary cross-entropy averaged over vertices and classes. With
``"sigmoid-zero-pad"`` a padded vertex is, as in the official data, an all-zero op row rather
than a class of its own: the loss covers the real classes only, and a vertex decodes as absent
when none of them scores above one half."""


@dataclass
class AutoencoderLoss:
    """The loss terms of one batch (``total`` is what is minimised) and its latent means."""

    total: torch.Tensor
    ops: torch.Tensor
    adj: torch.Tensor
    kl: torch.Tensor
    latent_mean: torch.Tensor


@dataclass
class LossTargets:
    """A batch's loss targets: ``A + A^T``, its off-diagonal entries per graph, the op targets
    (class per vertex, or one-hot rows for the sigmoid losses), whether no vertex is padding."""

    sym: torch.Tensor
    adj: torch.Tensor
    ops: torch.Tensor
    all_real: bool

    def rows(self, begin: int, end: int) -> LossTargets:
        """The targets of graphs ``begin`` to ``end`` (views, no copy)."""
        nodes = self.sym.shape[1]
        return LossTargets(
            self.sym[begin:end],
            self.adj[begin:end],
            self.ops[begin * nodes : end * nodes],
            self.all_real,
        )


class GraphAutoencoder(nn.Module):
    """Per-node latents from a graph encoder, decoded back into adjacency and op logits.

    ``n_ops`` is the op vocabulary size; the op head predicts ``n_ops + 1`` classes, the last
    meaning "no vertex here" (padding). Without ``variational`` there is no log-variance head.
    ``decoder_dropout`` drops latent entries before decoding while training. ``op_loss`` is one
    of :data:`OP_LOSSES`; decoding takes the highest-scoring class either way. ``adj_offset``
    adds a learned scalar to every adjacency logit: without it two vertices with the same
    latent z (twins the encoder cannot tell apart) get the logit ``|z|^2 >= 0``, an edge, so a
    graph whose twins are not linked never decodes exactly (:func:`unlinked_twins`). With the
    offset a padded vertex's latent is zero, so the offset alone scores its edges (none once
    negative); without it all padded vertices share one latent and are linked.
    ``adj_decoder`` is one of :data:`ADJ_DECODERS`; ``positions`` > 0 appends each vertex's
    one-hot index (of that many) to its op features.
    """

    def __init__(
        self,
        n_ops: int,
        hidden: Sequence[int],
        latent_dim: int,
        encoder: str = "gin",
        variational: bool = True,
        mlp_layers: int = 2,
        decoder_dropout: float = 0.0,
        op_loss: str = "softmax",
        adj_offset: bool = False,
        adj_decoder: str = "inner",
        positions: int = 0,
    ) -> None:
        super().__init__()
        if adj_decoder not in ADJ_DECODERS:
            raise ValueError(f"unknown adjacency decoder {adj_decoder!r}; choose {ADJ_DECODERS}")
        if not 0.0 <= decoder_dropout < 1.0:
            raise ValueError(f"decoder_dropout must be in [0, 1), got {decoder_dropout}")
        if op_loss not in OP_LOSSES:
            raise ValueError(f"unknown op loss {op_loss!r}; choose one of {OP_LOSSES}")
        self.op_loss = op_loss
        self.decoder_dropout = float(decoder_dropout)
        self.positions = positions
        features = n_ops + positions
        if encoder in ("gin", "gin-directed"):
            directed = encoder == "gin-directed"
            self.encoder: nn.Module = GINEncoder(features, hidden, mlp_layers, directed=directed)
        elif encoder == "gcn":
            self.encoder = GCNEncoder(features, hidden)
        else:
            raise ValueError(f"unknown graph encoder {encoder!r}; choose one of {GRAPH_ENCODERS}")
        width = self.encoder.out_features
        self.mean_head = nn.Linear(width, latent_dim)
        self.logvar_head = nn.Linear(width, latent_dim) if variational else None
        self.op_head = nn.Linear(latent_dim, n_ops + 1)
        self.absent_class = n_ops
        self.adj_bias = nn.Parameter(torch.zeros(())) if adj_offset else None
        self.adj_form = None
        if adj_decoder == "bilinear":
            signs = torch.ones(latent_dim)
            signs[latent_dim // 2 :] = -1.0
            self.adj_form = nn.Parameter(torch.diag(signs))

    @property
    def variational(self) -> bool:
        return self.logvar_head is not None

    def encode(
        self, adj: torch.Tensor, ops: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Per-node means (B, N, d) and log-variances (None when not variational)."""
        return self._encode_symmetric(adj + adj.transpose(1, 2), ops, mask)

    def _encode_symmetric(
        self, sym: torch.Tensor, ops: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        if self.positions:
            index = torch.eye(self.positions, dtype=ops.dtype, device=ops.device)
            ops = torch.cat([ops, index[: ops.shape[1]].expand(ops.shape[0], -1, -1)], -1)
        hidden = self.encoder(sym, ops, mask)
        mean = self._drop_padding(self.mean_head(hidden), mask)
        logvar = self.logvar_head(hidden) if self.logvar_head is not None else None
        return mean, logvar

    def _drop_padding(self, z: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Zero the latents of padded vertices when the decoder has the offset (else as is)."""
        if self.adj_bias is None:
            return z
        return z * mask.unsqueeze(-1).to(z.dtype)

    def decode(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Op logits (B, N, n_ops + 1) and symmetric adjacency logits (B, N, N).

        With the zero-padding op loss the absent logit is fixed at 0, so the highest logit is
        "absent" exactly when no real class has probability above one half.
        """
        op_logits = self.op_head(z)
        if self.op_loss == "sigmoid-zero-pad":
            real = op_logits[..., : self.absent_class]
            op_logits = torch.cat([real, real.new_zeros((*real.shape[:-1], 1))], dim=-1)
        if self.adj_form is None:
            adj_logits = z @ z.transpose(1, 2)
        else:
            form = 0.5 * (self.adj_form + self.adj_form.T)
            adj_logits = z @ form @ z.transpose(1, 2)
        if self.adj_bias is not None:
            adj_logits = adj_logits + self.adj_bias
        return op_logits, adj_logits

    def targets(self, adj: torch.Tensor, codes: torch.Tensor, mask: torch.Tensor) -> LossTargets:
        """What :meth:`loss` compares a batch with; made once for a whole epoch, then sliced."""
        sym = adj + adj.transpose(1, 2)
        ops = codes.reshape(-1)
        if self.op_loss != "softmax":
            ops = F.one_hot(ops, self.absent_class + 1).to(adj.dtype)
        off_diagonal = _off_diagonal(adj.shape[-1], adj.device)
        return LossTargets(sym, sym.flatten(1)[:, off_diagonal], ops, bool(mask.all()))

    def loss(
        self,
        adj: torch.Tensor,
        ops: torch.Tensor,
        codes: torch.Tensor,
        mask: torch.Tensor,
        kl_weight: float,
        generator: torch.Generator | None = None,
        adj_weight: float = 1.0,
        targets: LossTargets | None = None,
    ) -> AutoencoderLoss:
        """Op loss + ``adj_weight`` x adjacency BCE + ``kl_weight`` x KL to N(0, I).

        The adjacency target is ``A + A^T`` (the inner-product decoder is symmetric; the upper
        triangle is read back). The KL is averaged over real vertices. In training mode the
        latents are sampled (reparameterisation) and the decoder dropout is applied; in eval
        mode the means are decoded as they are (the KL term stays). ``targets``: the batch's
        :meth:`targets`, when the caller made them in advance.
        """
        target = self.targets(adj, codes, mask) if targets is None else targets
        mean, logvar = self._encode_symmetric(target.sym, ops, mask)
        z = mean
        if logvar is not None and self.training:
            noise = torch.randn(mean.shape, generator=generator, device=mean.device)
            z = mean + noise * torch.exp(0.5 * logvar)
        if self.training and self.decoder_dropout > 0:
            keep = torch.rand(z.shape, generator=generator, device=z.device) >= self.decoder_dropout
            z = z * keep / (1.0 - self.decoder_dropout)
        z = self._drop_padding(z, mask)
        op_logits, adj_logits = self.decode(z)
        flat_logits = op_logits.reshape(-1, op_logits.shape[-1])
        if self.op_loss == "softmax":
            loss_ops = F.cross_entropy(flat_logits, target.ops)
        elif self.op_loss == "sigmoid-zero-pad":
            loss_ops = F.binary_cross_entropy_with_logits(flat_logits[:, :-1], target.ops[:, :-1])
        else:
            loss_ops = F.binary_cross_entropy_with_logits(flat_logits, target.ops)
        off_diagonal = _off_diagonal(adj.shape[-1], adj.device)
        loss_adj = F.binary_cross_entropy_with_logits(
            adj_logits.flatten(1)[:, off_diagonal], target.adj
        )
        kl = mean.new_zeros(())
        if logvar is not None and kl_weight > 0:
            per_node = -0.5 * (1 + logvar - mean.pow(2) - logvar.exp()).sum(dim=-1)
            kl = per_node.mean() if target.all_real else per_node[mask].mean()
        total = loss_ops + adj_weight * loss_adj + kl_weight * kl
        return AutoencoderLoss(total, loss_ops, loss_adj, kl, mean)


@functools.cache
def _off_diagonal(nodes: int, device: torch.device) -> torch.Tensor:
    """Flat indices of the off-diagonal entries of an N x N matrix, row by row (made once)."""
    return torch.nonzero(~torch.eye(nodes, dtype=torch.bool).flatten()).flatten().to(device)


def decode_predictions(
    op_logits: torch.Tensor, adj_logits: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Op class per node (B, N) and the strictly upper-triangular 0/1 adjacency (B, N, N)."""
    codes = op_logits.argmax(dim=-1)
    adj = torch.triu((adj_logits > 0).to(torch.uint8), diagonal=1)
    return codes, adj


def unlinked_twins(adj: torch.Tensor, codes: torch.Tensor, rounds: int) -> np.ndarray:
    """Per graph: has it two unlinked vertices that ``rounds`` GIN layers cannot tell apart?

    Twins are vertices of one graph with the same colour after ``rounds`` of 1-WL refinement on
    the symmetrised adjacency (``codes`` the initial colours): a GIN of that depth gives them
    the same latent, so the plain inner-product decoder links them. Padded vertices count too:
    all get the one latent of an empty vertex, so a graph two or more vertices smaller than the
    padded size never decodes exactly either. Colours are 64-bit integer hashes (a neighbour
    multiset is a wrapping sum of random codes), exact up to collisions of probability about
    2^-64 per pair, never float rounding.
    """
    sym = (adj + adj.transpose(1, 2)).numpy().astype(np.int64)
    colours = codes.numpy().astype(np.int64)
    random = np.random.default_rng(0)
    for _ in range(rounds):
        codes_of = random.integers(1, 2**62, size=int(colours.max()) + 1, dtype=np.int64)
        neighbours = np.einsum("bij,bj->bi", sym, codes_of[colours])
        keys = neighbours ^ (colours * np.int64(0x9E3779B97F4A7C15 - 2**64))
        colours = np.unique(keys, return_inverse=True)[1].reshape(colours.shape)
    same = colours[:, :, None] == colours[:, None, :]
    pair = ~np.eye(colours.shape[1], dtype=bool)
    return (same & pair & (sym == 0)).any(axis=(1, 2))
