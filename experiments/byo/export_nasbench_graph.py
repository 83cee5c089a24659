"""Export NAS-Bench-Graph to a JSON-lines file for ``data import-graphs`` (one dataset).

Source: the ``nas-bench-graph`` package (Qin et al., NeurIPS 2022 Datasets and Benchmarks,
https://github.com/THUMNLab/NAS-Bench-Graph, MIT): 26,206 GNN architectures, each a DAG of
four operation vertices over a fixed set of input links, trained on nine graph datasets. Read
through archembed's built-in ``nasbench_graph`` benchmark; every architecture of one dataset
becomes a line with its node-labelled DAG and the dataset's metrics (``val_acc`` / ``test_acc``
as fractions, ``val_rocauc`` / ``test_rocauc`` on proteins, ``latency``, ``params``).

    python experiments/byo/export_nasbench_graph.py nbg_cora.jsonl --dataset cora
    archembed data import-graphs nbg_cora.jsonl --name byo-nbg-cora
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from archembed.benchmarks import load_benchmark


def export(target: Path, dataset: str) -> int:
    """Write every architecture labelled on ``dataset`` to ``target``; returns the count."""
    bench = load_benchmark("nasbench_graph")
    metrics = bench.metrics(dataset)
    graphs, _ = bench.labels(dataset, metrics[0])
    columns = {m: np.asarray(bench.query(graphs, dataset, m), dtype=float) for m in metrics}
    with target.open("w") as out:
        for row, graph in enumerate(graphs):
            values = {m: float(column[row]) for m, column in columns.items()}
            out.write(json.dumps({**graph.to_dict(), **values}) + "\n")
    return len(graphs)


def main() -> None:
    """Command line: target file and dataset."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--dataset", default="cora")
    args = parser.parse_args()
    print(f"wrote {export(args.target, args.dataset)} architectures to {args.target}")


if __name__ == "__main__":
    main()
