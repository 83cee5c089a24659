"""Why arch2vec does not reconstruct the imported NB301 cells: decoder, encoder or data.

Three checks on the 500 cells of ``byo-nb301`` (import them first, see ``convert_nb301.py``),
each against the held-out 10 % that ``pretrain arch2vec --benchmark`` keeps (same split):

- ``free``: the decoder alone. Every cell gets its own free latents (23 x ``--latent-dim``)
  and the learned offset, fitted by Adam to its adjacency; if these decode exactly, the
  inner-product decoder can express the cells and the encoder is what falls short.
- ``train``: an arch2vec recipe (``--recipe default``, offset on, or ``dag``) with options:
  ``--directed`` uses GIN layers that sum predecessors and successors apart
  (``encoder="gin-directed"``; the vertices are in topological order, so the upper triangle
  holds the successors), ``--no-directed`` the plain GIN; ``--positions`` / ``--no-positions``
  and ``--adj-decoder inner|bilinear`` switch the ``dag`` recipe's other parts; ``--extra N``
  adds N random DARTS genotypes in the same 23-vertex form to the training cells (held-out
  cells excluded); epochs chosen for about 3,000 steps as the recipe does.

    python experiments/byo/nb301_reconstruction.py free
    python experiments/byo/nb301_reconstruction.py train --directed --lr 0.003 --extra 20000
    python experiments/byo/nb301_reconstruction.py train --recipe dag --no-positions
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
import torch.nn.functional as F

from archembed.encoders.arch2vec import Arch2Vec
from archembed.encoders.arch2vec.config import MIN_STEPS
from archembed.encoders.arch2vec.data import graph_batch
from archembed.encoders.arch2vec.training import split
from archembed.graph import ArchGraph

BENCHMARK = "byo-nb301"
HOLDOUT = 0.1


def load_cells() -> tuple[object, list[ArchGraph], np.ndarray, np.ndarray]:
    """The benchmark's space, its cells, and the training / held-out indices of the recipe."""
    from archembed.benchmarks.cells import benchmark_cells

    space = benchmark_cells(BENCHMARK)
    graphs = list(space.enumerate())
    train, held = split(len(graphs), HOLDOUT, 0)
    return space, graphs, train, held


def fit_free_latents(adj: torch.Tensor, dim: int, steps: int, seed: int) -> dict[str, float]:
    """Fit free per-vertex latents and one offset to each graph's symmetrised adjacency."""
    generator = torch.Generator().manual_seed(seed)
    sym = adj + adj.transpose(1, 2)
    nodes = sym.shape[1]
    latents = (0.5 * torch.randn(len(sym), nodes, dim, generator=generator)).requires_grad_()
    offset = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.Adam([latents, offset], lr=0.05)
    off_diagonal = ~torch.eye(nodes, dtype=torch.bool)
    for _ in range(steps):
        logits = latents @ latents.transpose(1, 2) + offset
        loss = F.binary_cross_entropy_with_logits(logits[:, off_diagonal], sym[:, off_diagonal])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    upper = torch.triu(torch.ones(nodes, nodes, dtype=torch.bool), 1)
    hits = (logits.detach() > 0)[:, upper] == (sym > 0)[:, upper]
    return {"graphs": float(hits.all(1).float().mean()), "adjacency": float(hits.float().mean())}


def train_model(args: argparse.Namespace) -> dict[str, object]:
    """Train arch2vec (default recipe, offset on) as ``args`` says; scores on both splits."""
    from archembed.spaces.darts import DartsSpace

    space, graphs, train, held = load_cells()
    held_keys = {space.identity(graphs[i]) for i in held}
    extra = DartsSpace().sample(args.extra, np.random.default_rng(args.seed + 1))
    cells = [graphs[i] for i in train] + [g for g in extra if space.identity(g) not in held_keys]
    steps = -(-len(cells) // args.batch_size)
    options = {
        name: value
        for name, value in (
            ("lr", args.lr),
            ("latent_dim", args.latent_dim),
            ("kl_weight", args.kl_weight),
            ("positions", args.positions),
            ("adj_decoder", args.adj_decoder),
        )
        if value is not None
    }
    if args.directed is not None:
        options["encoder"] = "gin-directed" if args.directed else "gin"
    model = Arch2Vec.from_recipe(
        args.recipe,
        space,
        epochs=args.epochs or max(10, -(-MIN_STEPS // steps)),
        batch_size=args.batch_size,
        holdout=0.0,
        validity_samples=0,
        adj_offset=True,
        seed=args.seed,
        **options,
    )
    start = time.process_time()
    model.fit(cells, progress=False)
    seconds = time.process_time() - start

    def scores(indices: np.ndarray) -> dict[str, float]:
        return model.reconstruction_scores(
            graph_batch(*space.tensors([graphs[i] for i in indices]))
        )

    return {
        "cells": len(cells),
        "epochs": model.n_epochs,
        "train": scores(train),
        "held_out": scores(held),
        "cpu_seconds": round(seconds, 1),
    }


def main() -> None:
    """Command line: ``free`` or ``train`` and their options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=("free", "train"))
    parser.add_argument("--recipe", choices=("default", "dag"), default="default")
    parser.add_argument("--latent-dim", type=int, help="default: 16 (free), the recipe's (train)")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--directed", action=argparse.BooleanOptionalAction)
    parser.add_argument("--positions", action=argparse.BooleanOptionalAction)
    parser.add_argument("--adj-decoder", choices=("inner", "bilinear"))
    parser.add_argument("--kl-weight", type=float)
    parser.add_argument("--extra", type=int, default=0)
    parser.add_argument("--lr", type=float, help="default: the recipe's")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.check == "free":
        space, graphs, _, _ = load_cells()
        adj = graph_batch(*space.tensors(graphs)).adj
        dim = args.latent_dim or 16
        result: dict[str, object] = fit_free_latents(adj, dim, args.steps, args.seed)
    else:
        result = train_model(args)
    print(json.dumps({"check": args.check, **vars(args), **result}))


if __name__ == "__main__":
    main()
