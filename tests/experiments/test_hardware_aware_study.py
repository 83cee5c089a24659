"""The hardware-aware study script: cheap arms for every seed first, Bayesian arms in rounds,
CPU seconds per seed recorded, resume, and the table of what finished."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from archembed.experiments.config import parse_config, read_yaml_file

SCRIPT = Path(__file__).parents[2] / "experiments" / "hardware_aware_study.py"


@pytest.fixture(scope="module")
def script(load_file_module) -> ModuleType:
    """The experiment script loaded as a module."""
    return load_file_module(SCRIPT)


def test_shipped_study_has_the_issue_protocol(script):
    config = parse_config(read_yaml_file(script.STUDY, "experiment"))
    assert (
        len(config.benchmarks) == 9
        and config.queries == 100
        and config.seed_list() == list(range(30))
    )
    halves = [script.shard(config, f"{i}/2").benchmarks for i in (0, 1)]
    assert [len(h) for h in halves] == [5, 4]  # two processes share the nine pairs
    assert sorted(map(str, halves[0] + halves[1])) == sorted(map(str, config.benchmarks))
    assert script.shard(config, "0/1").benchmarks == config.benchmarks
    cheap = [s.name for s in script.arms(config, True).strategies]
    bayes = [s.name for s in script.arms(config, False).strategies]
    assert cheap == ["random", "nsga2"] and bayes == ["qlognehvi", "qnparego"]


@pytest.mark.slow
def test_study_runs_cheap_arms_first_rounds_and_resumes(script, nb201_bench, tmp_path, capsys):
    config = parse_config(
        {
            "name": "tiny-study",
            "benchmarks": [
                {"name": "nb201/cifar10-valid", "objectives": "val_acc:max,fpga_latency:min"}
            ],
            "strategies": [
                "random",
                {"name": "qlognehvi", "params": {"n_init": 10, "pool_size": 100}},
            ],
            "encoders": ["onehot"],
            "seeds": 3,
            "queries": 12,
            "workers": 1,
        }
    )
    script.run_study(config, tmp_path, seeds=3, step=2)
    summaries = {
        p.parent.parent.name + "/" + p.parent.name: json.loads(p.read_text())
        for p in tmp_path.glob("*/*/summary.json")
    }
    assert len(summaries) == 6 and all(s["cpu_seconds"] > 0 for s in summaries.values())
    stamps = {key: (tmp_path / key / "summary.json").stat().st_mtime for key in summaries}
    script.run_study(config, tmp_path, seeds=3, step=2)  # nothing left: nothing rewritten
    assert stamps == {key: (tmp_path / key / "summary.json").stat().st_mtime for key in stamps}
    cells = script.collect(tmp_path, query=12)
    script.table(cells, query=12)
    rows = [line for line in capsys.readouterr().out.splitlines() if "cifar10-valid" in line]
    assert len(rows) == 2 and all("| fpga |" in row and "| 3 |" in row for row in rows)
    script.figures(cells, tmp_path / "figures", query=12)
    assert (tmp_path / "figures" / "study_fpga.png").stat().st_size > 0
