"""The explorer page without a browser: cell codes, a self-contained page whose data survives
any string, trajectories placed on the right points, and the command's input errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.cli.fuzzing import assert_rejected_cleanly, cases

from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.io import write_json, write_parquet
from archembed.outputs import output_file, written_by_archembed
from archembed.viz import explorer

DIAMOND = ArchGraph(
    [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]], ["input", "a", "b", "output"]
)


@pytest.fixture(scope="module")
def graph_bench():
    from archembed.benchmarks.catalog import load_benchmark

    return load_benchmark("nasbench_graph")


def tiny_page(native: list[str]) -> explorer.ExplorerData:
    n = len(native)
    return explorer.ExplorerData(
        title="tiny <page> & co",
        coordinates=np.arange(2 * n, dtype=float).reshape(n, 2) / 3,
        native=native,
        ops=["input", "a", "b", "output"],
        cells=[["0.1.2.3:33"]] * n,
        metrics={"val_acc": np.array([0.5, np.nan, 0.25][:n])},
    )


def page_data(page: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="explorer-data">(.*?)</script>', page, re.S
    )
    assert found is not None
    return json.loads(found[1])


def test_cell_code_is_op_indices_and_the_upper_triangle_in_hex():
    vocabulary: dict[str, int] = {}
    assert explorer.cell_code(DIAMOND, vocabulary) == "0.1.2.3:33"  # 110011: 0-1 0-2 1-3 2-3
    swapped = ArchGraph(DIAMOND.adj, ["input", "b", "a", "output"])
    assert explorer.cell_code(swapped, vocabulary) == "0.2.1.3:33"
    assert vocabulary == {"input": 0, "a": 1, "b": 2, "output": 3}


def test_page_is_self_contained_and_its_data_survives_any_string(tmp_path: Path):
    native = ["</script><script>alert(1)</script>", 'quote " and \\ backslash', "é ünïcode"]
    page = explorer.render_html(tiny_page(native))
    assert "<script src" not in page and "<link" not in page
    assert "<title>tiny &lt;page&gt; &amp; co</title>" in page
    data = page_data(page)
    assert data["native"] == native
    assert data["metrics"][0]["values"] == [0.5, None, 0.25]
    assert data["x"] == pytest.approx([0.0, 0.6667, 1.333])
    assert "Plotly" in page and len(page) > 1_000_000  # plotly.js inlined


def test_a_written_page_is_archembeds_to_replace(tmp_path: Path):
    out = tmp_path / "page.html"
    info = explorer.write_explorer(tiny_page(["a", "b"]), out)
    assert info["archs"] == 2 and info["megabytes"] > 1
    assert written_by_archembed(out)
    assert output_file(out, (".html",)) == out
    foreign = tmp_path / "foreign.html"
    foreign.write_text("<html><head><title>mine</title></head></html>")
    assert not written_by_archembed(foreign)


def test_metric_names_put_validation_first_and_check_names(graph_bench):
    assert explorer.metric_names(graph_bench, "arxiv", None)[0] == "val_acc"
    assert explorer.metric_names(graph_bench, "arxiv", ["params", "params"]) == ["params"]
    with pytest.raises(ConfigError, match="nosuch"):
        explorer.metric_names(graph_bench, "arxiv", ["nosuch"])


def test_nb201_cifar10_valid_colours_by_the_hardware_metrics_of_its_networks(nb201_bench):
    names = explorer.metric_names(nb201_bench, "cifar10-valid", None)
    assert names[0] == "val_acc" and {"edgegpu_latency", "edgetpu_latency"} <= set(names)
    graphs = nb201_bench.graphs()
    columns = explorer.metric_columns(
        nb201_bench, graphs, "cifar10-valid", ["val_acc", "edgegpu_latency", "edgetpu_latency"]
    )
    assert np.isfinite(columns["val_acc"]).all() and np.isfinite(columns["edgegpu_latency"]).all()
    edgetpu = columns["edgetpu_latency"]
    assert np.isnan(edgetpu).sum() > 0 and (edgetpu[np.isfinite(edgetpu)] > 0).all()


def fake_run(root: Path, benchmark: str, archs: list[str]) -> Path:
    """A search run directory with one finished seed that queried ``archs``."""
    seed = root / "0"
    seed.mkdir(parents=True)
    (seed / "config.yaml").write_text(f"benchmark:\n  name: {benchmark}\n  search: arxiv/val_acc\n")
    scores = np.linspace(0.1, 0.3, len(archs))
    scores[-1:] = np.nan  # a multi-objective run has no single score
    frame = pd.DataFrame({"arch": archs, "score": scores})
    write_parquet(seed / "trajectory.parquet", frame)
    write_json(seed / "summary.json", {"status": "ok", "seed": 0})
    return root


def test_trajectories_land_on_the_queried_points(graph_bench, tmp_path: Path):
    graphs = graph_bench.graphs()
    native = list(graph_bench.space.iter_native(graphs))
    run = fake_run(tmp_path / "run", "nasbench_graph", [native[5], native[2], native[5]])
    runs = explorer.check_runs([tmp_path], graph_bench)
    positions = {graph_bench.space.identity(g): i for i, g in enumerate(graphs)}
    (trajectory,) = explorer.read_trajectories(runs, graph_bench, positions)
    assert (trajectory.run, trajectory.points) == ("run", [5, 2, 5])
    assert trajectory.scores[:2] == pytest.approx([0.1, 0.2]) and trajectory.scores[2] is None
    (run / "0" / "trajectory.parquet").unlink()
    fake_run(tmp_path / "other", "nasbench_graph", ['{"link": [0, 0, 0, 0], "ops": ["nosuch"]}'])
    with pytest.raises(ConfigError, match="not an architecture of nasbench_graph"):
        explorer.read_trajectories(
            explorer.check_runs([tmp_path / "other"], graph_bench), graph_bench, positions
        )


def test_projection_names_agree_with_the_library():
    from archembed.cli.explore import PROJECTION_NAMES
    from archembed.viz.projection import PROJECTIONS

    assert sorted(PROJECTION_NAMES) == sorted(PROJECTIONS)


@cases(
    [
        ("not-html", ["explore", "--out", "{tmp}/page.txt"], "must end in .html"),
        ("foreign-file", ["explore", "--out", "{bad}"], "not written by archembed"),
        ("projection", ["explore", "--projection", "mds", "--out", "{tmp}/p.html"], "--projection"),
        (
            "benchmark",
            ["explore", "--benchmark", "nosuch", "--out", "{tmp}/p.html"],
            "unknown benchmark",
        ),
        (
            "dataset",
            ["explore", "--dataset", "mnist", "--out", "{tmp}/p.html"],
            "--dataset 'mnist'",
        ),
        (
            "metric",
            ["explore", "--metrics", "val_acc,speed", "--out", "{tmp}/p.html"],
            "--metrics: speed",
        ),
        (
            "encoder",
            ["explore", "--encoder", "nosuch", "--out", "{tmp}/p.html"],
            "neither a model directory",
        ),
        (
            "shipped",
            ["explore", "--encoder", "pretrained:nosuch", "--out", "{tmp}/p.html"],
            "unknown shipped model",
        ),
        (
            "runs-missing",
            ["explore", "--runs", "{tmp}/nowhere", "--out", "{tmp}/p.html"],
            "does not exist",
        ),
    ]
)
def test_explore_input_errors(args, fragment, tmp_path: Path):
    bad = tmp_path.parent / f"{tmp_path.name}-foreign.html"
    bad.write_text("<html></html>")
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


def test_explore_refuses_a_run_of_another_benchmark(tmp_path: Path):
    runs = fake_run(tmp_path.parent / f"{tmp_path.name}-run", "nb201", ["x"])
    args = ["explore", "--runs", str(runs), "--out", "{tmp}/p.html"]
    assert_rejected_cleanly(args, "searched benchmark 'nb201'", tmp_path, tmp_path)
