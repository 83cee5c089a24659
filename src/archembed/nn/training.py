"""The one training loop of archembed: every trainable model fits through :func:`fit`.

A model supplies two callables: ``batches(random)`` yields one epoch's batches, and
``loss(batch, random)`` returns the loss to minimise with its named terms. The loop owns the
rest, the same way for every model: optimiser steps (the only ``optimizer.step()`` for
training in the package), gradient clipping, divergence checks that name the epoch and the
term, a per-epoch random stream derived from ``SeedSequence([seed, epoch])`` (no global
reseeding, so a run resumed at an epoch boundary equals an uninterrupted one bit for bit),
checkpoints, progress and the ``on_epoch`` hook. :func:`seeded` initialises a model from a
seed without touching the global generators; :func:`step` is the optimiser step itself, for the
rare update that is not an epoch over batches (a policy-gradient step in a search).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch

from archembed.errors import ConfigError
from archembed.nn.runtime import (
    DIVERGED_HINT,
    check_losses,
    check_weights,
    load_checkpoint,
    save_checkpoint,
)
from archembed.progress import ProgressBar

CHECKPOINT_KEYS = ("model", "optimizer", "epoch", "history", "config", "seed", "version")
ADAM_GROUP = {
    "weight_decay": 0,
    "amsgrad": False,
    "maximize": False,
    "foreach": None,
    "capturable": False,
    "differentiable": False,
    "fused": None,
    "decoupled_weight_decay": False,
}
"""The fixed settings of :class:`FlatAdam`'s parameter group, as ``torch.optim.Adam`` saves them."""
CLIP_MARGIN = 0.01
"""How far below ``grad_clip`` the norm of the flat gradient must be for :class:`FlatAdam` to skip
the clipping: the clipping norm (of the per-tensor norms) differs from it by rounding only."""
GLOBAL_STREAM = 2**20
"""The :class:`EpochRandom` stream that seeds torch's global generator during an epoch."""
Batches = Callable[["EpochRandom"], Iterable[Any]]
Loss = Callable[[Any, "EpochRandom"], tuple[torch.Tensor, dict[str, float]]]
OnEpoch = Callable[[int, dict[str, float]], dict[str, float] | None]


@contextlib.contextmanager
def seeded(seed: int, device: torch.device | None = None) -> Iterator[None]:
    """Run the block on torch's global generators seeded with ``seed`` (CPU, and ``device``
    when it is a GPU), restoring them afterwards: no global reseeding leaks out."""
    gpus = [device] if device is not None and device.type == "cuda" else []
    with torch.random.fork_rng(devices=gpus):
        torch.default_generator.manual_seed(seed)  # torch.manual_seed costs ~1 ms per call
        for gpu in gpus:
            with torch.cuda.device(gpu):
                torch.cuda.manual_seed(seed)
        yield


def step(
    model: torch.nn.Module,
    optimizer: Optimizer,
    total: torch.Tensor,
    grad_clip: float | None = None,
) -> None:
    """One optimiser step on ``total``: zero the gradients, backpropagate, clip, update."""
    optimizer.zero_grad(set_to_none=True)
    total.backward()
    if grad_clip is not None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    optimizer.step()


class Optimizer(Protocol):
    """What the loop needs of an optimiser: a ``torch.optim.Optimizer`` or a :class:`FlatAdam`."""

    def zero_grad(self, set_to_none: bool = True) -> None: ...

    def step(self) -> Any: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state_dict: dict[str, Any]) -> None: ...


class FlatAdam:
    """Adam on one flat buffer that holds all of a model's parameters and one for their gradients.

    Each parameter (and its gradient) becomes a view into the buffers, so a step, zeroing,
    clipping and the optimiser state are a few large operations instead of several per tensor.
    The arithmetic is ``torch.optim.Adam``'s (single-tensor path), number for number, and so is
    gradient clipping with ``grad_clip`` (``clip_grad_norm_``'s total norm of the per-parameter
    norms); the state dict has ``torch.optim.Adam``'s layout. Not a ``torch.optim.Optimizer``:
    creating one of those imports torch's compiler stack, about a second of start-up. Create it
    after the model is on its device.
    """

    def __init__(
        self,
        params: Iterable[torch.nn.Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        grad_clip: float | None = None,
    ) -> None:
        params = [p for p in params if p.requires_grad]
        flat = torch.nn.Parameter(torch.cat([p.detach().reshape(-1) for p in params]))
        flat.grad = torch.zeros_like(flat)
        offset = 0
        for param in params:
            size = param.numel()
            param.data = flat.data[offset : offset + size].view_as(param)
            param.grad = flat.grad[offset : offset + size].view_as(param)
            offset += size
        self.flat, self.grads = flat, [p.grad for p in params]
        self.lr, self.betas, self.eps, self.grad_clip = float(lr), betas, float(eps), grad_clip
        self.steps = 0
        self.exp_avg, self.exp_avg_sq = torch.zeros_like(flat), torch.zeros_like(flat)
        self._denom = torch.empty_like(flat)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Zero the gradient buffer in place (the parameters' gradients are views into it)."""
        assert self.flat.grad is not None
        self.flat.grad.zero_()

    @torch.no_grad()
    def step(self) -> None:
        """Clip the gradients (with ``grad_clip``), then one Adam update of every parameter."""
        grad, (beta1, beta2) = self.flat.grad, self.betas
        assert grad is not None
        if self.grad_clip is not None and self._may_clip(grad):
            norms = torch.stack(torch._foreach_norm(self.grads, 2.0))
            coef = self.grad_clip / (torch.linalg.vector_norm(norms, 2.0) + 1e-6)
            grad.mul_(torch.clamp(coef, max=1.0))
        self.steps += 1
        self.exp_avg.lerp_(grad, 1 - beta1)
        self.exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        step_size = self.lr / (1 - beta1**self.steps)
        correction = (1 - beta2**self.steps) ** 0.5
        denom = torch.sqrt(self.exp_avg_sq, out=self._denom).div_(correction).add_(self.eps)
        self.flat.data.addcdiv_(self.exp_avg, denom, value=-step_size)

    def _may_clip(self, grad: torch.Tensor) -> bool:
        """False when the gradient norm is safely below ``grad_clip`` (by :data:`CLIP_MARGIN`):
        clipping would then multiply by exactly 1, and the per-tensor norms are skipped."""
        assert self.grad_clip is not None
        norm = float(torch.linalg.vector_norm(grad, 2.0))
        return not norm < self.grad_clip * (1 - CLIP_MARGIN)  # a NaN norm takes the full path

    def state_dict(self) -> dict[str, Any]:
        """The state in ``torch.optim.Adam``'s layout (one parameter: the flat buffer)."""
        state = {}
        if self.steps:
            state[0] = {
                "step": torch.tensor(float(self.steps)),
                "exp_avg": self.exp_avg.clone(),
                "exp_avg_sq": self.exp_avg_sq.clone(),
            }
        group = {**ADAM_GROUP, "lr": self.lr, "betas": self.betas, "eps": self.eps, "params": [0]}
        return {"state": state, "param_groups": [group]}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Take back :meth:`state_dict` (or a ``torch.optim.Adam`` state of the flat buffer)."""
        group = state_dict["param_groups"][0]
        self.lr, self.betas, self.eps = float(group["lr"]), tuple(group["betas"]), group["eps"]
        state = state_dict["state"].get(0)
        self.steps = 0 if state is None else int(state["step"])
        if state is not None:
            self.exp_avg.copy_(state["exp_avg"])
            self.exp_avg_sq.copy_(state["exp_avg_sq"])


@dataclass(frozen=True)
class EpochRandom:
    """Random streams of one epoch, all derived from ``(seed, epoch)`` and a stream number.

    Asking twice for a stream gives the same generator, so the batches and the loss of an
    epoch can share one stream and continue it.
    """

    seed: int
    epoch: int
    _made: dict[tuple[str, int, str], Any] = field(default_factory=dict, compare=False, repr=False)

    def sequence(self, stream: int = 0) -> np.random.SeedSequence:
        """The SeedSequence of one stream of this epoch."""
        return np.random.SeedSequence([self.seed, self.epoch, stream])

    def numpy(self, stream: int = 0) -> np.random.Generator:
        """The NumPy generator of ``stream``."""
        key = ("numpy", stream, "")
        if key not in self._made:
            self._made[key] = np.random.default_rng(self.sequence(stream))
        return self._made[key]

    def torch(self, stream: int = 0, device: str | torch.device = "cpu") -> torch.Generator:
        """The torch generator of ``stream`` on ``device``."""
        key = ("torch", stream, str(device))
        if key not in self._made:
            self._made[key] = torch.Generator(device=device).manual_seed(self.torch_seed(stream))
        return self._made[key]

    def torch_seed(self, stream: int = 0) -> int:
        """A torch seed (63 bits) for ``stream``."""
        return int(self.sequence(stream).generate_state(1, dtype=np.uint64)[0]) >> 1


@dataclass
class Checkpoint:
    """Everything needed to continue training: weights, optimiser, epoch, history, config."""

    model: dict[str, Any]
    optimizer: dict[str, Any]
    epoch: int
    history: list[dict[str, float]]
    config: dict[str, Any]
    seed: int
    version: str
    scheduler: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def save(self, path: str | Path) -> None:
        """Write atomically (an interrupted save leaves the previous checkpoint intact).

        The fields are written as they are, not through ``asdict``: its deep copy would copy
        the whole flat parameter buffer once per weight tensor (:class:`FlatAdam` makes every
        weight a view of it), 44 MB instead of 1 MB per epoch for a 250,000-weight model.
        """
        save_checkpoint(path, {item.name: getattr(self, item.name) for item in fields(self)})

    @classmethod
    def load(cls, path: str | Path, kind: str = "a training checkpoint") -> Checkpoint:
        """Read a checkpoint; a missing, foreign or truncated file raises a UserError."""
        state = load_checkpoint(path, keys=CHECKPOINT_KEYS, kind=kind)
        return cls(**{name: state.get(name) for name in cls.__dataclass_fields__})


@dataclass
class Trainer:
    """Settings of one training run; :meth:`fit` runs it on a model and an optimiser.

    ``what`` names the model in messages. ``checkpoint``: a file written after every epoch
    and, with ``resume``, continued from (its config must equal ``config`` except
    ``epochs``). ``on_epoch(epoch, metrics)`` runs after each epoch (held-out checks) and may
    return more metrics for the history. ``extra_state()`` is stored with each checkpoint and
    handed to ``on_resume`` when a run continues from it (non-torch state such as input
    scaling). ``steps_per_epoch``, when known, makes the progress bar count batches. Weights
    are checked before every checkpoint and at the end (a weight that turns non-finite in
    between shows as a non-finite loss at the next step), so no diverged state is saved.
    """

    what: str
    epochs: int
    seed: int = 0
    config: dict[str, Any] = field(default_factory=dict)
    grad_clip: float | None = None
    checkpoint: Path | None = None
    resume: bool = True
    progress: bool = True
    hint: str = DIVERGED_HINT
    on_epoch: OnEpoch | None = None
    extra_state: Callable[[], dict[str, Any]] | None = None
    on_resume: Callable[[dict[str, Any]], None] | None = None
    steps_per_epoch: int | None = None

    def fit(
        self,
        model: torch.nn.Module,
        optimizer: Optimizer,
        batches: Batches,
        loss: Loss,
        scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    ) -> list[dict[str, float]]:
        """Train ``model`` for the remaining epochs; return the per-epoch history."""
        start, history = self._restore(model, optimizer, scheduler)
        unit = self.steps_per_epoch or 1
        with ProgressBar(enabled=self.progress) as bar:
            task = bar.add_task(
                self.what, total=max(self.epochs, start) * unit, completed=start * unit
            )
            model.train()
            for epoch in range(start, self.epochs):
                began, cpu_began = time.perf_counter(), time.process_time()
                metrics = self._epoch(model, optimizer, batches, loss, epoch, (bar, task))
                if scheduler is not None:
                    scheduler.step()
                metrics["train_seconds"] = time.perf_counter() - began
                metrics["train_cpu_seconds"] = time.process_time() - cpu_began
                if self.on_epoch is not None:
                    metrics.update(self.on_epoch(epoch, metrics) or {})
                    model.train()
                history.append(metrics)
                self._save(model, optimizer, scheduler, epoch + 1, history)
                if bar.shown:
                    bar.update(task, completed=(epoch + 1) * unit, info=_describe(epoch, metrics))
        if self.epochs > start:
            check_weights(self.what, self.epochs, model, self.hint)
        model.eval()
        return history

    def _epoch(
        self,
        model: torch.nn.Module,
        optimizer: Optimizer,
        batches: Batches,
        loss: Loss,
        epoch: int,
        progress: tuple[ProgressBar, Any],
    ) -> dict[str, float]:
        """One pass over the epoch's batches; the mean of each loss term.

        Layers that draw from torch's global generator (dropout) see it seeded from the
        epoch's :data:`GLOBAL_STREAM` inside a fork, so they too repeat on resume.
        """
        bar, task = progress
        random = EpochRandom(self.seed, epoch)
        sums: dict[str, float] = {}
        steps = 0
        device = next(model.parameters()).device
        with seeded(random.torch_seed(GLOBAL_STREAM), device):
            for batch in batches(random):
                terms = self._step(model, optimizer, loss(batch, random), epoch)
                for name, value in terms.items():
                    sums[name] = sums.get(name, 0.0) + value
                steps += 1
                if bar.shown:
                    bar.update(
                        task,
                        advance=int(self.steps_per_epoch is not None),
                        info=_describe(epoch, terms),
                    )
        return {"epoch": epoch + 1, **{k: v / max(steps, 1) for k, v in sums.items()}}

    def _step(
        self,
        model: torch.nn.Module,
        optimizer: Optimizer,
        computed: tuple[torch.Tensor, dict[str, float]],
        epoch: int,
    ) -> dict[str, float]:
        total, terms = computed
        terms = {**terms, "loss": float(total.detach())}
        check_losses(self.what, epoch + 1, terms, self.hint)
        step(model, optimizer, total, self.grad_clip)
        return terms

    def _save(
        self,
        model: torch.nn.Module,
        optimizer: Optimizer,
        scheduler: torch.optim.lr_scheduler.LRScheduler | None,
        epoch: int,
        history: list[dict[str, float]],
    ) -> None:
        if self.checkpoint is None:
            return
        check_weights(self.what, epoch, model, self.hint)
        from archembed import __version__

        Checkpoint(
            model=model.state_dict(),
            optimizer=optimizer.state_dict(),
            epoch=epoch,
            history=history,
            config=self.config,
            seed=self.seed,
            version=__version__,
            scheduler=None if scheduler is None else scheduler.state_dict(),
            extra=self.extra_state() if self.extra_state is not None else {},
        ).save(self.checkpoint)

    def _restore(
        self,
        model: torch.nn.Module,
        optimizer: Optimizer,
        scheduler: torch.optim.lr_scheduler.LRScheduler | None,
    ) -> tuple[int, list[dict[str, float]]]:
        """Continue from the checkpoint when asked and present; else start at epoch 0."""
        if self.checkpoint is None or not self.resume or not Path(self.checkpoint).is_file():
            return 0, []
        saved = Checkpoint.load(self.checkpoint, kind=f"a {self.what} training checkpoint")
        if _without_epochs(saved.config) != _without_epochs(self.config) or saved.seed != self.seed:
            raise ConfigError(
                f"checkpoint {self.checkpoint} was written with another configuration; "
                "delete it or use the same options (only the epochs may change)"
            )
        model.load_state_dict(saved.model)
        optimizer.load_state_dict(saved.optimizer)
        if scheduler is not None and saved.scheduler is not None:
            scheduler.load_state_dict(saved.scheduler)
        if self.on_resume is not None:
            self.on_resume(saved.extra or {})
        return int(saved.epoch), list(saved.history)


def load_extra(path: str | Path, what: str) -> dict[str, Any]:
    """The ``extra`` state a model stored with its last checkpoint."""
    return Checkpoint.load(path, kind=f"a {what} training checkpoint").extra


def _without_epochs(config: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if config is None else {k: v for k, v in config.items() if k != "epochs"}


def _describe(epoch: int, terms: dict[str, float]) -> str:
    shown = ", ".join(
        f"{k} {v:.3g}" for k, v in terms.items() if not k.startswith(("epoch", "train_"))
    )
    return f"epoch {epoch + 1}: {shown}"
