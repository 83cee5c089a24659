"""Thread-count benchmark: is the default ``--threads`` close to the best setting, idle and busy?

    ARCHEMBED_DATA=../shared/data PYTHONPATH=src python bench/threads.py \
        [--repeats 2] [--settings 1,2,default] [--conditions idle,loaded] \
        [--workloads pretrain,bo,tagates,zc] [--timeout 45] [--wait-policy PASSIVE]

Each run is a fresh process (interpreter start and imports included): arch2vec pretraining on
NB201 for 2 epochs, one GP-BO seed (one-hot, 60 queries, one worker), one TA-GATES fit (156
NB201 cells, 50 epochs of 2 batches), and the zero-cost proxies of 20 NB201 cells (16 input
points). A setting ``N`` runs with ``ARCHEMBED_THREADS=N`` (the same as ``--threads N``),
``default`` with neither. "loaded" starts one CPU-bound Python process per core for the
duration (they stop with the script). ``--wait-policy`` sets OpenMP's OMP_WAIT_POLICY for
the runs (default: unset, as torch runs). An explicit setting whose first run took twice
the best first run of its row is not repeated (it cannot be the best), and a run is stopped
after ``--timeout`` seconds (shown as ">T"). Prints a Markdown table: median wall seconds per
setting and the ratio default / best per workload and condition (target: at most 1.2).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

from archembed.threads import POOL_SIZE_ENVS, THREADS_ENV, cpu_count

CLI_WORKLOADS = {
    "pretrain": "pretrain arch2vec --space nb201 --epochs 2 --out {out}/model --quiet",
    "bo": (
        "search --benchmark nb201/cifar10-valid --strategy bo --encoder onehot --queries 60 "
        "--seeds 1 --workers 1 --out {out}/run --quiet"
    ),
    "zc": "features zc --space nb201 --sample 20 --n-points 16 --out {out}/zc.parquet --quiet",
}
TAGATES_FIT = "TA-GATES fit on 156 NB201 cells, 50 epochs of 2 batches (library)"
WAIT_POLICY_ENV = "OMP_WAIT_POLICY"
INHERITED = (THREADS_ENV, WAIT_POLICY_ENV, *POOL_SIZE_ENVS)
LOAD_LOOP = "import os\nparent = os.getppid()\nwhile os.getppid() == parent:\n    sum(range(10**5))"
SKIP_FACTOR = 2.0
Key = tuple[str, str, str]


def child(workload: str, out: str, args: list[str]) -> None:
    """Inside a fresh process: apply the thread policy first (as ``--threads`` does), then run."""
    from archembed.threads import set_threads

    Path(out, "threads").write_text(str(set_threads()))
    if workload == "tagates":
        fit_tagates()
        return
    from archembed.cli import main

    try:
        main(args)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise


def fit_tagates() -> None:
    """One TA-GATES fit on 1 % of NB201 (156 cells, CIFAR-10 validation accuracy)."""
    import numpy as np

    from archembed.benchmarks.catalog import load_benchmark
    from archembed.encoders.tagates import TAGATES
    from archembed.threads import current_threads

    bench = load_benchmark("nb201")
    graphs, targets = bench.labels("cifar10-valid", "val_acc", 200)
    picks = np.random.default_rng(0).choice(len(graphs), 156, replace=False)
    model = TAGATES(bench.space, seed=0, epochs=50, min_steps=0, threads=current_threads())
    model.fit([graphs[i] for i in picks], targets[picks])


def command(workload: str, out: str) -> list[str]:
    """The child process's command line for ``workload`` writing under ``out``."""
    args = CLI_WORKLOADS[workload].format(out=out).split() if workload in CLI_WORKLOADS else []
    return [sys.executable, __file__, "--child", workload, "--out", out, "--", *args]


def shown(workload: str) -> str:
    """How a user would run ``workload`` (for the table's legend)."""
    if workload in CLI_WORKLOADS:
        return "`archembed " + CLI_WORKLOADS[workload].format(out="DIR") + "`"
    return TAGATES_FIT


def timed_run(workload: str, setting: str, args: argparse.Namespace) -> tuple[float | None, str]:
    """Wall seconds of one fresh-process run (None past the timeout) and its thread count."""
    env = {k: v for k, v in os.environ.items() if k not in INHERITED}
    if setting != "default":
        env[THREADS_ENV] = setting
    if args.wait_policy:
        env[WAIT_POLICY_ENV] = args.wait_policy
    with tempfile.TemporaryDirectory(prefix="threads-bench-") as out:
        start = time.perf_counter()
        try:
            subprocess.run(
                command(workload, out),
                env=env,
                check=True,
                timeout=args.timeout,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            seconds = time.perf_counter() - start
        except subprocess.TimeoutExpired:
            seconds = None
        except subprocess.CalledProcessError as exc:
            raise SystemExit(f"{workload} failed:\n{exc.stderr.decode(errors='replace')}") from None
        used = Path(out, "threads")
        return seconds, used.read_text() if used.exists() else "?"


@contextmanager
def cpu_load(active: bool) -> Iterator[None]:
    """One spinning Python process per core while the block runs (none when not ``active``)."""
    spinners = [
        subprocess.Popen([sys.executable, "-c", LOAD_LOOP]) for _ in range(cpu_count() * active)
    ]
    try:
        time.sleep(1.0 * active)
        yield
    finally:
        for process in spinners:
            process.kill()
            process.wait()


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


class Results:
    """Wall times per (workload, condition, setting) and the thread counts the runs used."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.times: dict[Key, list[float | None]] = {}
        self.used: dict[Key, set[str]] = {}

    def add(self, key: Key, seconds: float | None, used: str) -> None:
        self.times.setdefault(key, []).append(seconds)
        self.used.setdefault(key, set()).add(used)

    def median(self, key: Key) -> float:
        """Median seconds, a timed-out run counting as the timeout (a lower bound)."""
        return statistics.median(self.timeout if v is None else v for v in self.times[key])

    def hopeless(self, key: Key, row: list[Key]) -> bool:
        """Whether ``key`` (not the default) took twice the best of its row in its first run."""
        firsts = [self.timeout if self.times[k][0] is None else self.times[k][0] for k in row]
        slow = firsts[row.index(key)] >= SKIP_FACTOR * min(firsts)
        return slow and key[2] != "default"

    def cell(self, key: Key) -> str:
        runs = self.times[key]
        text = f"{self.median(key):.1f}"
        text = f">{text}" if any(v is None for v in runs) else text
        return text if len(runs) > 1 else f"{text} (1 run)"


def measure(args: argparse.Namespace) -> Results:
    """Every (workload, condition, setting) ``args.repeats`` times, settings interleaved."""
    results = Results(args.timeout)
    for condition in args.conditions:
        with cpu_load(condition == "loaded"):
            for repeat in range(args.repeats):
                for workload in args.workloads:
                    row = [(workload, condition, s) for s in args.settings]
                    for key in row:
                        if repeat and results.hopeless(key, row):
                            continue
                        seconds, used = timed_run(workload, key[2], args)
                        results.add(key, seconds, used)
                        took = f"{seconds:.1f} s" if seconds is not None else "timed out"
                        print(
                            f"{condition} #{repeat + 1} {workload} threads={key[2]} ({used}): "
                            f"{took} (load {load_average()})",
                            file=sys.stderr,
                            flush=True,
                        )
    return results


def table(args: argparse.Namespace, results: Results, started: str, elapsed: float) -> str:
    """The Markdown report: command and machine, then one row per workload and condition."""
    used = sorted({n for k, v in results.used.items() if k[2] == "default" for n in v})
    names = [
        f"default ({'/'.join(used)})" if s == "default" else f"{s} thread{'s' * (s != '1')}"
        for s in args.settings
    ]
    policy = f"OMP_WAIT_POLICY={args.wait_policy}" if args.wait_policy else "OMP_WAIT_POLICY unset"
    lines = [
        f"Command: `{' '.join(['python bench/threads.py', *sys.argv[1:]])}`.",
        f"Machine: {cpu_count()} CPUs usable, {platform.system()} {platform.machine()}, Python "
        f"{platform.python_version()}, torch {version('torch')}; 1/5/15-min load average "
        f"{started} at the start; "
        f"loaded = {cpu_count()} spinning Python processes; {policy}; median of "
        f"{args.repeats} runs; {elapsed / 60:.1f} min in all.",
        "",
        "| workload | condition | " + " | ".join(f"{n} (s)" for n in names) + " | default / best |",
        "|---|---|" + "---|" * len(names) + "---|",
    ]
    for workload in args.workloads:
        for condition in args.conditions:
            row = [(workload, condition, s) for s in args.settings]
            ratio = "-"
            if "default" in args.settings:
                best = min(results.median(k) for k in row)
                ratio = f"{results.median((workload, condition, 'default')) / best:.2f}"
            cells = " | ".join(results.cell(k) for k in row)
            lines.append(f"| {workload} | {condition} | {cells} | {ratio} |")
    lines += ["", *(f"- {w}: {shown(w)}" for w in args.workloads)]
    return "\n".join(lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--settings", default="1,2,default")
    parser.add_argument("--conditions", default="idle,loaded")
    parser.add_argument("--workloads", default="pretrain,bo,tagates,zc")
    parser.add_argument("--timeout", type=float, default=45.0, help="Seconds per run at most.")
    parser.add_argument("--wait-policy", choices=["PASSIVE", "ACTIVE"], default=None)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for name in ("settings", "conditions", "workloads"):
        setattr(args, name, [item for item in getattr(args, name).split(",") if item])
    unknown = set(args.workloads) - {*CLI_WORKLOADS, "tagates"}
    if unknown or set(args.conditions) - {"idle", "loaded"} or args.repeats < 1:
        parser.error("unknown workload or condition, or --repeats below 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if args.child:
        child(args.child, args.out, args.rest)
        return
    started, start = load_average(), time.perf_counter()
    results = measure(args)
    print(table(args, results, started, time.perf_counter() - start))


if __name__ == "__main__":
    main()
