"""The size-space search study and its contrastive GP-BO arm share one output directory."""

from __future__ import annotations

from pathlib import Path

from archembed.experiments.config import parse_config, read_yaml_file
from archembed.experiments.runner import plan_runs

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _config(name: str):
    return parse_config(read_yaml_file(EXAMPLES / name, "experiment"), name)


def test_the_contrastive_arm_joins_the_study_without_clashing_runs(tmp_path):
    study, arm = _config("nats_sss_search.yaml"), _config("nats_sss_search_contrastive.yaml")
    assert arm.name == study.name
    assert [b.label for b in arm.benchmarks] == [b.label for b in study.benchmarks]
    assert (arm.seed_list(), arm.queries) == (study.seed_list(), study.queries)
    study_runs = {r.label for r in plan_runs(study, tmp_path)}
    arm_runs = plan_runs(arm, tmp_path)
    assert len(arm_runs) == 3 and not study_runs & {r.label for r in arm_runs}
    assert all(r.strategy.name == "bo" and r.encoder.name == "contrastive" for r in arm_runs)
