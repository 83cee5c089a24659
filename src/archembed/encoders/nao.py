"""The NAO controller (Luo et al., 2018) as an Encoder: LSTM encoder, predictor, LSTM decoder.

A cell is a token sequence (:mod:`archembed.encoders.sequence`). The encoder LSTM's
L2-normalised outputs are averaged into the embedding ``z``; an MLP predicts performance
from ``z``; an LSTM decoder started from ``z`` reconstructs the sequence, attending over a
memory computed from ``z`` alone, so ``z`` is a true bottleneck and :meth:`NAOEncoder.decode`
works on any embedding (NAO attends over the per-token encoder outputs instead).
Training loss: ``lam * MSE(predictor) + (1 - lam) * NLL(reconstruction)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from archembed.checks import check_float, check_int, check_seed
from archembed.encoders.base import Encoder, register_encoder
from archembed.encoders.sequence import SequenceCodec, sequence_codec
from archembed.errors import ConfigError, CorruptFileError
from archembed.graph import ArchGraph
from archembed.nn.mlp import mlp
from archembed.nn.runtime import load_checkpoint, resolve_device, save_checkpoint
from archembed.nn.training import EpochRandom, Trainer, seeded
from archembed.preprocessing import Standardizer
from archembed.spaces.base import SearchSpace

if TYPE_CHECKING:
    from archembed.encoders.locality import LocalityConfig

MIN_HIDDEN, MAX_HIDDEN = 16, 64
CONTROLLER_OPTIONS = ("hidden", "lam", "batch_size", "lr", "weight_decay")
"""Options of a locality recipe that go to the controller (the rest are pretraining fields)."""


class NAOController(nn.Module):
    """Sequence autoencoder with a performance head; ``allowed`` masks tokens per position."""

    def __init__(self, allowed: np.ndarray, hidden: int) -> None:
        super().__init__()
        length, vocab = allowed.shape
        self.length, self.vocab, self.hidden = length, vocab, hidden
        self.register_buffer("allowed", torch.as_tensor(allowed, dtype=torch.bool))
        self.enc_embed = nn.Embedding(vocab, hidden)
        self.encoder = nn.LSTM(hidden, hidden, batch_first=True)
        self.predictor = mlp([hidden, hidden, 1])
        self.dec_embed = nn.Embedding(vocab + 1, hidden)
        self.decoder = nn.LSTM(hidden, hidden, batch_first=True)
        self.memory = nn.Linear(hidden, length * hidden)
        self.position = nn.Parameter(torch.zeros(length, hidden))
        self.combine = nn.Linear(2 * hidden, hidden)
        self.out = nn.Linear(hidden, vocab)

    def encode(self, ids: torch.Tensor) -> torch.Tensor:
        """Embeddings ``(B, hidden)``: mean of L2-normalised encoder outputs."""
        outputs, _ = self.encoder(self.enc_embed(ids))
        return F.normalize(outputs, dim=-1).mean(dim=1)

    def predict(self, z: torch.Tensor) -> torch.Tensor:
        """Predicted (standardised) performance ``(B,)``."""
        return self.predictor(z).squeeze(-1)

    def _memory(self, z: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.memory(z).view(-1, self.length, self.hidden) + self.position)

    def _logits(self, steps: torch.Tensor, memory: torch.Tensor, start: int) -> torch.Tensor:
        """Masked token logits from decoder outputs ``(B, T, H)`` at positions start..start+T."""
        attention = torch.softmax(steps @ memory.transpose(1, 2), dim=-1)
        mixed = torch.tanh(self.combine(torch.cat([steps, attention @ memory], dim=-1)))
        logits = self.out(mixed)
        mask = self.allowed[start : start + steps.shape[1]]
        return logits.masked_fill(~mask, -1e9)

    def _state(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h0 = z.unsqueeze(0).contiguous()
        return h0, h0.clone()

    def reconstruction_logits(self, z: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        """Teacher-forced logits ``(B, L, V)`` for target sequences ``ids``."""
        start = torch.full((ids.shape[0], 1), self.vocab, dtype=ids.dtype, device=ids.device)
        inputs = self.dec_embed(torch.cat([start, ids[:, :-1]], dim=1))
        steps, _ = self.decoder(inputs, self._state(z))
        return self._logits(steps, self._memory(z), 0)

    def reconstruction_loss(self, z: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        """Mean token negative log-likelihood of ``ids`` given ``z``."""
        logits = self.reconstruction_logits(z, ids)
        return F.cross_entropy(logits.reshape(-1, self.vocab), ids.reshape(-1))

    @torch.no_grad()
    def greedy_decode(self, z: torch.Tensor) -> torch.Tensor:
        """Most likely token at each step, fed back as the next input: ``(B, L)`` ids."""
        memory = self._memory(z)
        state = self._state(z)
        token = torch.full((z.shape[0], 1), self.vocab, dtype=torch.long, device=z.device)
        out = []
        for t in range(self.length):
            step, state = self.decoder(self.dec_embed(token), state)
            token = self._logits(step, memory, t).argmax(dim=-1)
            out.append(token)
        return torch.cat(out, dim=1)


@register_encoder("nao")
class NAOEncoder(Encoder):
    """NAO controller: ``fit`` trains it (reconstruction only when ``y`` is None).

    ``fit`` continues from the current weights when the model already exists (a pretrained
    controller is fine-tuned, not reset). Targets are standardised with the statistics of the
    ``y`` given to ``fit``; :meth:`predict` returns them on the original scale.
    """

    name = "nao"

    def __init__(
        self,
        space: Any,
        hidden: int = 32,
        lam: float = 0.5,
        epochs: int = 100,
        batch_size: int = 64,
        lr: float = 1e-3,
        weight_decay: float = 1e-4,
        seed: int = 0,
        device: str | None = None,
        pretraining: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(space)
        check_int("hidden size", hidden, MIN_HIDDEN, MAX_HIDDEN)
        check_float("NAO trade-off lambda", lam, 0.0, 1.0)
        check_int("epochs", epochs, 0, 100_000)
        check_int("batch_size", batch_size, 1, 1_000_000)
        check_float("lr", lr, 0.0, low_open=True)
        check_float("weight_decay", weight_decay, 0.0)
        check_seed("seed", seed)
        self.hidden, self.lam, self.epochs = hidden, lam, epochs
        self.batch_size, self.lr, self.weight_decay = batch_size, lr, weight_decay
        self.seed, self.device = seed, device
        self.pretraining = pretraining
        self.locality: LocalityConfig | None = None  # set by from_recipe, run by pretrain
        self.codec: SequenceCodec = sequence_codec(self.space)
        self.device_ = resolve_device(device)
        self.model_: NAOController | None = None
        self.scaler_ = Standardizer(mean_=np.zeros(()), std_=np.ones(()))
        self.rng_ = np.random.default_rng(seed)

    @classmethod
    def from_recipe(
        cls, name: str, space: SearchSpace | str, *, device: str | None = None, **overrides: Any
    ) -> NAOEncoder:
        """A fresh controller set up for the named locality recipe (see
        :meth:`~archembed.encoders.locality.LocalityConfig.recipe`); :meth:`pretrain` runs it.

        ``overrides`` name controller options (:data:`CONTROLLER_OPTIONS`) or pretraining
        fields (``loss``, ``anchors``, ``epochs``...); ``seed`` goes to both.
        """
        from archembed.encoders.locality import CONTROLLER_RECIPES, LocalityConfig

        options = {k: v for k, v in overrides.items() if k in CONTROLLER_OPTIONS}
        rest = {k: v for k, v in overrides.items() if k not in CONTROLLER_OPTIONS}
        locality = LocalityConfig.recipe(name, space, **rest)
        options = {**CONTROLLER_RECIPES[name], **options, "seed": locality.seed}
        encoder = cls(space, device=device, **options)
        encoder.locality = locality
        return encoder

    def pretrain(
        self, *, checkpoint: str | Path | None = None, progress: bool = True
    ) -> NAOEncoder:
        """Locality pretraining with the recipe of :meth:`from_recipe` (default settings
        otherwise); the per-epoch losses go to ``pretraining["history"]``."""
        from archembed.encoders.locality import LocalityConfig, pretrain_locality

        config = self.locality or LocalityConfig(seed=self.seed)
        pretrain_locality(self, config, checkpoint=checkpoint, progress=progress)
        return self

    def config(self) -> dict[str, Any]:
        return {
            "hidden": self.hidden,
            "lam": self.lam,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "lr": self.lr,
            "weight_decay": self.weight_decay,
            "seed": self.seed,
            "device": self.device,
            "pretraining": self.pretraining,
        }

    def build(self) -> NAOController:
        """The controller, created (seeded) on first use."""
        if self.model_ is None:
            with seeded(self.seed):
                self.model_ = NAOController(self.codec.allowed, self.hidden).to(self.device_)
        return self.model_

    def optimizer(self, model: nn.Module) -> torch.optim.Optimizer:
        return torch.optim.Adam(model.parameters(), lr=self.lr, weight_decay=self.weight_decay)

    def token_ids(self, graphs: Sequence[ArchGraph]) -> torch.Tensor:
        return torch.as_tensor(self.codec.encode_batch(graphs), device=self.device_)

    def fit(
        self,
        graphs: Sequence[ArchGraph],
        y: np.ndarray | None = None,
        epochs: int | None = None,
        *,
        checkpoint: Path | None = None,
    ) -> NAOEncoder:
        """Train for ``epochs`` (default ``self.epochs``) passes over ``graphs``.

        Each call draws its run's seed from the encoder's generator (repeated fits in a search
        see new batch orders; a new encoder with the same seed repeats them). With
        ``checkpoint``, state is saved every epoch and an interrupted run is continued.
        """
        model = self.build()
        ids = self.token_ids(graphs)
        target = None
        if y is not None:
            values = np.asarray(y, dtype=np.float64)
            if values.shape != (len(graphs),):
                raise ConfigError(f"got {values.shape[0]} targets for {len(graphs)} graphs")
            self.scaler_ = Standardizer().fit(values)
            standard = self.scaler_.transform(values)
            target = torch.as_tensor(standard, dtype=torch.float32, device=self.device_)
        trainer = Trainer(
            "NAO",
            self.epochs if epochs is None else epochs,
            int(self.rng_.integers(2**31)),
            self.config(),
            checkpoint=checkpoint,
            progress=False,
        )
        trainer.fit(
            model,
            self.optimizer(model),
            lambda random: self._batches(len(graphs), random),
            lambda index, random: self._loss(model, ids[index], target, index),
        )
        return self

    def _batches(self, n: int, random: EpochRandom) -> list[torch.Tensor]:
        """One epoch's index batches: a random order split into near-equal parts."""
        parts = np.array_split(random.numpy().permutation(n), max(1, -(-n // self.batch_size)))
        return [torch.as_tensor(part, device=self.device_) for part in parts]

    def _loss(
        self,
        model: NAOController,
        ids: torch.Tensor,
        target: torch.Tensor | None,
        index: torch.Tensor,
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """Reconstruction NLL, mixed with the prediction MSE (weight ``lam``) given targets."""
        z = model.encode(ids)
        loss = model.reconstruction_loss(z, ids)
        terms = {"reconstruction": float(loss.detach())}
        if target is not None:
            mse = F.mse_loss(model.predict(z), target[index])
            terms["prediction"] = float(mse.detach())
            loss = self.lam * mse + (1.0 - self.lam) * loss
        return loss, terms

    def _fitted(self) -> NAOController:
        if self.model_ is None:
            raise CorruptFileError("NAO controller is not trained: call fit() or load a model")
        return self.model_

    def transform(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        model = self._fitted()
        with torch.no_grad():
            return model.encode(self.token_ids(graphs)).cpu().numpy().astype(np.float32)

    def decode(self, embeddings: np.ndarray) -> list[ArchGraph | None]:
        """Greedy decoding of embeddings; None where the sequence is not a cell of the space."""
        model = self._fitted()
        z = torch.as_tensor(np.asarray(embeddings, dtype=np.float32), device=self.device_)
        ids = model.greedy_decode(z).cpu().numpy()
        return [self.codec.decode(row) for row in ids]

    def predict(self, embeddings: np.ndarray) -> np.ndarray:
        """Predicted performance of embeddings, on the scale of the last ``fit``'s targets."""
        model = self._fitted()
        with torch.no_grad():
            z = torch.as_tensor(np.asarray(embeddings, dtype=np.float32), device=self.device_)
            return self.scaler_.inverse_transform(model.predict(z).cpu().numpy())

    def ascend(self, embeddings: np.ndarray, step_size: float) -> np.ndarray:
        """One step of size ``step_size`` along the normalised predictor gradient per embedding."""
        model = self._fitted()
        z = torch.as_tensor(np.asarray(embeddings, dtype=np.float32), device=self.device_)
        z.requires_grad_(True)
        (grad,) = torch.autograd.grad(model.predict(z).sum(), z)
        step = step_size * F.normalize(grad, dim=-1)
        return (z + step).detach().cpu().numpy()

    def save_state(self, directory: Path) -> None:
        model = self._fitted()
        save_checkpoint(
            directory / "state.pt",
            {
                "model": model.state_dict(),
                "y_mean": float(self.scaler_.mean_),
                "y_std": float(self.scaler_.std_),
            },
        )

    def load_state(self, directory: Path) -> None:
        state = load_checkpoint(
            directory / "state.pt", self.device_, ("model", "y_mean", "y_std"), "a NAO model state"
        )
        model = self.build()
        model.load_state_dict(state["model"])  # a mismatch: see load_encoder's error
        self.scaler_ = Standardizer(
            mean_=np.asarray(float(state["y_mean"])), std_=np.asarray(float(state["y_std"]))
        )
        model.eval()
