"""Locality-based self-supervised pretraining (Choi et al.): cells a few edits apart embed close.

Each batch holds random anchor cells and, generated on the fly, ``positives`` variants of each
made by 1 to ``max_edits`` random valid edits (edge flips, op changes); samples of other
anchors are the negatives. Loss: reconstruction NLL + ``lambda_e`` * metric loss on the
embeddings. The edit sampler only uses the space's ``is_valid`` and ``mutate``, so any space
(and any encoder exposing an embedding) can use it.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from archembed.checks import check_float, check_int, check_seed
from archembed.encoders.nao import NAOEncoder
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.nn.metric_learning import MetricLoss, make_metric_loss
from archembed.nn.runtime import check_losses, check_weights, load_checkpoint, save_checkpoint
from archembed.progress import ProgressBar
from archembed.spaces.base import SearchSpace

EDIT_ATTEMPTS = 20
EXCLUDE_ATTEMPTS = 50
CHECKPOINT_KEYS = ("model", "optimiser", "epoch", "history", "config")
MAX_ANCHORS, MAX_POSITIVES, MAX_EDITS, MAX_EPOCHS = 10_000_000, 1000, 100, 100_000
"""Upper bounds of the size options (beyond them a run cannot finish or fit in memory)."""


def random_edit(space: SearchSpace, graph: ArchGraph, rng: np.random.Generator) -> ArchGraph:
    """One random valid edit: an edge flip or an op change, so the edit distance grows by one.

    Draws edits directly and keeps the first the space accepts as it is (an edit that would need
    pruning is redrawn); after ``EDIT_ATTEMPTS`` misses it falls back to ``space.mutate``.
    """
    inner_ops = space.ops[1:-1]
    n = graph.n_nodes
    for _ in range(EDIT_ATTEMPTS):
        if rng.random() < 0.5 and n > 2:
            vertex = int(rng.integers(1, n - 1))
            op = inner_ops[int(rng.integers(len(inner_ops)))]
            if op == graph.ops[vertex]:
                continue
            candidate = graph.set_op(vertex, op)
        else:
            i, j = sorted(rng.choice(n, size=2, replace=False).tolist())
            candidate = graph.flip_edge(i, j)
        if space.is_valid(candidate):
            return candidate
    return space.mutate(graph, rng)


def positive_samples(
    space: SearchSpace,
    anchor: ArchGraph,
    n: int,
    max_edits: int,
    rng: np.random.Generator,
    exclude: Container[str] = (),
) -> list[ArchGraph]:
    """``n`` cells, each 1..``max_edits`` random valid edits away from ``anchor`` (not equal to it).

    With ``max_edits`` = 3, two positives of one anchor are at most 6 edits apart. Cells whose
    ``exact_key`` is in ``exclude`` (e.g. held-out cells) are redrawn; should the anchor's
    neighbourhood be (almost) all excluded, they are accepted after ``EXCLUDE_ATTEMPTS`` x ``n``
    draws rather than looping forever.
    """
    out = []
    draws = 0
    while len(out) < n:
        graph = anchor
        for _ in range(int(rng.integers(1, max_edits + 1))):
            graph = random_edit(space, graph, rng)
        draws += 1
        if graph.exact_key == anchor.exact_key:
            continue
        if graph.exact_key in exclude and draws < EXCLUDE_ATTEMPTS * n:
            continue
        out.append(graph)
    return out


def locality_batch(
    space: SearchSpace,
    anchors: Sequence[ArchGraph],
    positives: int,
    max_edits: int,
    rng: np.random.Generator,
    exclude: Container[str] = (),
) -> tuple[list[ArchGraph], np.ndarray]:
    """Anchors and their positives, with labels = index of the anchor each sample belongs to."""
    graphs: list[ArchGraph] = []
    labels: list[int] = []
    for label, anchor in enumerate(anchors):
        group = [anchor, *positive_samples(space, anchor, positives, max_edits, rng, exclude)]
        graphs += group
        labels += [label] * len(group)
    return graphs, np.asarray(labels, dtype=np.int64)


@dataclass(frozen=True)
class LocalityConfig:
    """Hyper-parameters of locality pretraining (saved with the model)."""

    loss: str = "margin"
    miner: str | None = None
    lambda_e: float = 0.5
    anchors: int = 10000
    positives: int = 7
    max_edits: int = 3
    anchors_per_batch: int = 16
    epochs: int = 2
    seed: int = 0

    def __post_init__(self) -> None:
        check_int("anchors", self.anchors, 2, MAX_ANCHORS)
        check_int("epochs", self.epochs, 1, MAX_EPOCHS)
        check_seed("seed", self.seed)
        check_locality_options(
            self.loss,
            self.miner,
            self.lambda_e,
            self.positives,
            self.max_edits,
            self.anchors_per_batch,
        )


def check_locality_options(
    loss: str,
    miner: str | None,
    weight: float,
    positives: int,
    max_edits: int,
    anchors_per_batch: int,
    weight_name: str = "lambda_e",
) -> MetricLoss:
    """Validate the locality-loss options shared by every pretraining that uses them.

    Returns the metric loss; unknown loss or miner names, a weight outside [0, 1], fewer than
    2 anchors per batch (no negatives) or fewer than 1 positive or edit raise ConfigError.
    """
    check_float(weight_name, weight, 0.0, 1.0)
    check_int("anchors per batch", anchors_per_batch, 2, MAX_ANCHORS)
    check_int("positives", positives, 1, MAX_POSITIVES)
    check_int("max_edits", max_edits, 1, MAX_EDITS)
    return make_metric_loss(loss, miner)


def pretrain_locality(
    encoder: NAOEncoder,
    config: LocalityConfig,
    *,
    checkpoint: str | Path | None = None,
    progress: bool = True,
) -> list[dict[str, float]]:
    """Pretrain ``encoder``'s controller in place; returns per-epoch mean losses.

    Anchors are ``config.anchors`` cells drawn from the space with ``config.seed``; positives
    are redrawn every epoch. With ``checkpoint``, state is saved after every epoch and an
    existing checkpoint is resumed (epoch ``k`` always uses the generator seeded by
    ``(seed, k)``, so a resumed run equals an uninterrupted one; a checkpoint may be resumed
    with more epochs to extend a finished run).
    """
    space = encoder.space
    anchors = space.sample(config.anchors, np.random.default_rng([config.seed, 0]))
    metric = make_metric_loss(config.loss, config.miner)
    model = encoder.build()
    optimiser = encoder.optimizer(model)
    history: list[dict[str, float]] = []
    start = 0
    if checkpoint is not None and Path(checkpoint).is_file():
        state = load_checkpoint(
            checkpoint, keys=CHECKPOINT_KEYS, kind="a locality pretraining checkpoint"
        )
        if _without_epochs(state.get("config")) != _without_epochs(asdict(config)):
            raise ConfigError(
                f"checkpoint {checkpoint} was written with another configuration; "
                "delete it or use the same options (only --epochs may change)"
            )
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        history, start = list(state["history"]), int(state["epoch"])
    n_batches = -(-len(anchors) // config.anchors_per_batch)
    model.train()
    with ProgressBar(enabled=progress) as bar:
        task = bar.add_task("locality pretraining", total=config.epochs * n_batches)
        bar.update(task, completed=start * n_batches)
        for epoch in range(start, config.epochs):
            rng = np.random.default_rng([config.seed, epoch + 1])
            order = rng.permutation(len(anchors))
            sums = {"reconstruction": 0.0, "metric": 0.0}
            for b in range(n_batches):
                chosen = order[b * config.anchors_per_batch : (b + 1) * config.anchors_per_batch]
                graphs, labels = locality_batch(
                    space, [anchors[i] for i in chosen], config.positives, config.max_edits, rng
                )
                ids = encoder.token_ids(graphs)
                z = model.encode(ids)
                reconstruction = model.reconstruction_loss(z, ids)
                metric_value = metric(z, torch.as_tensor(labels, device=z.device))
                loss = reconstruction + config.lambda_e * metric_value
                terms = {"reconstruction": reconstruction.item(), "metric": metric_value.item()}
                check_losses("locality", epoch + 1, {**terms, "total": loss.item()})
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                for name, value in terms.items():
                    sums[name] += value
                info = f"epoch {epoch + 1} rec {terms['reconstruction']:.3f}"
                bar.update(task, advance=1, info=info)
            check_weights("locality", epoch + 1, model)
            history.append({k: v / n_batches for k, v in sums.items()})
            if checkpoint is not None:
                save_checkpoint(
                    checkpoint,
                    {
                        "model": model.state_dict(),
                        "optimiser": optimiser.state_dict(),
                        "epoch": epoch + 1,
                        "history": history,
                        "config": asdict(config),
                    },
                )
    model.eval()
    encoder.pretraining = {
        "method": "locality",
        **asdict(config),
        "miner": metric.miner_name,
        "history": history,
    }
    return history


def _without_epochs(config: object) -> object:
    return {k: v for k, v in config.items() if k != "epochs"} if isinstance(config, dict) else None
