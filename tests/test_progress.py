"""Plain progress lines off a terminal: a slow step still prints every interval."""

from __future__ import annotations

import io
import time
from contextlib import redirect_stderr

from archembed.progress import ProgressBar


def test_a_step_slower_than_the_interval_still_prints_lines():
    err = io.StringIO()  # not a terminal: plain lines
    with redirect_stderr(err), ProgressBar(interval=0.2) as bar:
        task = bar.add_task("slow", total=2)
        time.sleep(0.9)  # one step that takes more than four intervals
        bar.advance(task)
        bar.advance(task)
    lines = err.getvalue().splitlines()
    waiting = [line for line in lines if line.startswith("slow: 0/2 (0%)")]
    assert len(waiting) >= 3, lines  # the first line and at least two heartbeats
    assert lines[-1].startswith("slow: 2/2 (100%)")
    time.sleep(0.3)
    assert err.getvalue().splitlines() == lines  # nothing after the bar stopped
