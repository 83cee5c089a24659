"""Encoder tests train small torch models: one intra-op thread avoids oversubscribing CI cores."""

from __future__ import annotations

import pytest

from archembed.threads import torch_threads


@pytest.fixture(scope="module", autouse=True)
def _single_torch_thread():
    with torch_threads(1):
        yield
