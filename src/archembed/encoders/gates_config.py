"""Every option of GATES and TA-GATES in one frozen config, and named recipes.

A recipe is computed from the space, never typed by hand (the pattern of
:class:`~archembed.encoders.arch2vec.config.Arch2VecConfig`):

- ``default``: archembed's defaults, what ``GATES(space)`` / ``TAGATES(space)`` and
  ``archembed predict --encoders gates,tagates`` use.
- ``paper``: the TA-GATES paper's NB201 configuration where it differs from ours: batches of
  512 for 200 epochs at a constant rate (no minimum step count), the update MLP fed detached
  embeddings and forward states, only convolution embeddings updated (every one where the
  vocabulary names no convolution) and zero-cost symmetry breaking (``add``) on spaces whose
  networks archembed builds (none elsewhere). Flow passes follow the space, one 128-wide pass
  per hop as the paper's three on NB201's op-on-edge cell.
- ``fast``: a small, short run for tests and first tries.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from archembed.checks import check_options, check_recipe
from archembed.encoders.gates import GATES, GATES_MIN_STEPS, GATES_PAIR_RATIO, default_passes
from archembed.encoders.saliency import PROXIES
from archembed.encoders.tagates import TAGATES, TAGATES_HEAD, has_network_builder

RECIPES = ("default", "paper", "fast")
"""The named recipes of :meth:`GatesConfig.recipe` and :meth:`TAGatesConfig.recipe`."""
PAPER_TRAINING = {"batch_size": 512, "epochs": 200, "schedule": "constant", "min_steps": 0}
FAST_WIDTH = 32


@dataclass(frozen=True)
class GatesConfig:
    """Options of :class:`~archembed.encoders.gates.GATES` (see it for each field), without
    the space, the seed and run-time settings; ``hidden=None`` is one pass per hop of the
    space's longest path. Validated by :meth:`build` (and :meth:`recipe`, which builds once)."""

    op_dim: int = 48
    input_dim: int = 48
    hidden: tuple[int, ...] | None = None
    prune: bool = True
    self_loops: bool = False
    relu: bool = True
    open_skip: bool = True
    head: tuple[int, ...] = (200,)
    dropout: float = 0.1
    op_init_std: float | None = 1.0
    loss: str = "hinge"
    margin: float = 0.1
    pair_ratio: float | None = GATES_PAIR_RATIO
    epochs: int = 200
    min_steps: int = GATES_MIN_STEPS
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.0
    schedule: str = "cosine"

    estimator = GATES

    def build(self, space: Any, **runtime: Any) -> GATES:
        """The estimator on ``space`` with these options; ``runtime``: seed, device, threads."""
        return self.estimator(space, **self.to_dict(), **runtime)

    def to_dict(self) -> dict[str, Any]:
        """The options as constructor keywords."""
        return asdict(self)

    def with_options(self, **overrides: Any) -> GatesConfig:
        """A copy with some fields replaced."""
        check_options(self.estimator.name, type(self), overrides)
        return replace(self, **overrides)

    @classmethod
    def recipe(cls, name: str, space: Any, **overrides: Any) -> GatesConfig:
        """The named recipe (:data:`RECIPES`) computed for ``space``; ``overrides`` win; the
        result is checked by building it once on ``space``."""
        check_recipe(cls.estimator.name, name, RECIPES, cls, overrides)
        values = {**_RECIPE_BUILDERS[name](cls, space), **overrides}
        known = {f.name for f in fields(cls)}
        config = cls(**{k: v for k, v in values.items() if k in known})
        config.build(space)
        return config


@dataclass(frozen=True)
class TAGatesConfig(GatesConfig):
    """Options of :class:`~archembed.encoders.tagates.TAGATES` (GATES' plus its own)."""

    head: tuple[int, ...] = TAGATES_HEAD
    steps: int = 4
    step_size: float = 0.1
    backward_dim: int = 128
    symmetry: str = "none"
    noise_scale: float = 0.1
    beta: float = 1.0
    proxies: tuple[str, ...] = PROXIES
    saliency_setting: str = "proxy"
    saliency_seed: int = 0
    fidelity_steps: tuple[int, ...] | None = None
    detach_update: bool = False
    update_ops: str = "all"

    estimator = TAGATES


def _default(_cls: type, _space: Any) -> dict[str, Any]:
    return {}


def _paper(_cls: type, space: Any) -> dict[str, Any]:
    has_conv = any("conv" in op for op in space.ops)
    symmetry = "add" if has_network_builder(space) else "none"
    return {
        **PAPER_TRAINING,
        "detach_update": True,
        "update_ops": "conv" if has_conv else "all",
        "symmetry": symmetry,
    }


def _fast(_cls: type, space: Any) -> dict[str, Any]:
    return {
        "op_dim": 16,
        "input_dim": 16,
        "hidden": default_passes(space, FAST_WIDTH),
        "head": (FAST_WIDTH,),
        "backward_dim": FAST_WIDTH,
        "steps": 2,
        "epochs": 20,
        "min_steps": 0,
    }


_RECIPE_BUILDERS = {"default": _default, "paper": _paper, "fast": _fast}
