"""The results store: a protocol killed between units resumes with only the missing ones."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from archembed.errors import ConfigError
from archembed.experiments.results import ResultStore
from archembed.outputs import MARKER

UNITS = ["a", "b", "c", "d"]

PROTOCOL = textwrap.dedent(
    """
    import json, os, signal, sys
    from pathlib import Path
    from archembed.experiments.results import ResultStore

    out, log, kill_after = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    store = ResultStore(out, "toy", {"scale": 3})
    for index, unit in enumerate(["a", "b", "c", "d"]):
        if index == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        def work(unit=unit, index=index):
            with log.open("a") as f:
                f.write(unit + "\\n")
            return {"unit": unit, "value": 3 * index}
        store.compute(unit, work)
    print(json.dumps([store.get(u)["value"] for u in ["a", "b", "c", "d"]]))
    """
)


def run_protocol(tmp_path: Path, kill_after: int) -> subprocess.CompletedProcess:
    script = tmp_path / "protocol.py"
    script.write_text(PROTOCOL)
    command = [sys.executable, str(script), str(tmp_path / "out"), str(tmp_path / "log")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [*command, str(kill_after)], capture_output=True, text=True, env=env, timeout=60
    )


def test_a_killed_protocol_computes_only_the_missing_units_on_restart(tmp_path):
    killed = run_protocol(tmp_path, kill_after=2)
    assert killed.returncode == -9
    assert (tmp_path / "log").read_text().split() == ["a", "b"]
    assert sorted(p.name for p in (tmp_path / "out").glob("?.json")) == ["a.json", "b.json"]
    finished = run_protocol(tmp_path, kill_after=-1)
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout) == [0, 3, 6, 9]
    assert (tmp_path / "log").read_text().split() == ["a", "b", "c", "d"]


def test_an_interrupted_unit_leaves_nothing_and_runs_again(tmp_path):
    store = ResultStore(tmp_path / "out", "toy", {"n": 1})
    calls = []

    def failing():
        calls.append("c")
        raise KeyboardInterrupt

    store.compute("a", lambda: {"v": 1})
    with pytest.raises(KeyboardInterrupt):
        store.compute("c", failing)
    assert store.get("c") is None
    assert store.finished(UNITS) == ["a"]
    store = ResultStore(tmp_path / "out", "toy", {"n": 1})
    assert store.compute("a", lambda: pytest.fail("a is finished")) == {"v": 1}
    result = store.compute("c", lambda: {"v": np.int64(2), "w": np.float32(0.5)})
    assert result == {"v": 2, "w": 0.5}
    assert store.finished(UNITS) == ["a", "c"]


def test_results_of_other_settings_are_never_mixed_in(tmp_path):
    ResultStore(tmp_path / "out", "toy", {"epochs": 2, "sizes": (1, 2)}).put("a", {"v": 1})
    assert ResultStore(tmp_path / "out", "toy", {"epochs": 2, "sizes": [1, 2]}).get("a")
    with pytest.raises(ConfigError, match="holds results of other settings"):
        ResultStore(tmp_path / "out", "toy", {"epochs": 3, "sizes": [1, 2]})
    with pytest.raises(ConfigError, match="not a other directory"):
        ResultStore(tmp_path / "out", "other", {"epochs": 2, "sizes": [1, 2]})


def test_foreign_directories_are_refused_and_earlier_outputs_adopted(tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="archembed did not create"):
        ResultStore(foreign, "toy", {}, legacy=("a.json",))
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "a.json").write_text(json.dumps({"v": 7}))
    store = ResultStore(earlier, "toy", {}, legacy=("a.json", "b.json"))
    assert (earlier / MARKER).is_file()
    assert store.get("a") == {"v": 7}
    assert store.finished(UNITS) == ["a"]


@pytest.mark.parametrize("unit", ["", "../x", "a/b", "settings", ".hidden"])
def test_unit_names_stay_inside_the_store(tmp_path, unit):
    store = ResultStore(tmp_path / "out", "toy", {})
    with pytest.raises(ConfigError, match="cannot name a result unit"):
        store.put(unit, {"v": 1})
