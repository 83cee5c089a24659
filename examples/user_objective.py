"""Search with your own training function instead of a tabular benchmark.

Each NB201 cell is turned into a tiny convolutional network and trained for a few hundred
steps on scikit-learn's 8x8 digits (bundled, no download); the score is validation accuracy.
Any callable ``graphs -> scores`` works the same way.

    PYTHONPATH=src python examples/user_objective.py --queries 12 --strategy evolution
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn

from archembed.search import make_strategy
from archembed.search.budget import Budget
from archembed.search.loop import run_search
from archembed.search.objectives import FunctionObjective
from archembed.spaces import get_space
from archembed.spaces.restricted import RestrictedSpace

EDGES = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))  # NB201 string order: node <- input


def make_op(name: str, width: int) -> nn.Module | None:
    if name == "nor_conv_3x3":
        return nn.Sequential(
            nn.ReLU(), nn.Conv2d(width, width, 3, padding=1), nn.BatchNorm2d(width)
        )
    if name == "nor_conv_1x1":
        return nn.Sequential(nn.ReLU(), nn.Conv2d(width, width, 1), nn.BatchNorm2d(width))
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1)
    if name == "skip_connect":
        return nn.Identity()
    return None  # "none": the edge carries nothing


class Cell(nn.Module):
    def __init__(self, edge_ops: tuple[str, ...], width: int) -> None:
        super().__init__()
        self.ops = nn.ModuleList(make_op(op, width) or nn.Identity() for op in edge_ops)
        self.live = [op != "none" for op in edge_ops]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for target in (1, 2, 3):
            total = torch.zeros_like(x)
            for k, (source, node) in enumerate(EDGES):
                if node == target and self.live[k]:
                    total = total + self.ops[k](nodes[source])
            nodes.append(total)
        return nodes[3]


def train_cells(graphs, steps: int = 150, width: int = 8, seed: int = 0) -> list[float]:
    """Validation accuracy (%) of each cell's network after ``steps`` Adam steps on digits."""
    space = get_space("nb201")
    digits = load_digits()
    images = torch.tensor(digits.images[:, None] / 16.0, dtype=torch.float32)
    labels = torch.tensor(digits.target)
    train, valid = slice(0, 1200), slice(1200, None)
    scores = []
    for graph in graphs:
        torch.manual_seed(seed)
        net = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1),
            Cell(space.edge_ops(graph), width),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(width, 10),
        )
        opt = torch.optim.Adam(net.parameters(), lr=0.01)
        generator = torch.Generator().manual_seed(seed)
        for _ in range(steps):
            batch = torch.randint(0, 1200, (64,), generator=generator)
            loss = nn.functional.cross_entropy(net(images[train][batch]), labels[train][batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            accuracy = (net(images[valid]).argmax(1) == labels[valid]).float().mean()
        scores.append(100.0 * float(accuracy))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategy", default="evolution")
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)  # tiny networks: more threads only add overhead
    base = get_space("nb201")
    space = RestrictedSpace(base, base.enumerate())
    objective = FunctionObjective(train_cells, space)
    params = {"population_size": 5, "sample_size": 2} if args.strategy == "evolution" else {}
    strategy = make_strategy(args.strategy, space, np.random.default_rng(args.seed), **params)
    trajectory, _ = run_search(strategy, objective, Budget(args.queries), np.random.default_rng(0))
    best = trajectory.iloc[-1]
    print(trajectory[["query", "score", "incumbent_score"]].to_string(index=False))
    print(f"best cell {best['incumbent_arch']}: {best['incumbent_score']:.1f}% validation")


if __name__ == "__main__":
    main()
