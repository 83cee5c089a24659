"""Fuzz ``archembed features jacobian|normalise|zc``: bad input stops before any network.

Each case must exit 2 with one ``error:`` line naming the problem, no traceback, and leave
nothing behind. ``{bad}`` is a module-wide directory of bad input files and tiny feature
stores; ``{tmp}`` is the case's own empty directory, which must still be empty afterwards.
All cases use the enumerated NB201 space, so none needs benchmark data except the last table.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.cli.fuzzing import assert_rejected_cleanly, cases

from archembed.nets.feature_store import FeatureStore
from archembed.outputs import MARKER
from archembed.spaces.base import get_space

FAST = ["--threads", "1", "--quiet"]
J = ["features", "jacobian", "--space", "nb201", "--out", "{tmp}/j", "--limit", "4",
     "--n-inits", "2", "--n-points", "4", "--k", "4", "--n-pool", "16", *FAST]  # fmt: skip
Z = ["features", "zc", "--space", "nb201", "--out", "{tmp}/z.parquet", "--limit", "4",
     "--proxies", "params", *FAST]  # fmt: skip
N = ["features", "normalise", "--features", "{bad}/store", "--out", "{tmp}/n", *FAST]

COUNTS = [
    ("jac-inits-zero", [*J, "--n-inits", "0"], "--n-inits must be a whole number in [1, 1000]"),
    ("jac-inits-negative", [*J, "--n-inits", "-2"], "got -2"),
    ("jac-inits-huge", [*J, "--n-inits", "1000000000"], "--n-inits"),
    ("jac-inits-text", [*J, "--n-inits", "four"], "--n-inits"),
    ("jac-points-zero", [*J, "--n-points", "0"], "--n-points must be a whole number in [1,"),
    ("jac-points-huge", [*J, "--n-points", "99999999"], "--n-points"),
    ("jac-k-zero", [*J, "--k", "0"], "--k must be a whole number"),
    ("jac-k-above-pool", [*J, "--k", "17"], "--k must be a whole number in [1, 16]"),
    ("jac-pool-zero", [*J, "--n-pool", "0"], "--n-pool"),
    ("jac-pool-huge", [*J, "--n-pool", "100000000"], "--n-pool"),
    ("jac-workers-zero", [*J, "--workers", "0"], "--workers must be a whole number"),
    ("jac-workers-huge", [*J, "--workers", "100000"], "--workers"),
    ("jac-seed-negative", [*J, "--seed", "-1"], "--seed must be a whole number"),
    ("jac-seed-huge", [*J, "--seed", str(2**70)], "--seed"),
    ("jac-limit-zero", [*J, "--limit", "0"], "--limit must be a whole number >= 1"),
    ("jac-limit-negative", [*J, "--limit", "-5"], "--limit"),
    ("jac-threads-zero", [*J, "--threads", "0"], "--threads must be at least 1"),
    ("jac-own-k-above-points", [*J, "--projection", "own", "--k", "5"], "--k must be a whole number in [1, 4]"),
    ("zc-sample-zero", [*Z, "--sample", "0"], "--sample"),
    ("zc-sample-negative", [*Z, "--sample", "-3"], "got -3"),
    ("zc-sample-huge", [*Z, "--sample", "100000"], "of the 4 architectures selected"),
    ("zc-sample-text", [*Z, "--sample", "some"], "--sample"),
    ("zc-points-zero", [*Z, "--n-points", "0"], "--n-points"),
    ("zc-points-huge", [*Z, "--n-points", "1000000"], "--n-points"),
    ("zc-seed-negative", [*Z, "--seed", "-7"], "--seed"),
    ("zc-limit-zero", [*Z, "--limit", "0"], "--limit"),
    ("zc-threads-negative", [*Z, "--threads", "-1"], "--threads"),
]  # fmt: skip

NAMES = [
    ("jac-space-unknown", [*J, "--space", "frob"], "unknown space with a network builder 'frob'"),
    ("jac-jacobian-unknown", [*J, "--jacobian", "signed"], "--jacobian"),
    ("jac-projection-unknown", [*J, "--projection", "pca"], "--projection"),
    ("jac-space-no-builder", [*J, "--space", "nasbench_graph"], "network builder"),
    ("jac-archs-unknown", [*J, "--archs", "some"], "unknown --archs 'some'"),
    ("jac-archs-all-darts", [*J, "--space", "darts"], "too large to enumerate"),
    ("jac-setting-text", [*J, "--setting", "big"], "--setting 'big' is not proxy"),
    ("jac-setting-three", [*J, "--setting", "8,1,2"], "two integers C,N"),
    ("jac-setting-zero", [*J, "--setting", "0,1"], "network channels"),
    ("jac-setting-huge", [*J, "--setting", "8,100000"], "network depth"),
    ("jac-device-unknown", [*J, "--device", "banana"], "unknown device 'banana'"),
    ("jac-device-cuda", [*J, "--device", "cuda"], "cuda"),
    ("jac-device-cuda-index", [*J, "--device", "cuda:7"], "cuda"),
    ("jac-device-meta", [*J, "--device", "meta"], "unknown device 'meta'"),
    ("zc-space-unknown", [*Z, "--space", "frob"], "unknown space"),
    ("zc-archs-unknown", [*Z, "--archs", "first"], "--archs"),
    ("zc-setting-negative", [*Z, "--setting", "-8,1"], "network channels"),
    ("zc-proxy-unknown", [*Z, "--proxies", "frob"], "unknown zero-cost proxy 'frob'"),
    ("zc-proxy-empty", [*Z, "--proxies", ","], "unknown zero-cost proxy ''"),
    ("zc-proxy-twice", [*Z, "--proxies", "snip,snip"], "--proxies lists snip more than once"),
    ("zc-device-unknown", [*Z, "--device", "tpu"], "unknown device 'tpu'"),
    ("zc-device-cuda", [*Z, "--device", "cuda:0"], "cuda"),
]  # fmt: skip

FILES = [
    ("jac-inputs-missing", [*J, "--inputs", "{tmp}/none.npy"], "--inputs"),
    ("jac-inputs-text-file", [*J, "--inputs", "{bad}/file.txt"], "--inputs"),
    ("jac-inputs-binary-npy", [*J, "--inputs", "{bad}/binary.npy"], "is not a NumPy .npy array"),
    ("jac-inputs-shape", [*J, "--inputs", "{bad}/shape.npy"], "expected (N, 3, 32, 32)"),
    ("jac-inputs-too-few", [*J, "--inputs", "{bad}/few.npy"], "holds 2 images but 16"),
    ("jac-inputs-nan", [*J, "--inputs", "{bad}/nan.npy"], "NaN or infinite"),
    ("jac-inputs-text-npy", [*J, "--inputs", "{bad}/strings.npy"], "numeric image array"),
    ("jac-inputs-empty-folder", [*J, "--inputs", "{bad}/empty"], "no images"),
    ("jac-inputs-broken-image", [*J, "--inputs", "{bad}/broken-images"], "cannot read image"),
    ("jac-inputs-small-images", [*J, "--inputs", "{bad}/small-images"], "at least 32x32"),
    ("zc-inputs-binary-npy", [*Z, "--inputs", "{bad}/binary.npy"], "not a NumPy .npy array"),
    ("zc-inputs-missing-folder", [*Z, "--inputs", "{tmp}/photos"], "--inputs"),
    ("jac-out-file", [*J, "--out", "{bad}/file.txt"], "exists and is not a directory"),
    ("jac-out-foreign", [*J, "--out", "{bad}/foreign"], "archembed did not create"),
    ("jac-out-other-kind", [*J, "--out", "{bad}/evaluation"], "not a features directory"),
    ("jac-out-proc", [*J, "--out", "/proc/archembed-features"], "/proc"),
    ("jac-out-under-file", [*J, "--out", "{bad}/file.txt/j"], "is not a directory"),
    ("jac-out-other-settings", [*J, "--out", "{bad}/store"], "made with other settings"),
    ("zc-out-suffix", [*Z, "--out", "{tmp}/z.csv"], "must end in .parquet"),
    ("zc-out-dir", [*Z, "--out", "{bad}/dir.parquet"], "is a directory"),
    ("zc-out-foreign", [*Z, "--out", "{bad}/foreign.parquet"], "was not written by archembed"),
    ("zc-out-proc", [*Z, "--out", "/proc/z.parquet"], "/proc"),
    ("norm-features-missing", [*N, "--features", "{tmp}/none"], "is not a feature store"),
    ("norm-features-file", [*N, "--features", "{bad}/file.txt"], "is not a feature store"),
    ("norm-features-binary-meta", [*N, "--features", "{bad}/binary-meta"], "cannot read JSON"),
    ("norm-features-incomplete", [*N, "--features", "{bad}/incomplete"], "is incomplete"),
    ("norm-features-not-jacobian", [*N, "--features", "{bad}/zc-store"],
     "not a Jacobian feature store"),
    ("norm-out-same", [*N[:3], "{bad}/store", "--out", "{bad}/store"], "must differ"),
    ("norm-out-file", [*N[:3], "{bad}/store", "--out", "{bad}/file.txt"], "not a directory"),
    ("norm-out-foreign", [*N[:3], "{bad}/store", "--out", "{bad}/foreign"], "did not create"),
]  # fmt: skip

WITH_DATA = [
    ("zc-darts-benchmark", [*Z, "--space", "darts", "--archs", "benchmark"],
     "unknown benchmark 'darts'"),
    ("zc-sample-above-benchmark", [*Z, "--archs", "benchmark", "--limit", "3", "--sample", "5"],
     "of the 3 architectures selected"),
]  # fmt: skip


def _store(path: Path, rows: int, written: int, kind: str) -> None:
    space = get_space("nb201")
    graphs = space.enumerate()[:rows]
    store = FeatureStore.create(
        path,
        "nb201",
        [space.identity(g) for g in graphs],
        [space.to_native(g) for g in graphs],
        n_inits=2,
        n_points=4,
        dim=4,
        params={"kind": kind},
    )
    store.write(np.arange(written), np.ones((written, 2, 4, 4), dtype=np.float32))


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> Path:
    """Bad input images and arrays, plain files and directories, and tiny feature stores."""
    from PIL import Image

    root = tmp_path_factory.mktemp("bad")
    (root / "file.txt").write_text("not a directory\n")
    (root / "binary.npy").write_bytes(b"\x93NUMPY\x01\x00garbage\xff\x00" * 10)
    np.save(root / "shape.npy", np.zeros((20, 3, 16, 16), dtype=np.float32))
    np.save(root / "few.npy", np.zeros((2, 3, 32, 32), dtype=np.float32))
    np.save(root / "nan.npy", np.full((20, 3, 32, 32), np.nan, dtype=np.float32))
    np.save(root / "strings.npy", np.array(["a", "b"]))
    (root / "empty").mkdir()
    (root / "broken-images").mkdir()
    (root / "broken-images" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    (root / "small-images").mkdir()
    Image.new("RGB", (8, 8)).save(root / "small-images" / "a.png")
    (root / "foreign").mkdir()
    (root / "foreign" / "notes.txt").write_text("mine")
    (root / "foreign.parquet").write_text("somebody else's file")
    (root / "dir.parquet").mkdir()
    (root / "evaluation").mkdir()
    (root / "evaluation" / MARKER).write_text(json.dumps({"kind": "evaluation"}))
    (root / "binary-meta").mkdir()
    (root / "binary-meta" / "meta.json").write_bytes(b"\xff\x00\x81")
    _store(root / "store", rows=4, written=4, kind="jacobian")
    _store(root / "incomplete", rows=4, written=2, kind="jacobian")
    _store(root / "zc-store", rows=4, written=4, kind="zc")
    return root


@cases(COUNTS)
def test_bad_counts_are_rejected_before_any_network(args, fragment, bad, tmp_path):
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


@cases(NAMES)
def test_bad_names_settings_and_devices_are_rejected(args, fragment, bad, tmp_path):
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


@cases(FILES)
def test_bad_input_files_and_outputs_are_rejected(args, fragment, bad, tmp_path):
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


@cases(WITH_DATA)
def test_bad_benchmark_selections_are_rejected(args, fragment, bad, tmp_path, data_root):
    assert_rejected_cleanly(args, fragment, bad, tmp_path)


def test_the_suite_is_large_enough():
    assert len(COUNTS) + len(NAMES) + len(FILES) + len(WITH_DATA) >= 60
