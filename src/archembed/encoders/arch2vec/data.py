"""Dense training tensors of a set of graphs, built once and indexed per batch."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class GraphBatch:
    """Dense training tensors of a set of graphs (see :func:`graph_batch`)."""

    adj: torch.Tensor
    ops: torch.Tensor
    codes: torch.Tensor
    mask: torch.Tensor

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, index: torch.Tensor | slice, device: torch.device) -> GraphBatch:
        """The graphs at ``index``, on ``device``."""
        return GraphBatch(
            self.adj[index].to(device),
            self.ops[index].to(device),
            self.codes[index].to(device),
            self.mask[index].to(device),
        )


def graph_batch(adj: np.ndarray, ops: np.ndarray) -> GraphBatch:
    """From ``space.tensors`` output: op class per vertex (absent = vocabulary size) and a mask."""
    mask = ops.any(axis=-1)
    codes = np.where(mask, ops.argmax(axis=-1), ops.shape[-1])
    return GraphBatch(
        torch.from_numpy(np.ascontiguousarray(adj, dtype=np.float32)),
        torch.from_numpy(np.ascontiguousarray(ops, dtype=np.float32)),
        torch.from_numpy(codes.astype(np.int64)),
        torch.from_numpy(mask),
    )


def batch_from_codes(
    codes: np.ndarray, packed_adj: np.ndarray, nodes: int, n_ops: int
) -> GraphBatch:
    """Rebuild a :class:`GraphBatch` from op classes (``n_ops`` = absent) and packed adjacency."""
    adj = np.unpackbits(packed_adj, axis=1, count=nodes * nodes).reshape(-1, nodes, nodes)
    ops = np.zeros((len(codes), nodes, n_ops), dtype=np.float32)
    rows, cols = np.nonzero(codes < n_ops)
    ops[rows, cols, codes[rows, cols]] = 1.0
    return graph_batch(adj, ops)


def pack_adjacency(batch: GraphBatch) -> torch.Tensor:
    """The 0/1 adjacency of ``batch`` bit-packed per graph (how saved models store it)."""
    flat = batch.adj.numpy().astype(np.uint8).reshape(len(batch), -1)
    return torch.from_numpy(np.packbits(flat, axis=1))


def fingerprint(batch: GraphBatch) -> str:
    """A digest of the graphs (a checkpoint resumes only on the data it was trained on)."""
    digest = hashlib.md5()
    digest.update(batch.codes.numpy().astype(np.int8).tobytes())
    digest.update(np.packbits(batch.adj.numpy().astype(np.uint8)).tobytes())
    return digest.hexdigest()


def slot_stats(means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per vertex slot and dimension mean and std of latent means ``(n, N, d)``."""
    return means.mean(axis=0), means.std(axis=0)
