"""Decoding and sampling of a trained arch2vec model: latents to architectures, and back.

:class:`Sampling` is a mixin of :class:`~archembed.encoders.arch2vec.model.Arch2Vec`;
:func:`latent_quality` scores decoded samples with the paper's validity and uniqueness (the
numbers users compare with its Table 1) and with the strict variant (decoded graph is an
architecture of the space).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from archembed.encoders.decoding import graphs_from_codes, paper_quality, validity_uniqueness
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.nn.graph_autoencoder import GraphAutoencoder, decode_predictions

PRIORS = ("train", "standard")


class Sampling:
    """Decoding of per-vertex latents and sampling from the latent prior."""

    space: Any
    settings: Any
    device: torch.device
    latent_mean_: np.ndarray
    latent_std_: np.ndarray

    def _require_fitted(self) -> GraphAutoencoder:
        model = getattr(self, "model_", None)
        if model is None:
            raise ConfigError("this arch2vec model is not trained: call fit() or load a model")
        return model

    def decode(self, z: np.ndarray | torch.Tensor) -> list[ArchGraph | None]:
        """Architectures decoded from per-vertex latents ``(n, max_nodes, latent_dim)``.

        An entry is None when the decoded graph is not an architecture of the space.
        """
        return graphs_from_codes(self.space, *self.decode_codes(z))

    def decode_codes(
        self, z: np.ndarray | torch.Tensor, real_ops_only: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Raw decoder output: op class per vertex (``len(space.ops)`` = absent) and adjacency.

        With ``real_ops_only`` every vertex takes its best real op, never "absent".
        """
        model = self._require_fitted()
        latents = torch.as_tensor(np.asarray(z, dtype=np.float32)).to(self.device)
        expected = (self.space.max_nodes, self.settings.latent_dim)
        if latents.ndim != 3 or tuple(latents.shape[1:]) != expected:
            raise ConfigError(
                f"decode needs latents of shape (n, {expected[0]}, {expected[1]}), "
                f"got {tuple(latents.shape)}"
            )
        model.eval()
        with torch.inference_mode():
            op_logits, adj_logits = model.decode(latents)
            if real_ops_only:
                op_logits = op_logits[..., : model.absent_class]
            codes, adj = decode_predictions(op_logits, adj_logits)
        return codes.cpu().numpy(), adj.cpu().numpy()

    def paper_decode_codes(self, z: np.ndarray | torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """Decoder output as the official code reads it for the paper's validity.

        Its model has no absent class: every vertex takes its best op and NAS-Bench-101's
        ModelSpec prunes the dead ones. A model trained with the zero-padding op loss is decoded
        that way; a model with a trained absent class keeps it (:meth:`decode_codes`).
        """
        return self.decode_codes(z, real_ops_only=self._paper_real_ops)

    @property
    def _paper_real_ops(self) -> bool:
        return bool(self.settings.op_loss == "sigmoid-zero-pad")

    def decode_both(
        self, z: np.ndarray | torch.Tensor
    ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """:meth:`decode_codes` and :meth:`paper_decode_codes` of ``z``, decoded once when they
        are the same (every model without the zero-padding op loss)."""
        decoded = self.decode_codes(z)
        return decoded, self.paper_decode_codes(z) if self._paper_real_ops else decoded

    def sample_latents(self, n: int, rng: np.random.Generator, prior: str = "train") -> np.ndarray:
        """``n`` per-vertex latents: ``"train"`` draws each slot and dimension from a Gaussian with
        the training latents' mean and std (as the official code), ``"standard"`` from N(0, I)."""
        self._require_fitted()
        shape = (n, self.space.max_nodes, self.settings.latent_dim)
        draws = rng.standard_normal(shape)
        if prior == "train":
            draws = draws * self.latent_std_ + self.latent_mean_
        elif prior != "standard":
            raise ConfigError(f"unknown latent prior {prior!r}; use one of {PRIORS}")
        return draws.astype(np.float32)

    def latent_quality(self, z: np.ndarray) -> dict[str, float]:
        """Validity and uniqueness of the samples decoded from ``z``: the paper's definition
        (``validity``, ``uniqueness``) and the strict one (``*_strict``: architectures of the
        space, uniqueness by identity)."""
        (codes, adjacency), paper_codes = self.decode_both(z)
        graphs = graphs_from_codes(self.space, codes, adjacency)
        strict = validity_uniqueness(self.space, graphs)
        valid = np.array([graph is not None for graph in graphs], dtype=bool)
        paper = paper_quality(self.space, *paper_codes, valid)
        return {
            "validity": paper["validity"],
            "uniqueness": paper["uniqueness"],
            "validity_strict": float(strict["validity"]),
            "uniqueness_strict": float(strict["uniqueness"]),
        }
