"""No code in src/ reseeds the global random generators: seeded work draws from its own
generators (``archembed.nn.training.seeded``), gives the same numbers whatever the global state,
and leaves that state as it found it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch

from archembed.nets.build import resolve_setting
from archembed.nets.jacobian import JacobianJob, architecture_features
from archembed.nets.zero_cost import network_proxies
from archembed.predictors.gp import GPPredictor
from archembed.spaces import get_space

SRC = Path(__file__).resolve().parents[1] / "src" / "archembed"
RESEEDING = re.compile(
    r"\b(torch(\.random|\.cuda)?\.manual_seed(_all)?|default_generator\.manual_seed|"
    r"(np|numpy)\.random\.seed|random\.seed)\("
)
SEEDED_HOME = SRC / "nn" / "training.py"
"""The one place that seeds torch's generators, inside ``fork_rng`` (restored on exit)."""


def test_no_module_reseeds_a_global_generator() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path in sorted(SRC.rglob("*.py"))
        if path != SEEDED_HOME
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if RESEEDING.search(line.split("#")[0])
    ]
    assert offenders == []


def _global_state_kept(work) -> object:
    """Run ``work`` twice from two different global states; both results, states untouched."""
    results = []
    with torch.random.fork_rng(devices=[]):  # this test's own reseeding stays here
        for seed in (1, 2):
            torch.manual_seed(seed)
            before = torch.get_rng_state()
            results.append(work())
            assert torch.equal(torch.get_rng_state(), before)
    return results


def test_gp_fit_is_seeded_without_touching_the_global_generator() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    first, second = _global_state_kept(lambda: GPPredictor(seed=4).fit(X, y).predict(X[:5]))
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("kind", ["jacobian", "proxies"])
def test_network_inits_are_seeded_without_touching_the_global_generator(kind) -> None:
    space = get_space("nb201")
    cell = space.enumerate()[123]
    rng = np.random.default_rng(1)
    job = JacobianJob(
        space="nb201",
        setting=resolve_setting("nb201", "proxy"),
        inputs=rng.normal(size=(2, 3, 32, 32)).astype(np.float32),
        basis=rng.normal(size=(4, 3 * 32 * 32)).astype(np.float32),
        k=4,
        n_inits=2,
        normalise=False,
        seed=7,
    )
    works = {
        "jacobian": lambda: architecture_features(job, cell, space.identity(cell)),
        "proxies": lambda: network_proxies(
            "nb201", cell, ("grad_norm", "snip"), setting="proxy", n_points=4
        ),
    }
    first, second = _global_state_kept(works[kind])
    assert first == second if isinstance(first, dict) else np.array_equal(first, second)
