"""Peak memory of ``archembed data import-graphs`` on a large JSON-lines file.

Writes a file of LINES random node-labelled DAGs (3-8 vertices, 5 ops, 2 metrics), imports it
with ``--duplicates mean`` in a fresh process under ``/usr/bin/time -v`` (an empty cache), and
compares the process's peak RSS with the memory the parsed graphs would take held together
(measured with tracemalloc on the first SAMPLE lines and scaled to LINES) and with the peak RSS
of importing a one-line file (interpreter and libraries).
With ``--distinct N`` the lines repeat N graphs (as repeated training runs do).
Usage: python bench/bench_import.py [--lines 1000000] [--distinct N] [--sample 20000]
[--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OPS = ("conv3", "conv1", "pool", "skip", "sep5")
PARSED_SIZE = """
import sys, tracemalloc
from pathlib import Path
from archembed.benchmarks.records import iter_graph_records
tracemalloc.start()
records = list(iter_graph_records(Path(sys.argv[1])))
for record in records:
    record.graph.key  # the import computes each graph's id
print(tracemalloc.get_traced_memory()[0] / len(records))
"""


def _graph(rng: np.random.Generator) -> dict[str, object]:
    """A random connected DAG of 3-8 vertices (a chain plus random forward edges)."""
    size = int(rng.integers(3, 9))
    adj = np.triu(rng.integers(0, 2, size=(size, size)), k=1)
    adj[np.arange(size - 1), np.arange(1, size)] = 1
    ops = ["input", *(OPS[i] for i in rng.integers(len(OPS), size=size - 2)), "output"]
    return {"adjacency": adj.tolist(), "ops": ops}


def write_graphs(path: Path, lines: int, distinct: int | None = None, seed: int = 0) -> None:
    """``lines`` random graphs with two metrics, one JSON object a line; with ``distinct``,
    each line repeats one of that many graphs (repeated training runs)."""
    rng = np.random.default_rng(seed)
    pool = [_graph(rng) for _ in range(distinct or 0)]
    with path.open("w", encoding="utf-8") as handle:
        for start in range(0, lines, 10_000):
            rows = []
            for _ in range(min(10_000, lines - start)):
                record = pool[int(rng.integers(distinct))] if distinct else _graph(rng)
                metrics = {
                    "acc": round(float(rng.uniform(50, 95)), 2),
                    "latency": len(record["ops"]),
                }
                rows.append(json.dumps({**record, **metrics}, separators=(",", ":")) + "\n")
            handle.writelines(rows)


def timed_import(path: Path, cache: Path) -> dict[str, float]:
    """Peak RSS (MiB) and CPU seconds of one import in a fresh process, and its JSON summary."""
    command = [
        "/usr/bin/time",
        "-v",
        str(Path(sys.executable).with_name("archembed")),
        "data",
        "import-graphs",
        str(path),
        "--name",
        "bench-import",
        "--duplicates",
        "mean",
        "--quiet",
        "--json",
    ]
    env = {**os.environ, "ARCHEMBED_CACHE": str(cache)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)

    def field(name: str) -> float:
        return float(re.search(rf"{name}: ([0-9.]+)", done.stderr).group(1))

    summary = json.loads(done.stdout)
    return {
        "rss_mib": field(r"Maximum resident set size \(kbytes\)") / 1024,
        "cpu_s": field(r"User time \(seconds\)") + field(r"System time \(seconds\)"),
        "archs": summary["archs"],
        "records": summary["records"],
    }


def parsed_bytes_per_line(path: Path, sample: int, workdir: Path) -> float:
    """Bytes one parsed line takes (graph with its id, metrics) when all are held at once."""
    head = workdir / "head.jsonl"
    with path.open(encoding="utf-8") as source, head.open("w", encoding="utf-8") as target:
        target.writelines(line for _, line in zip(range(sample), source, strict=False))
    done = subprocess.run(
        [sys.executable, "-c", PARSED_SIZE, str(head)], capture_output=True, text=True, check=True
    )
    return float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=None, help="repeat this many graphs")
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as scratch:
        work = Path(scratch)
        big, one = work / "graphs.jsonl", work / "one.jsonl"
        write_graphs(big, args.lines, args.distinct)
        write_graphs(one, 1)
        baseline = timed_import(one, work / "cache-one")
        result = timed_import(big, work / "cache-big")
        parsed = parsed_bytes_per_line(big, min(args.sample, args.lines), work) * args.lines
        size = big.stat().st_size
    mib = 1024 * 1024
    print(f"| lines | {result['records']:,} ({size / mib:,.0f} MiB of JSON) |")
    print(f"| distinct architectures | {result['archs']:,} |")
    print(f"| parsed graphs held together (estimated) | {parsed / mib:,.0f} MiB |")
    print(f"| import peak RSS | {result['rss_mib']:,.0f} MiB |")
    print(f"| import peak RSS, one-line file | {baseline['rss_mib']:,.0f} MiB |")
    print(f"| import CPU time (user + sys) | {result['cpu_s']:,.0f} s |")


if __name__ == "__main__":
    main()
