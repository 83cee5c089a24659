"""Timings of the darts / nasbench_graph / generic spaces and their benchmarks.

Each step runs in a fresh Python process against an empty temporary cache, so "cold" includes
the import into the cache and "warm" a load from it. Prints one row per measurement.
Usage: ARCHEMBED_DATA=../shared/data python bench/bench_spaces.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

_LOAD = (
    "from archembed.benchmarks import load_benchmark; t = time.perf_counter(); "
    "load_benchmark({name!r}); dt = time.perf_counter() - t"
)
STEPS = {
    "import archembed (python start excluded)": (
        "t = time.perf_counter(); import archembed.benchmarks.importers, archembed.spaces; "
        "dt = time.perf_counter() - t"
    ),
    "nasbench_graph load (no data dir)": _LOAD.format(name="nasbench_graph"),
    "naslib-nb301 load": _LOAD.format(name="naslib-nb301"),
    "naslib-nb201 load": _LOAD.format(name="naslib-nb201"),
}

INNER = {
    "nasbench_graph enumerate 26,206": (
        "from archembed.spaces import get_space; s = get_space('nasbench_graph'); "
        "t = time.perf_counter(); s.enumerate(); dt = time.perf_counter() - t"
    ),
    "nasbench_graph query all 26,206 (cora val_acc)": (
        "from archembed.benchmarks import load_benchmark; b = load_benchmark('nasbench_graph'); "
        "g = b.space.enumerate(); t = time.perf_counter(); b.query(g, 'cora', 'val_acc'); "
        "dt = time.perf_counter() - t"
    ),
    "darts sample 1,000": (
        "import numpy as np; from archembed.spaces import get_space; s = get_space('darts'); "
        "t = time.perf_counter(); s.sample(1000, np.random.default_rng(0)); "
        "dt = time.perf_counter() - t"
    ),
    "darts key of 100 graphs": (
        "import numpy as np; from archembed.spaces import get_space; s = get_space('darts'); "
        "g = s.sample(100, np.random.default_rng(0)); t = time.perf_counter(); "
        "[x.key for x in g]; dt = time.perf_counter() - t"
    ),
    "import-graphs 5,000 lines (7 nodes max)": (
        "import json, tempfile, numpy as np; from archembed.spaces.generic import GenericSpace; "
        "from archembed.benchmarks.user import import_graphs; "
        "s = GenericSpace(['conv3', 'conv1', 'pool'], 7); "
        "gs = list({g.key: g for g in s.sample(6000, np.random.default_rng(0))}.values())[:5000]; "
        "f = tempfile.NamedTemporaryFile('w', suffix='.jsonl', delete=False); "
        "[f.write(json.dumps({**g.to_dict(), 'acc': i}) + chr(10)) for i, g in enumerate(gs)]; "
        "f.close(); t = time.perf_counter(); "
        "import_graphs(f.name, 'bench-byo'); dt = time.perf_counter() - t"
    ),
}


def _run_inner(code: str, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", f"import time\n{code}\nprint(dt)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.split()[-1])


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "ARCHEMBED_CACHE": cache, "PYTHONPATH": str(SRC)}
        for label, code in STEPS.items():
            step_env = dict(env)
            if "no data dir" in label:
                step_env.pop("ARCHEMBED_DATA", None)
            cold = _run_inner(code, step_env)
            warm = _run_inner(code, step_env)
            rows.append({"step": label, "cold_s": round(cold, 3), "warm_s": round(warm, 3)})
        for label, code in INNER.items():
            rows.append({"step": label, "seconds": round(_run_inner(code, env), 3)})
    load = os.getloadavg()
    for row in rows:
        print(json.dumps({**row, "load_1min": round(load[0], 2), "cores": os.cpu_count()}))


if __name__ == "__main__":
    main()
