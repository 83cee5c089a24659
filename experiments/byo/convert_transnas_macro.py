"""Convert the TransNAS-Bench-101 macro subset into a JSON-lines file for ``data import-graphs``.

Source: NASLib's zero-cost file ``naslib_zc_transbench101_macro.json`` (NASLib, Apache-2.0,
https://github.com/automl/NASLib), the 725 macro-space networks that carry a measured
``val_accuracy`` for the seven TransNAS-Bench-101 tasks (Duan et al., CVPR 2021; 662 networks
on two of the tasks). A macro network is a chain of 4 to 6 residual blocks; NASLib encodes it
as six digits, one per block: 1 keeps resolution and channels, 2 doubles the channels, 3 halves
the resolution, 4 does both, 0 pads networks with fewer blocks. Each network becomes the chain
``input -> block ... -> output`` with the blocks as vertices (ops ``block``, ``block_c2``,
``block_s2``, ``block_s2c2``), so graph sizes range from 6 to 8 vertices. Every task's
metric is one field named after the task (higher is better; NASLib stores losses negated).

    python experiments/byo/convert_transnas_macro.py \
        DATA/transnas101/naslib_zc_transbench101_macro.json transnas_macro.jsonl
    archembed data import-graphs transnas_macro.jsonl --name byo-transnas-macro
"""

from __future__ import annotations

import argparse
import ast
import json
from pathlib import Path

BLOCKS = {1: "block", 2: "block_c2", 3: "block_s2", 4: "block_s2c2"}


def chain(code: str) -> dict[str, list]:
    """The node-labelled chain DAG of one NASLib macro code such as ``(1, 2, 4, 2, 0, 0)``."""
    ops = ["input", *(BLOCKS[d] for d in ast.literal_eval(code) if d), "output"]
    n = len(ops)
    adjacency = [[int(j == i + 1) for j in range(n)] for i in range(n)]
    return {"adjacency": adjacency, "ops": ops}


def convert(source: Path, target: Path) -> int:
    """Write one line per network of ``source`` with every task's metric; returns the count."""
    tasks = json.loads(source.read_text())
    metrics: dict[str, dict[str, float]] = {}
    for task, networks in tasks.items():
        for code, values in networks.items():
            metrics.setdefault(code, {})[task] = values["val_accuracy"]
    with target.open("w") as out:
        for code, values in metrics.items():
            out.write(json.dumps({**chain(code), **values}) + "\n")
    return len(metrics)


def main() -> None:
    """Command line: source JSON, target JSON-lines file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    print(f"wrote {convert(args.source, args.target)} architectures to {args.target}")


if __name__ == "__main__":
    main()
