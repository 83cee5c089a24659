"""Start-up time and memory of the light commands: ``--help``, ``spaces``, ``query``, ``data list``.

Each command runs ``--runs`` times as a fresh process. The table gives the median and the
fastest wall-clock time, the median CPU time (user + system: what the command itself costs,
less sensitive to other load than wall time) and the median peak resident memory (the child's
``ru_maxrss``). The cache is warmed first (``data list`` and the query once, untimed), so
``query`` and ``data list`` read a current cache. Targets: at most 0.5 s and 150 MB each.

Usage: ARCHEMBED_DATA=../shared/data python bench/startup.py [--runs 7] [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BEST = (
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|"
    "+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
)
COMMANDS = {
    "archembed --help": ["--help"],
    "archembed spaces": ["spaces"],
    "archembed query nb201 BEST --dataset cifar10-valid --epoch 200": [
        "query",
        "nb201",
        BEST,
        "--dataset",
        "cifar10-valid",
        "--epoch",
        "200",
    ],
    "archembed data list": ["data", "list"],
}
TARGET_SECONDS, TARGET_MB = 0.5, 150


def _executable() -> list[str]:
    """The ``archembed`` console script of this interpreter, else ``python -m archembed``."""
    script = Path(sys.executable).with_name("archembed")
    return [str(script)] if script.exists() else [sys.executable, "-m", "archembed"]


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds (user + system), peak RSS in MB and exit status of one run."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - start, cpu, usage.ru_maxrss / 1024, child.returncode


def _machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()}"
    )


def main() -> None:
    """Warm the cache, time every command, print the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command (median reported)")
    parser.add_argument("--cache", type=Path, help="cache directory (default: a new temporary one)")
    args = parser.parse_args()
    cache = args.cache or Path(tempfile.mkdtemp(prefix="archembed-startup-"))
    env = {**os.environ, "ARCHEMBED_CACHE": str(cache)}
    exe = _executable()
    for extra in COMMANDS.values():  # warm the cache (imports every benchmark once)
        subprocess.run(exe + extra, env=env, check=True, capture_output=True)
    load_before = os.getloadavg()[0]
    rows = []
    for label, extra in COMMANDS.items():
        runs = [_run(exe + extra, env) for _ in range(args.runs)]
        if any(run[3] != 0 for run in runs):
            raise SystemExit(f"{label} failed (exit {runs[0][3]})")
        wall, cpu, rss = (statistics.median(run[i] for run in runs) for i in range(3))
        fastest = min(run[0] for run in runs)
        met = "yes" if wall <= TARGET_SECONDS and rss <= TARGET_MB else "no"
        rows.append(f"| `{label}` | {wall:.2f} | {fastest:.2f} | {cpu:.2f} | {rss:.0f} | {met} |")
    load_after = os.getloadavg()[0]
    if args.cache is None:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"Command: `{' '.join(['python', 'bench/startup.py', *sys.argv[1:]])}`  ")
    print(
        f"Machine: {_machine()}; 1-minute load average {load_before:.1f} before, "
        f"{load_after:.1f} after; {args.runs} runs per command, warm cache.\n"
    )
    columns = ("median wall (s)", "fastest wall (s)", "median CPU (s)", "peak RSS (MB)")
    print(f"| command | {' | '.join(columns)} | target met |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nBEST = `{BEST}`")


if __name__ == "__main__":
    main()
