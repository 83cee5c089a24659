"""GATES readout variants against the MLP on an imported benchmark's predict protocol split.

Tests the reading of docs/benchmarks/own-spaces.md that GATES trails the MLP on the TransNAS
macro chains because its flow meets a block at the block's distance from the output, while
the MLP's one-hot rows (and what a block does) count from the input. Each variant changes
only what the scoring head reads; training, split and seeds are those of ``archembed
predict`` (split seed 0, training subset seeded per run):

- ``output``: GATES as shipped, the output vertex after the last flow pass;
- ``depth``: the output vertex after the pass whose number is the graph's longest path, so
  pass ``i`` always meets the vertex ``i`` hops from the input;
- ``reverse``: the input vertex after a second flow over the reversed DAG that starts at the
  output (the block ``i`` hops from the input always meets the same reverse pass);
- ``both``: ``output`` and ``reverse`` side by side;
- ``tied``: ``output`` with one set of flow weights shared by every pass after the first.

    python experiments/byo/gates_readouts.py byo-tnb_macro --metric class_scene \
        --fraction 0.05 --seeds 0,1,2,3,4 --readout reverse
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from typing import Any

import numpy as np
import torch
from torch import nn

from archembed.benchmarks.catalog import load_benchmark
from archembed.encoders.gates import GATES, GatesNet
from archembed.encoders.trained import output_rows
from archembed.nn.flow import GatedFlow
from archembed.nn.mlp import mlp
from archembed.predictors.protocol import fixed_split, score, training_subset

READOUTS = ("output", "depth", "reverse", "both", "tied")


def longest_hops(adj: np.ndarray, n_nodes: int) -> int:
    """Hops of the longest input-to-output path of one topologically ordered DAG."""
    depth = np.zeros(n_nodes, dtype=np.int64)
    for j in range(1, n_nodes):
        preds = np.nonzero(adj[:n_nodes, j])[0]
        depth[j] = depth[preds].max() + 1 if len(preds) else 0
    return int(depth[n_nodes - 1])


class ReadoutNet(GatesNet):
    """GATES' network whose head reads one of :data:`READOUTS`."""

    def __init__(self, readout: str, n_outputs: int, **options: Any) -> None:
        super().__init__(n_outputs=n_outputs, **options)
        self.readout = readout
        hidden = options["hidden"]
        if readout == "tied":
            for i in range(2, len(self.flow.passes)):
                self.flow.passes[i] = self.flow.passes[1]
        if readout in ("reverse", "both"):
            dims = (options["input_dim"], *hidden)
            self.reverse_input = nn.Parameter(torch.randn(options["input_dim"]))
            self.reverse_passes = nn.ModuleList(
                GatedFlow(d_in, options["op_dim"], d_out, self_loops=options["self_loops"])
                for d_in, d_out in itertools.pairwise(dims)
            )
        if readout == "both":
            width = 2 * hidden[-1]
            self.head = mlp([width, *options["head"], n_outputs], dropout=options["dropout"])

    def _flow(self, x: torch.Tensor, passes: nn.ModuleList, **flow: Any) -> list[torch.Tensor]:
        """Every pass's node states, ReLU between passes as in GATES."""
        states = []
        for i, layer in enumerate(passes):
            x = layer(x, **flow)
            if self.flow.relu and i < len(passes) - 1:
                x = torch.relu(x)
            states.append(x)
        return states

    def forward(
        self,
        adj: torch.Tensor,
        ops: torch.Tensor,
        out_index: torch.Tensor,
        depth: torch.Tensor,
        open_gate: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        op_emb = self.op_table(ops)
        rows = torch.arange(ops.shape[0])
        start = op_emb.new_zeros(*op_emb.shape[:2], self.flow.input_embedding.shape[0])
        start[:, 0] = self.flow.input_embedding
        flow = {"op_emb": op_emb, "open_gate": open_gate}
        states = self._flow(start, self.flow.passes, adj=adj, **flow)
        encoding = output_rows(states[-1], out_index)
        if self.readout == "depth":
            encoding = torch.stack([output_rows(s, out_index) for s in states], 1)[rows, depth - 1]
        if self.readout in ("reverse", "both"):
            start = torch.zeros_like(start)
            start[rows, out_index] = self.reverse_input
            back = self._flow(start, self.reverse_passes, adj=adj, reverse=True, **flow)[-1][:, 0]
            encoding = back if self.readout == "reverse" else torch.cat([encoding, back], -1)
        return self.head(encoding), encoding


class ReadoutGATES(GATES):
    """GATES trained and scored as shipped, with the head reading ``readout``."""

    def __init__(self, space: Any, readout: str = "output", **options: Any) -> None:
        super().__init__(space, **options)
        self.readout = readout

    def _inputs(self, graphs: Any) -> dict[str, torch.Tensor]:
        inputs = super()._inputs(graphs)
        adj = inputs["adj"].numpy()
        hops = [longest_hops(adj[i], g.n_nodes) for i, g in enumerate(graphs)]
        inputs["depth"] = torch.tensor(hops, dtype=torch.int64)
        return inputs

    def _network(self, n_outputs: int) -> nn.Module:
        options = {"op_dim": self.op_dim, "input_dim": self.input_dim, "hidden": self.hidden}
        return ReadoutNet(
            self.readout, n_outputs, n_ops=len(self.space.ops), **options, **self._flow_options()
        )


def main() -> None:
    """Command line: one JSON line per seed with Kendall tau on the test split and CPU s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmark")
    parser.add_argument("--metric", required=True)
    parser.add_argument("--train-share", type=float, default=0.8)
    parser.add_argument("--fraction", type=float, default=0.05)
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--readout", choices=READOUTS, default="output")
    args = parser.parse_args()
    bench = load_benchmark(args.benchmark)
    epoch = bench.resolve("default", args.metric)[2]
    split = fixed_split(bench, "default", args.metric, (epoch,), args.train_share)
    for seed in (int(s) for s in args.seeds.split(",")):
        rows = training_subset(len(split.train), args.fraction, seed)
        start = time.process_time()
        model = ReadoutGATES(bench.space, readout=args.readout, seed=seed, threads=1)
        model.fit([split.train[i] for i in rows], split.y_train[rows])
        predicted = np.asarray(model.predict(split.test)).reshape(-1)
        tau = score(split.y_test.reshape(-1), predicted, False)["kendall_tau"]
        cpu = round(time.process_time() - start, 1)
        print(json.dumps({"readout": args.readout, "seed": seed, "tau": tau, "cpu_s": cpu}))


if __name__ == "__main__":
    main()
