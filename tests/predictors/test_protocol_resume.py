"""The predictor protocol killed between runs resumes from its results store, same results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from archembed.outputs import MARKER
from archembed.predictors import protocol
from archembed.spaces import get_space

SCRIPT = textwrap.dedent(
    """
    import json, os, signal, sys
    sys.path.insert(0, sys.argv[4])
    from test_protocol_resume import toy
    from archembed.predictors import protocol

    out, log, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
    one_run, calls = protocol._one_run, []

    def logged(split, space, spec, fraction, seed, *rest):
        calls.append(seed)
        if len(calls) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        with open(log, "a") as f:
            f.write(f"{seed}\\n")
        return one_run(split, space, spec, fraction, seed, *rest)

    protocol._one_run = logged
    records = protocol.run_protocol(*toy(), out_dir=out, progress=False)
    print(json.dumps([[r["seed"], r["kendall_tau"]] for r in records]))
    """
)


def toy() -> tuple[protocol.Split, Any, protocol.ProtocolRun]:
    """A small NB201 split with a made-up target, and an MLP over three seeds."""
    space = get_space("nb201")
    graphs = space.enumerate()[:240]
    y = np.array([sum(op == "nor_conv_3x3" for op in g.ops) + 0.1 * g.n_edges for g in graphs])
    split = protocol.Split("toy", graphs[:160], y[:160], graphs[160:], y[160:], ("y",))
    params = {"mlp": {"epochs": 3, "hidden": [8]}}
    return split, space, protocol.ProtocolRun(["mlp"], [0.1], [0, 1, 2], params=params)


def run_killed(tmp_path: Path, kill_at: int) -> subprocess.CompletedProcess:
    """The toy protocol into ``tmp_path/out`` in a process SIGKILLed at run ``kill_at``."""
    script = tmp_path / "protocol.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    args = [str(tmp_path / "out"), str(tmp_path / "log"), str(kill_at), str(Path(__file__).parent)]
    return subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.slow  # two fresh Python processes: about 10 CPU seconds
def test_a_killed_protocol_resumes_with_only_the_missing_runs(tmp_path):
    killed = run_killed(tmp_path, kill_at=3)
    assert killed.returncode == -9, killed.stderr
    runs = tmp_path / "out" / "runs"
    assert len(list(runs.glob("mlp-f0.1-s*.json"))) == 2
    assert {"settings.json", MARKER} <= {p.name for p in runs.iterdir()}
    resumed = run_killed(tmp_path, kill_at=0)
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "log").read_text().split() == ["0", "1", "2"]
    whole = protocol.run_protocol(*toy(), out_dir=tmp_path / "whole", progress=False)
    assert json.loads(resumed.stdout) == [[r["seed"], r["kendall_tau"]] for r in whole]
