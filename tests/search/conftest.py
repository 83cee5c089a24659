import pytest


@pytest.fixture(autouse=True)
def _one_thread(one_thread: None) -> None:
    """Search fits small models: torch threads only add contention (as in the runner)."""
