"""The wheel holds the whole package: every module, every data file under src/archembed (page
assets of the explorer, shipped models), the console script and the documented extras.

.ci/wheel-smoke installs that wheel into a fresh environment and runs it; this test only builds
it (from a copy of the sources, so the checkout gets no build directories).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXTRAS = ("ray", "umap", "explorer", "optuna", "docs", "dev")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    pytest.importorskip("build", reason="needs the build package: pip install build")
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(
        REPO / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    command = [
        sys.executable,
        "-m",
        "build",
        "--wheel",
        "--no-isolation",
        "--outdir",
        str(out),
        str(source),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (path,) = out.glob("archembed-*.whl")
    return zipfile.ZipFile(path)


def package_files() -> set[str]:
    """Every file of the package in the checkout, as the wheel names it."""
    root = REPO / "src"
    return {
        path.relative_to(root).as_posix()
        for path in (root / "archembed").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_wheel_holds_every_module_and_data_file(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    missing = sorted(package_files() - names)
    assert missing == [], (
        f"not in the wheel (add them to package-data in pyproject.toml): {missing}"
    )
    assert "archembed/viz/explorer.js" in names
    assert "archembed/pretrained/arch2vec-nasbench_graph/state.pt" in names


def test_wheel_metadata_names_the_script_and_extras(wheel: zipfile.ZipFile) -> None:
    info = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    metadata = wheel.read(info).decode()
    extras = {
        line.split(":", 1)[1].strip()
        for line in metadata.splitlines()
        if line.startswith("Provides-Extra:")
    }
    assert set(EXTRAS) <= extras
    assert "Requires-Dist: torch==2.13.0" in metadata
    scripts = wheel.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert "archembed = archembed.cli:main" in scripts
