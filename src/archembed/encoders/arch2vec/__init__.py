"""arch2vec (Yan et al., NeurIPS 2020): unsupervised architecture embeddings from a VGAE.

A GIN encoder (or GCN, for the GAE/VGAE baselines) maps each vertex of a padded op-on-node
graph to a latent mean (and log-variance); the decoder rebuilds adjacency and ops from the
per-node latents (:mod:`archembed.nn.graph_autoencoder`). Training is self-supervised on the
architectures of one space, with 10% held out to measure reconstruction.

Modules: :mod:`.config` (the frozen :class:`Arch2VecConfig` and the named recipes),
:mod:`.model` (the :class:`Arch2Vec` encoder), :mod:`.training` (training on the shared loop),
:mod:`.sampling` (decoding, latent samples, validity), :mod:`.data` (dense graph tensors).

Embedding. ``transform`` returns the **mean** of the latent means of a graph's real vertices
(padding excluded), so graphs of different sizes share one scale; ``pooling="sum"`` is also
available. ``encode_nodes``/``decode`` work on the per-node latents ``(n, max_nodes, d)``.

arch2vec + locality (in neither paper; off by default). With ``locality_loss`` set, each
training batch also takes ``locality_anchors`` of its cells as anchors, draws
``locality_positives`` cells 1..``locality_max_edits`` random valid edits away from each
(held-out cells are never drawn), and adds ``locality_weight`` x the metric loss on their graph
embeddings to the VAE loss.
"""

from archembed.encoders.arch2vec.config import (
    DATA_ORDERS,
    DEFAULT_EPOCHS,
    FALLBACK_EPOCHS,
    LATENT_STATS,
    POOLINGS,
    RECIPES,
    Arch2VecConfig,
    official_adj_weight,
    official_kl_weight,
)
from archembed.encoders.arch2vec.data import GraphBatch, batch_from_codes, graph_batch
from archembed.encoders.arch2vec.model import STATE_FILE, Arch2Vec
from archembed.encoders.arch2vec.sampling import PRIORS

__all__ = [
    "DATA_ORDERS",
    "DEFAULT_EPOCHS",
    "FALLBACK_EPOCHS",
    "LATENT_STATS",
    "POOLINGS",
    "PRIORS",
    "RECIPES",
    "STATE_FILE",
    "Arch2Vec",
    "Arch2VecConfig",
    "GraphBatch",
    "batch_from_codes",
    "graph_batch",
    "official_adj_weight",
    "official_kl_weight",
]
