"""Locality-based self-supervised pretraining (Choi et al.): cells a few edits apart embed close.

Each batch holds random anchor cells and, generated on the fly, ``positives`` variants of each
made by 1 to ``max_edits`` random valid edits (edge flips, op changes); samples of other
anchors are the negatives. Loss: reconstruction NLL + ``lambda_e`` * metric loss on the
embeddings. The edit sampler only uses the space's ``is_valid`` and ``mutate``, so any space
(and any encoder exposing an embedding) can use it.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from archembed.checks import check_float, check_int, check_recipe, check_seed
from archembed.encoders.nao import NAOEncoder
from archembed.graph import ArchGraph
from archembed.nn.metric_learning import MetricLoss, make_metric_loss
from archembed.nn.training import EpochRandom, Trainer
from archembed.spaces.base import SearchSpace, get_space

EDIT_ATTEMPTS = 20
EXCLUDE_ATTEMPTS = 50
EDIT_STREAM = 1
"""Stream of :class:`EpochRandom` for batch order and edits (stream 0 of epoch 0 would repeat
the generator ``[seed, 0]`` that draws the anchors)."""
MAX_ANCHORS, MAX_POSITIVES, MAX_EDITS, MAX_EPOCHS = 10_000_000, 1000, 100, 100_000
"""Upper bounds of the size options (beyond them a run cannot finish or fit in memory)."""
RECIPES = ("default", "paper", "fast")
"""The named recipes of :meth:`LocalityConfig.recipe` and :meth:`NAOEncoder.from_recipe`."""
PAPER = {"loss": "margin", "lambda_e": 1.0, "positives": 7, "anchors_per_batch": 64, "epochs": 2}
"""The official code's pretraining: 8 cells per anchor (7 positives) in batches of 512 cells,
reconstruction + metric loss with weight 1, 2 epochs (MarginLoss is one of its losses)."""
PAPER_MAX_EDITS = {"nb201": 1}
"""Edits per positive in the official code: NB201 one, NB101 1-3 in equal shares (the rest)."""
FAST = {"anchors": 256, "positives": 3, "epochs": 1}
CONTROLLER_RECIPES: dict[str, dict[str, Any]] = {
    "default": {},
    "paper": {"hidden": 16},
    "fast": {"hidden": 16},
}
"""The controller options (:class:`NAOEncoder`) of each recipe; the official controller has
hidden size 16."""


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

    @classmethod
    def recipe(cls, name: str, space: SearchSpace | str, **overrides: Any) -> LocalityConfig:
        """The named recipe (:data:`RECIPES`) computed for ``space``; ``overrides`` win.

        ``paper``: the official code's settings (:data:`PAPER`), its edits per space
        (:data:`PAPER_MAX_EDITS`) and as many random anchors as a finite space has cells (the
        official code visits every cell of the benchmark once per epoch). It trains with Adam,
        not the official SGD at learning rate 1 with a step decay. ``fast``: a short run.
        """
        check_recipe("locality", name, RECIPES, cls, overrides)
        space = get_space(space) if isinstance(space, str) else space
        values = {"paper": _paper(space), "fast": FAST}.get(name, {})
        return replace(cls(), **{**values, **overrides})


def _paper(space: SearchSpace) -> dict[str, Any]:
    """:data:`PAPER` with the edits of ``space`` and one anchor per cell when it is countable."""
    values: dict[str, Any] = {**PAPER, "max_edits": PAPER_MAX_EDITS.get(space.name, 3)}
    if space.size is not None and space.size <= MAX_ANCHORS:
        values["anchors"] = int(space.size)
    return values


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
    are redrawn every epoch from the epoch's own stream. With ``checkpoint``, state is saved
    after every epoch and an existing checkpoint is resumed (a resumed run equals an
    uninterrupted one; a checkpoint may be resumed with more epochs to extend a finished run).
    """
    space = encoder.space
    anchors = space.sample(config.anchors, np.random.default_rng([config.seed, 0]))
    metric = make_metric_loss(config.loss, config.miner)
    model = encoder.build()

    def batches(random: EpochRandom) -> Iterator[torch.Tensor]:
        rng = random.numpy(EDIT_STREAM)
        order = rng.permutation(len(anchors))
        for start in range(0, len(anchors), config.anchors_per_batch):
            chosen = [anchors[i] for i in order[start : start + config.anchors_per_batch]]
            graphs, labels = locality_batch(space, chosen, config.positives, config.max_edits, rng)
            yield encoder.token_ids(graphs), torch.as_tensor(labels, device=encoder.device_)

    def loss(
        batch: tuple[torch.Tensor, torch.Tensor], random: EpochRandom
    ) -> tuple[torch.Tensor, dict[str, float]]:
        ids, labels = batch
        z = model.encode(ids)
        reconstruction = model.reconstruction_loss(z, ids)
        metric_value = metric(z, labels)
        terms = {"reconstruction": reconstruction.item(), "metric": metric_value.item()}
        return reconstruction + config.lambda_e * metric_value, terms

    trainer = Trainer(
        "locality",
        config.epochs,
        config.seed,
        asdict(config),
        checkpoint=None if checkpoint is None else Path(checkpoint),
        progress=progress,
        steps_per_epoch=-(-len(anchors) // config.anchors_per_batch),
    )
    history = trainer.fit(model, encoder.optimizer(model), batches, loss)
    encoder.pretraining = {
        "method": "locality",
        **asdict(config),
        "miner": metric.miner_name,
        "history": history,
    }
    return history
