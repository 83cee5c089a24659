"""Zero-cost proxies of networks at initialisation, per network and per operation.

Definitions follow the zero-cost NAS literature (Abdelfattah et al., 2021; Mellor et al.,
2021). Gradient proxies use a cross-entropy loss on one batch of the input pool with labels
drawn from the seed (there is no labelled dataset here). Per-parameter saliencies
(grad_norm, snip, grasp, plain, synflow) are taken over the weights of convolutions and linear
layers (as in the original definitions) and summed per weight tensor; a network's score is the
sum over all tensors and an operation's score the sum over the tensors of the modules tagged
with its ArchGraph node (over all cells), as TA-GATES aggregates them.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from archembed.errors import ConfigError, UnknownNameError
from archembed.graph import ArchGraph
from archembed.nets.build import NetSetting, build_network, resolve_setting
from archembed.nets.flops import count_flops
from archembed.nets.inputs import load_input_pool
from archembed.nets.jacobian import init_seed
from archembed.nets.ops import node_modules, set_batchnorm_mode
from archembed.nn.training import seeded
from archembed.progress import ProgressBar
from archembed.spaces import get_space

SALIENCIES = ("grad_norm", "snip", "grasp", "plain", "synflow")
"""Per-parameter proxies that can be aggregated per operation."""

PROXIES = ("params", "flops", *SALIENCIES, "fisher", "jacov", "nwot")


def _check(proxies: Sequence[str], known: Sequence[str]) -> None:
    for name in proxies:
        if name not in known:
            raise UnknownNameError("zero-cost proxy", name, list(known))


def check_proxies(proxies: Sequence[str]) -> tuple[str, ...]:
    """Validate a list of proxy names (known, at least one, none twice); return it."""
    if not proxies:
        raise ConfigError(f"--proxies is empty; choose from: {', '.join(PROXIES)}")
    _check(proxies, PROXIES)
    repeated = sorted({p for p in proxies if list(proxies).count(p) > 1})
    if repeated:
        raise ConfigError(f"--proxies lists {', '.join(repeated)} more than once")
    return tuple(proxies)


def prunable_weights(net: nn.Module) -> list[tuple[nn.Module, torch.Tensor]]:
    """(module, weight) of every convolution and linear layer, in module order."""
    return [(m, m.weight) for m in net.modules() if isinstance(m, nn.Conv2d | nn.Linear)]


def _loss_gradients(
    net: nn.Module, x: torch.Tensor, y: torch.Tensor, grasp: bool
) -> tuple[list[torch.Tensor], list[torch.Tensor] | None]:
    """Weight gradients of the cross-entropy loss, and Hessian-gradient products for GraSP."""
    weights = [w for _, w in prunable_weights(net)]
    loss = F.cross_entropy(net(x), y)
    grads = torch.autograd.grad(loss, weights, create_graph=grasp)
    if not grasp:
        return list(grads), None
    dot = sum((g * g.detach()).sum() for g in grads)
    hessian_grads = torch.autograd.grad(dot, weights)
    return [g.detach() for g in grads], list(hessian_grads)


def _synflow_gradients(net: nn.Module, shape: torch.Size) -> list[torch.Tensor]:
    """SynFlow: |weights|, BatchNorm in eval mode (identity at init), all-ones input, float64."""
    net = net.double()
    set_batchnorm_mode(net, "eval")
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    weights = [w for _, w in prunable_weights(net)]
    device = weights[0].device if weights else torch.device("cpu")
    out = net(torch.ones((1, *shape[1:]), dtype=torch.float64, device=device)).sum()
    return list(torch.autograd.grad(out, weights))


def parameter_saliencies(
    net: nn.Module, x: torch.Tensor, y: torch.Tensor, proxies: Sequence[str]
) -> dict[str, np.ndarray]:
    """Per-weight-tensor scores (one value per :func:`prunable_weights` entry) per proxy.

    ``net`` is modified (BatchNorm running statistics move): pass a fresh network. SynFlow
    runs on a copy taken first, so it never sees the data batch.
    """
    _check(proxies, SALIENCIES)
    out: dict[str, np.ndarray] = {}
    untouched = copy.deepcopy(net) if "synflow" in proxies else None  # before BN stats move
    set_batchnorm_mode(net, "batch")
    weights = [w.detach().clone() for _, w in prunable_weights(net)]
    if any(p in proxies for p in ("grad_norm", "snip", "grasp", "plain")):
        grads, hessian_grads = _loss_gradients(net, x, y, "grasp" in proxies)
        pairs = list(zip(weights, grads))
        table = {
            "grad_norm": [g.norm() for _, g in pairs],
            "snip": [(g * w).abs().sum() for w, g in pairs],
            "plain": [(g * w).sum() for w, g in pairs],
        }
        if hessian_grads is not None:
            table["grasp"] = [-(w * hg).sum() for w, hg in zip(weights, hessian_grads)]
        for name, values in table.items():
            if name in proxies:
                out[name] = torch.stack(values).double().cpu().numpy()
    if untouched is not None:
        grads = _synflow_gradients(untouched, x.shape)
        pairs = zip(grads, prunable_weights(untouched))
        out["synflow"] = np.array([float((g * w.detach()).abs().sum()) for g, (_, w) in pairs])
    return out


def _fisher(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Sum over conv/linear outputs of 0.5 * mean_batch((sum_spatial act * grad)^2), per channel."""
    set_batchnorm_mode(net, "batch")
    acts: list[torch.Tensor] = []

    def keep(_module, _inputs, output):
        output.retain_grad()
        acts.append(output)

    handles = [
        m.register_forward_hook(keep) for m in net.modules() if isinstance(m, nn.Conv2d | nn.Linear)
    ]
    F.cross_entropy(net(x), y).backward()
    for h in handles:
        h.remove()
    total = 0.0
    for a in acts:
        prod = a * a.grad
        per_sample = prod.sum(dim=(2, 3)) if prod.ndim == 4 else prod
        total += float(0.5 * per_sample.detach().pow(2).mean(dim=0).sum())
    return total


def _jacov(net: nn.Module, x: torch.Tensor) -> float:
    """Jacobian covariance: -sum(log(v + e) + 1/(v + e)) over eigenvalues v of corr(J).

    ``J`` = input gradient of the summed logits, BatchNorm in training mode (the definition).
    """
    set_batchnorm_mode(net, "batch")
    net.requires_grad_(False)
    inputs = x.clone().requires_grad_(True)
    net(inputs).sum().backward()
    jac = inputs.grad.reshape(len(x), -1).double().cpu().numpy()
    corr = np.corrcoef(jac)
    corr = np.nan_to_num(corr, nan=0.0)
    eig = np.linalg.eigvalsh(corr)
    eps = 1e-5
    return float(-np.sum(np.log(eig + eps) + 1.0 / (eig + eps)))


def _nwot(net: nn.Module, x: torch.Tensor) -> float:
    """NASWOT: log|K| of the Hamming-similarity kernel of the ReLU activation codes."""
    set_batchnorm_mode(net, "batch")
    kernel = torch.zeros(len(x), len(x), dtype=torch.float64, device=x.device)

    def code(_module, inputs, _output):
        c = (inputs[0].detach().reshape(len(x), -1) > 0).double()
        kernel.add_(c @ c.T + (1 - c) @ (1 - c).T)

    handles = [m.register_forward_hook(code) for m in net.modules() if isinstance(m, nn.ReLU)]
    with torch.no_grad():
        net(x)
    for h in handles:
        h.remove()
    return float(torch.linalg.slogdet(kernel)[1])


def _batch(
    setting: NetSetting, inputs: str, n: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    pool = load_input_pool(inputs, n, size=setting.input_size, seed=seed)
    labels = np.random.default_rng(seed).integers(setting.num_classes, size=n)
    return torch.from_numpy(pool.images), torch.from_numpy(labels)


def network_proxies(
    space: str,
    graph: ArchGraph,
    proxies: Sequence[str] = PROXIES,
    *,
    setting: NetSetting | str | None = "official",
    inputs: str = "natural",
    n_points: int = 64,
    seed: int = 0,
    device: str = "cpu",
) -> dict[str, float]:
    """Network-level zero-cost proxies of one architecture (computed on ``device``).

    params in millions, flops in MFLOPs, synflow as its natural log (the published scale).
    """
    _check(proxies, PROXIES)
    chosen = resolve_setting(space, setting)
    x, y = (t.to(device) for t in _batch(chosen, inputs, n_points, seed))
    arch_id = get_space(space).identity(graph)

    def fresh(on: str = device) -> nn.Module:
        with seeded(init_seed(seed, arch_id, 0)):
            return build_network(space, graph, chosen).to(on)

    out: dict[str, float] = {}
    if "params" in proxies:
        out["params"] = sum(p.numel() for p in fresh("cpu").parameters()) / 1e6
    if "flops" in proxies:
        out["flops"] = count_flops(fresh("cpu"), chosen.input_size) / 1e6
    wanted = [p for p in SALIENCIES if p in proxies]
    if wanted:
        scores = parameter_saliencies(fresh(), x, y, wanted)
        out.update({name: float(values.sum()) for name, values in scores.items()})
        if "synflow" in out:  # products of |weights| overflow any scale: report ln, as published
            out["synflow"] = float(np.log(max(out["synflow"], 1e-300)))
    if "fisher" in proxies:
        out["fisher"] = _fisher(fresh(), x, y)
    if "jacov" in proxies:
        out["jacov"] = _jacov(fresh(), x)
    if "nwot" in proxies:
        out["nwot"] = _nwot(fresh(), x)
    return {name: out[name] for name in proxies}


def per_op_saliencies(
    space: str,
    graphs: Sequence[ArchGraph],
    proxies: Sequence[str] = ("grad_norm", "snip", "grasp", "plain", "synflow"),
    *,
    setting: NetSetting | str | None = "proxy",
    inputs: str = "natural",
    n_points: int = 64,
    seed: int = 0,
    progress: bool = False,
) -> np.ndarray:
    """(n_graphs, space.max_nodes, n_proxies) saliency of each ArchGraph node's operation.

    Rows follow each graph's node order (nb201: nodes 1..6 are the edge ops in string order);
    nodes without parameters (input, output, pooling, skip, zero, padding) get 0. Values are
    raw sums (synflow not logged), so an op's scores add up to its share of the network's.
    """
    _check(proxies, SALIENCIES)
    chosen = resolve_setting(space, setting)
    search_space = get_space(space)
    x, y = _batch(chosen, inputs, n_points, seed)
    out = np.zeros((len(graphs), search_space.max_nodes, len(proxies)))
    with ProgressBar(enabled=progress) as bar:
        task = bar.add_task("per-op saliencies", total=len(graphs))
        for row, graph in enumerate(graphs):
            with seeded(init_seed(seed, search_space.identity(graph), 0)):
                net = build_network(space, graph, chosen)
            owner = _parameter_nodes(net)
            scores = parameter_saliencies(net, x, y, proxies)
            for col, name in enumerate(proxies):
                np.add.at(out[row, :, col], owner[owner >= 0], scores[name][owner >= 0])
            bar.advance(task)
    return out


def _parameter_nodes(net: nn.Module) -> np.ndarray:
    """For each :func:`prunable_weights` entry, the ArchGraph node owning it (-1: none)."""
    node_of = {}
    for node, module in node_modules(net):
        for p in module.parameters():
            node_of[id(p)] = node
    return np.array([node_of.get(id(w), -1) for _, w in prunable_weights(net)], dtype=np.int64)


def proxy_table(
    space: str,
    graphs: Sequence[ArchGraph],
    proxies: Sequence[str] = PROXIES,
    *,
    setting: NetSetting | str | None = "official",
    inputs: str = "natural",
    n_points: int = 64,
    seed: int = 0,
    device: str = "cpu",
    progress: bool = False,
) -> pd.DataFrame:
    """:func:`network_proxies` of many architectures as a DataFrame (arch, native, proxies).

    The progress bar advances per architecture (plain lines every 10 s off a terminal).
    """
    search_space = get_space(space)
    rows = []
    with ProgressBar(enabled=progress) as bar:
        task = bar.add_task("zero-cost proxies", total=len(graphs))
        for graph in graphs:
            scores = network_proxies(
                space,
                graph,
                proxies,
                setting=setting,
                inputs=inputs,
                n_points=n_points,
                seed=seed,
                device=device,
            )
            rows.append(
                {"arch": search_space.identity(graph), "native": search_space.to_native(graph)}
                | scores
            )
            bar.advance(task)
    return pd.DataFrame(rows, columns=["arch", "native", *proxies])
