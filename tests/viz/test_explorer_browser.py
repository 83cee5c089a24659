"""The explorer page in a real headless Chromium (playwright): it loads offline from file://
without console errors or network requests, plots every architecture, shows a point's native
string on hover, draws its cell on click and switches the colouring metric.

The screenshot goes to $ARCHEMBED_TEST_ARTIFACTS (else the test's tmp dir). Skipped, saying
why, only where playwright or a Chromium binary cannot be found.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from tests.cli.fuzzing import invoke

pytestmark = pytest.mark.slow

QUERIES = 10
SEEDS = 2
CHROMIUM_ENV = "ARCHEMBED_CHROMIUM"
ARTIFACTS_ENV = "ARCHEMBED_TEST_ARTIFACTS"


def chromium_path() -> str:
    """A Chromium binary: $ARCHEMBED_CHROMIUM, else chromium / chromium-browser on PATH."""
    candidates = [os.environ.get(CHROMIUM_ENV), "chromium", "chromium-browser", "google-chrome"]
    for candidate in filter(None, candidates):
        found = shutil.which(candidate)
        if found:
            return found
    pytest.skip(
        f"no Chromium found (set {CHROMIUM_ENV} or install Debian's chromium: "
        "apt-get install chromium)"
    )


@pytest.fixture(scope="module")
def explorer_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The default page (NAS-Bench-Graph, shipped arch2vec, no data dir) with a random search."""
    root = tmp_path_factory.mktemp("explorer")
    run = root / "rs"
    searched = invoke(
        [
            "search",
            "--benchmark",
            "nasbench_graph/arxiv",
            "--strategy",
            "random",
            "--queries",
            QUERIES,
            "--seeds",
            SEEDS,
            "--out",
            run,
            "--threads",
            "1",
            "-q",
        ]
    )
    assert searched.code == 0, searched.stderr
    page = root / "explorer.html"
    result = invoke(["explore", "--out", page, "--runs", run, "--threads", "1", "-q", "--json"])
    assert result.code == 0, result.stderr
    return page, json.loads(result.stdout)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install playwright"
    )
    executable = chromium_path()
    with sync_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, headless=True)
        yield launched
        launched.close()


def artifacts_dir(tmp_path: Path) -> Path:
    target = Path(os.environ.get(ARTIFACTS_ENV) or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


def isolated_point(page) -> int:
    """The point farthest from every other point and trajectory, so a hover hits only it."""
    from scipy.spatial import cKDTree

    data = page.evaluate("[explorer.data.x, explorer.data.y]")
    points = np.column_stack(data).astype(float)
    distance, _ = cKDTree(points).query(points, k=2)
    return int(np.argmax(distance[:, 1]))


def pixel_of(page, index: int) -> tuple[float, float]:
    """Page coordinates of point ``index`` of the scatter."""
    return tuple(
        page.evaluate(
            """(i) => {
              const gd = document.getElementById("plot"), full = gd._fullLayout;
              const box = gd.querySelector(".nsewdrag").getBoundingClientRect();
              return [box.left + full.xaxis.l2p(explorer.data.x[i]),
                      box.top + full.yaxis.l2p(explorer.data.y[i])];
            }""",
            index,
        )
    )


def test_explorer_in_chromium(browser, explorer_page, tmp_path: Path) -> None:
    from archembed.benchmarks.catalog import load_benchmark

    path, info = explorer_page
    requests, errors = [], []
    page = browser.new_page(viewport={"width": 1400, "height": 850})
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("window.explorer && window.explorer.ready", timeout=120_000)

    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    plotted = page.evaluate("document.getElementById('plot')._fullData[0]._length")
    assert plotted == info["archs"] == 26206
    lengths = page.evaluate(
        "document.getElementById('plot')._fullData.slice(2).map(t => t._length)"
    )
    assert lengths == [QUERIES] * SEEDS

    index = isolated_point(page)
    native = page.evaluate("(i) => explorer.data.native[i]", index)
    x, y = pixel_of(page, index)
    page.mouse.move(x, y)
    label = page.wait_for_selector(".hoverlayer .hovertext", timeout=10_000)
    assert native in label.text_content()

    page.mouse.click(x, y)
    page.wait_for_selector("#cell svg text", timeout=10_000)
    assert page.text_content("#native") == native
    bench = load_benchmark("nasbench_graph")
    expected = [
        op for cell in bench.space.cells(bench.space.from_native(native)) for op in cell.ops
    ]
    assert (
        page.eval_on_selector_all("#cell svg text", "ts => ts.map(t => t.textContent)") == expected
    )
    edges = page.eval_on_selector_all("#cell svg line", "ls => ls.length")
    graph = bench.space.from_native(native)
    assert edges == int(graph.adj.sum())

    page.select_option("#metric", "latency")
    title = page.evaluate("document.getElementById('plot')._fullData[0].marker.colorbar.title.text")
    assert title == "latency"
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    screenshot = artifacts_dir(tmp_path) / "explorer.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000
    assert errors == []
    page.close()
