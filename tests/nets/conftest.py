"""Network tests run torch single-threaded: on a shared 2-core machine, intra-op threads
oversubscribe the cores and slow these small networks down many times over."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _one_thread(one_thread: None) -> None:
    """Every network test runs torch on one thread."""
