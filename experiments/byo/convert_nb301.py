"""Convert NAS-Bench-301's 500 NASLib cells into a JSON-lines file for ``data import-graphs``.

Source: NASLib's zero-cost benchmark file ``naslib_zc_nasbench301.json`` (NASLib, Apache-2.0,
https://github.com/automl/NASLib; 500 DARTS genotypes with the NAS-Bench-301 surrogate's
CIFAR-10 validation accuracy and 11 zero-cost proxies). Each genotype (normal and reduction
cell, ops on edges) becomes one node-labelled DAG of 23 vertices: every edge operation is a
vertex, the two cells are chained (archembed's DARTS graph layout). Metrics written per line:
``val_acc`` (percent), ``params`` (millions) and ``flops`` (millions).

    python experiments/byo/convert_nb301.py DATA/nb301/naslib_zc_nasbench301.json nb301.jsonl
    archembed data import-graphs nb301.jsonl --name byo-nb301
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from archembed.spaces.darts import DartsSpace

METRICS = {"val_accuracy": "val_acc", "params": "params", "flops": "flops"}


def convert(source: Path, target: Path) -> int:
    """Write one line per genotype of ``source`` to ``target``; returns the line count."""
    cells = json.loads(source.read_text())["nasbench301"]["cifar10"]
    space = DartsSpace()
    with target.open("w") as out:
        for compact, values in cells.items():
            record = space.from_naslib(compact).to_dict()
            record.update({name: values[key] for key, name in METRICS.items()})
            out.write(json.dumps(record) + "\n")
    return len(cells)


def main() -> None:
    """Command line: source JSON, target JSON-lines file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    print(f"wrote {convert(args.source, args.target)} architectures to {args.target}")


if __name__ == "__main__":
    main()
