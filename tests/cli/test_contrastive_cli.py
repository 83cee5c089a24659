"""End to end on real features: Jacobians of NB201 cells -> pretrain contrastive -> embeddings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from archembed.encoders import load_encoder
from archembed.experiments.contrastive_report import transfer_report
from archembed.nets.jacobian import compute_jacobian_features
from archembed.spaces import get_space

ONE_THREAD = {"OMP_NUM_THREADS": "1"}
"""Tiny models train fastest on one thread, above all on a busy machine."""


@pytest.mark.slow
def test_pretrain_on_real_jacobian_features_then_embed(tmp_path, data_root, run_cli) -> None:
    space = get_space("nb201")
    cells = space.enumerate()
    graphs = [cells[i] for i in np.random.default_rng(0).choice(len(cells), 16, replace=False)]
    store = compute_jacobian_features(
        "nb201",
        graphs,
        tmp_path / "features",
        n_inits=2,
        n_points=8,
        k=8,
        workers=1,
        progress=False,
    )
    model = tmp_path / "model"
    args = ["pretrain", "contrastive", "--features", str(store.directory), "--out", str(model)]
    small = ["--batch-size", "8", "--hidden", "16", "--embed-dim", "8", "--holdout", "0.25"]
    result = run_cli(*args, *small, "--epochs", "3", "--quiet", "--json", env=ONE_THREAD)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["architectures"] == 16 and summary["spaces"] == ["nb201"]
    assert np.isfinite([summary["train_loss"], summary["heldout_loss"]]).all()
    encoder = load_encoder(model)
    embedded = encoder.transform(graphs[::-1])
    assert embedded.shape == (16, 8) and np.isfinite(embedded).all()
    assert np.linalg.matrix_rank(embedded) > 1
    np.testing.assert_allclose(encoder.embed_store(store)[::-1], embedded, rtol=1e-5, atol=1e-6)
    resumed = run_cli(*args, *small, "--epochs", "4", "--quiet", "--json", env=ONE_THREAD)
    assert resumed.returncode == 0, resumed.stderr
    assert [h["epoch"] for h in load_encoder(model).history_] == [1, 2, 3, 4]

    rows = transfer_report(load_encoder(model), tmp_path / "eval", n_train=8, seeds=[0, 1])
    assert [(r["representation"], r["target"]) for r in rows][:2] == [
        ("trained encoder", "nb201"),
        ("trained encoder", "nb201-cifar100"),
    ]
    report = json.loads((tmp_path / "eval" / "transfer.json").read_text())
    assert len(report["rows"]) == 4 and len(report["rows"][0]["runs"]) == 2
    assert all(-1 <= r["kendall_tau"] <= 1 for r in report["rows"])
