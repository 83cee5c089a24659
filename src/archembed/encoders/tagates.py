"""TA-GATES (Ning et al., NeurIPS 2022): operation embeddings refined over T time steps.

Each step runs GATES' forward flow with the current operation embeddings, converts the output
node's state into backward information (FBConvert MLP), propagates it over the transposed DAG,
and updates every node's embedding with an MLP over ``[embedding | forward | backward]``:
``emb(t) = emb(t-1) + step_size * delta``. The last step's output-node state is the encoding;
for several fidelities (anytime prediction) fidelity ``i`` is scored from step
``fidelity_steps[i]``. Symmetry breaking before step 1 tells apart nodes with the same
operation: ``none``, ``noise`` (fixed per architecture), ``add`` (``emb + beta * MLP(Z)``) or
``concat`` (``[emb | MLP(Z)]``), with ``Z`` the per-node zero-cost saliencies of the built
network (:mod:`archembed.encoders.saliency`).

Op-on-edge cells (NB201, DARTS) run on their ArchGraphs, whose nodes are the edge operations:
both the forward flow and the backward flow over the transposed graph then match the
op-on-edge formulation, and every operation owns the embedding that is updated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from archembed.checks import MAX_WIDTH, check_choice, check_float, check_int, check_seed
from archembed.encoders.base import register_encoder
from archembed.encoders.gates import (
    GATES,
    GatesForward,
)
from archembed.encoders.saliency import PROXIES, per_node_saliencies
from archembed.encoders.trained import Inputs, output_rows
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.nets.build import OFFICIAL
from archembed.nets.zero_cost import SALIENCIES
from archembed.nn.flow import GatedFlow
from archembed.nn.mlp import mlp

SYMMETRY = ("none", "noise", "add", "concat")
ZERO_COST_SYMMETRY = ("add", "concat")
UPDATE_OPS = ("all", "conv")
"""Which operation embeddings the update step changes: every one, or only convolutions (the
parametric operations, whose training dynamics the update models; the papers' NB201 setting)."""
SETTINGS = ("proxy", "official")
"""Network settings the zero-cost saliencies can be computed with."""
MAX_STEPS = 64
"""Most forward-backward steps: each one is a full pass of the flow over the DAG."""

TAGATES_HEAD = (300, 300, 300, 300, 300)
"""Default hidden widths of TA-GATES' scoring MLP, as in the papers' NB201 configuration.

With 128-wide backward passes (also theirs) and random training pairs it raised TA-GATES on 1%
of NB201 from Kendall tau 0.762 to 0.771 (9 seeds), against GATES' one 200-wide layer.
"""


def has_network_builder(space: Any) -> bool:
    """Whether archembed builds the networks of ``space`` (needed for zero-cost saliencies)."""
    return getattr(space, "name", None) in OFFICIAL


def check_space_parts(space: Any, symmetry: str, update_ops: str) -> None:
    """ConfigError where an option needs parts ``space`` lacks: zero-cost symmetry breaking
    needs networks built from its cells, ``update_ops="conv"`` convolutions in its vocabulary."""
    if symmetry in ZERO_COST_SYMMETRY and not has_network_builder(space):
        raise ConfigError(
            f"TA-GATES symmetry {symmetry!r} needs zero-cost saliencies of built networks, and "
            f"archembed builds none for space {space.name!r} (only {', '.join(OFFICIAL)}); "
            "use symmetry none or noise"
        )
    if update_ops == "conv" and not any("conv" in op for op in space.ops):
        raise ConfigError(
            f"TA-GATES update_ops 'conv' updates operations named *conv*, and space "
            f"{space.name!r} has none ({', '.join(space.ops)}); use update_ops all"
        )


class TAGatesNet(nn.Module):
    """Op table, symmetry breaking, T forward/backward/update steps, MLP head."""

    def __init__(
        self,
        n_ops: int,
        op_dim: int,
        input_dim: int,
        hidden: tuple[int, ...],
        backward_dim: int,
        steps: int,
        step_size: float,
        symmetry: str,
        n_proxies: int,
        beta: float,
        fidelity_steps: tuple[int, ...],
        detach_update: bool = False,
        updatable: torch.Tensor | None = None,
        self_loops: bool = True,
        relu: bool = False,
        head: tuple[int, ...] = (128,),
        dropout: float = 0.0,
        op_init_std: float | None = None,
    ) -> None:
        super().__init__()
        self.relu = relu
        self.steps = steps
        self.step_size = step_size
        self.symmetry = symmetry
        self.beta = beta
        self.fidelity_steps = fidelity_steps
        self.detach_update = detach_update
        self.register_buffer(
            "updatable", torch.ones(n_ops) if updatable is None else updatable, persistent=False
        )
        self.op_table = nn.Linear(n_ops, op_dim, bias=False)
        if op_init_std is not None:
            nn.init.normal_(self.op_table.weight, std=op_init_std)
        emb_dim = op_dim
        if symmetry == "add":
            self.zero_cost = mlp([n_proxies, 64, op_dim])
        elif symmetry == "concat":
            self.zero_cost = mlp([n_proxies, 64, op_dim // 2])
            emb_dim = op_dim + op_dim // 2
        self.forward_flow = GatesForward(
            input_dim, emb_dim, hidden, self_loops=self_loops, relu=relu
        )
        self.fb_convert = mlp([hidden[-1], hidden[-1], backward_dim])
        self.backward_flow = nn.ModuleList(
            GatedFlow(backward_dim, emb_dim, backward_dim, self_loops=self_loops) for _ in hidden
        )
        self.update = mlp([emb_dim + hidden[-1] + backward_dim, 128, emb_dim])
        self.head = mlp([hidden[-1], *head, len(fidelity_steps)], dropout=dropout)

    def initial_embedding(
        self, ops: torch.Tensor, saliency: torch.Tensor | None, noise: torch.Tensor | None
    ) -> torch.Tensor:
        emb = self.op_table(ops)
        if self.symmetry == "noise":
            emb = emb + noise
        elif self.symmetry == "add":
            emb = emb + self.beta * self.zero_cost(saliency)
        elif self.symmetry == "concat":
            emb = torch.cat([emb, self.zero_cost(saliency)], dim=-1)
        return emb

    def encodings(
        self,
        adj: torch.Tensor,
        ops: torch.Tensor,
        out_index: torch.Tensor,
        saliency: torch.Tensor | None = None,
        noise: torch.Tensor | None = None,
        open_gate: torch.Tensor | None = None,
    ) -> list[torch.Tensor]:
        """The output node's forward state after each of the T steps."""
        emb = self.initial_embedding(ops, saliency, noise)
        updated = ops @ self.updatable.unsqueeze(-1)  # 1 on nodes whose embedding moves
        rows = torch.arange(ops.shape[0])
        outputs = []
        for step in range(self.steps):
            nodes = self.forward_flow(emb, adj, open_gate=open_gate)
            outputs.append(output_rows(nodes, out_index))
            if step == self.steps - 1:
                break
            back = nodes.new_zeros(*nodes.shape[:2], self.fb_convert[-1].out_features)
            back[rows, out_index] = self.fb_convert(outputs[-1])
            last = len(self.backward_flow) - 1
            for i, flow in enumerate(self.backward_flow):
                back = flow(back, emb, adj, reverse=True, open_gate=open_gate)
                if self.relu and i < last:
                    back = torch.relu(back)
            known = (emb.detach(), nodes.detach()) if self.detach_update else (emb, nodes)
            delta = self.update(torch.cat([*known, back], dim=-1))
            emb = emb + self.step_size * delta * updated
        return outputs

    def forward(self, **inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        outputs = self.encodings(**inputs)
        columns = [self.head(outputs[step - 1])[:, i] for i, step in enumerate(self.fidelity_steps)]
        return torch.stack(columns, dim=1), outputs[-1]


@register_encoder("tagates")
class TAGATES(GATES):
    """TA-GATES encoder and predictor.

    ``steps`` is T, ``step_size`` the update scale s; ``symmetry`` one of none/noise/add/concat
    (``noise_scale``, or ``beta`` and the zero-cost ``proxies``/``saliency_setting``, computed
    once per architecture with ``saliency_seed`` whatever the training seed, as the papers
    precompute them, so one cache serves every seed);
    ``fidelity_steps`` the step scoring each target column (default: spread over 1..T, the
    last column at step T); ``detach_update`` stops the gradient through the embedding and
    forward state fed to the update MLP (the papers' code does), so only the backward
    information trains it; ``update_ops`` (:data:`UPDATE_OPS`) chooses the operations whose
    embeddings the update changes. Every other option (flow, head, pruning, training) is
    :class:`GATES`'s, with its defaults, except the scoring MLP (:data:`TAGATES_HEAD`).
    """

    name = "tagates"

    def __init__(
        self,
        space: Any,
        *,
        steps: int = 4,
        step_size: float = 0.1,
        backward_dim: int = 128,
        symmetry: str = "none",
        noise_scale: float = 0.1,
        beta: float = 1.0,
        proxies: tuple[str, ...] | list[str] = PROXIES,
        saliency_setting: str = "proxy",
        saliency_seed: int = 0,
        fidelity_steps: tuple[int, ...] | list[int] | None = None,
        detach_update: bool = False,
        update_ops: str = "all",
        **options: Any,
    ) -> None:
        options.setdefault("head", TAGATES_HEAD)
        super().__init__(space, **options)
        if symmetry not in SYMMETRY:
            raise ConfigError(
                f"unknown symmetry breaking {symmetry!r}; choose one of: {', '.join(SYMMETRY)}"
            )
        check_choice("update_ops", update_ops, UPDATE_OPS)
        check_space_parts(self.space, symmetry, update_ops)
        self.steps = check_int("TA-GATES steps", steps, 1, MAX_STEPS)
        self.step_size = check_float("step_size", step_size)
        self.backward_dim = check_int("backward_dim", backward_dim, 1, MAX_WIDTH)
        self.symmetry = symmetry
        self.noise_scale = check_float("noise_scale", noise_scale, 0.0)
        self.beta = check_float("beta", beta)
        self.proxies = tuple(check_choice("TA-GATES proxy", p, SALIENCIES) for p in proxies)
        self.saliency_setting = check_choice("saliency_setting", saliency_setting, SETTINGS)
        self.saliency_seed = check_seed("saliency_seed", saliency_seed)
        self.fidelity_steps = None if fidelity_steps is None else tuple(fidelity_steps)
        self.detach_update = detach_update
        self.update_ops = update_ops

    def _updatable(self) -> torch.Tensor:
        """1 for each operation of the vocabulary whose embedding the update step changes."""
        if self.update_ops == "all":
            return torch.ones(len(self.space.ops))
        return torch.tensor([float("conv" in op) for op in self.space.ops])

    def _steps_for(self, n_outputs: int) -> tuple[int, ...]:
        if self.fidelity_steps is None:
            return tuple(max(1, round(self.steps * (i + 1) / n_outputs)) for i in range(n_outputs))
        if len(self.fidelity_steps) != n_outputs or not all(
            1 <= s <= self.steps for s in self.fidelity_steps
        ):
            raise ConfigError(
                f"fidelity_steps {self.fidelity_steps} must give one step in 1..{self.steps} "
                f"for each of the {n_outputs} target columns"
            )
        return self.fidelity_steps

    def _network(self, n_outputs: int) -> nn.Module:
        return TAGatesNet(
            n_ops=len(self.space.ops),
            op_dim=self.op_dim,
            input_dim=self.input_dim,
            hidden=self.hidden,
            backward_dim=self.backward_dim,
            steps=self.steps,
            step_size=self.step_size,
            symmetry=self.symmetry,
            n_proxies=len(self.proxies),
            beta=self.beta,
            fidelity_steps=self._steps_for(n_outputs),
            detach_update=self.detach_update,
            updatable=self._updatable(),
            **self._flow_options(),
        )

    def _raw_saliency(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        values = per_node_saliencies(
            self.space, graphs, self.proxies, setting=self.saliency_setting, seed=self.saliency_seed
        )
        return np.sign(values) * np.log1p(np.abs(np.nan_to_num(values)))

    def _prepare(self, graphs: Sequence[ArchGraph]) -> None:
        if self.symmetry in ZERO_COST_SYMMETRY:
            values = self._raw_saliency(graphs).reshape(-1, len(self.proxies))
            nonzero = values[np.abs(values).sum(axis=1) > 0]
            spread = nonzero.std(axis=0) if len(nonzero) else np.ones(len(self.proxies))
            self.saliency_scale_ = np.where(spread > 0, spread, 1.0)

    def _inputs(self, graphs: Sequence[ArchGraph]) -> Inputs:
        inputs = super()._inputs(graphs)
        if self.symmetry in ZERO_COST_SYMMETRY:
            scaled = self._raw_saliency(graphs) / self.saliency_scale_
            inputs["saliency"] = torch.as_tensor(scaled, dtype=torch.float32)
        elif self.symmetry == "noise":
            inputs["noise"] = torch.as_tensor(self._noise(graphs), dtype=torch.float32)
        return inputs

    def _noise(self, graphs: Sequence[ArchGraph]) -> np.ndarray:
        """Gaussian noise fixed per (architecture, seed), zero on input, output and padding."""
        out = np.zeros((len(graphs), self.space.max_nodes, self.op_dim))
        for row, graph in enumerate(graphs):
            digest = int(hashlib.md5(graph.exact_key.encode()).hexdigest()[:8], 16)
            rng = np.random.default_rng([self.seed, digest])
            inner = graph.n_nodes - 2
            out[row, 1 : 1 + inner] = rng.normal(0.0, self.noise_scale, (inner, self.op_dim))
        return out

    def _extra_state(self) -> dict[str, Any]:
        if self.symmetry in ZERO_COST_SYMMETRY:
            return {"saliency_scale": torch.as_tensor(self.saliency_scale_)}
        return {}

    def _load_extra_state(self, state: dict[str, Any]) -> None:
        if "saliency_scale" in state:
            self.saliency_scale_ = state["saliency_scale"].numpy()
