"""How a protocol script under experiments/ runs: bad input is one ``error:`` line, exit 2."""

from __future__ import annotations

from collections.abc import Callable

from archembed.cli.common import EXIT_USAGE, fail
from archembed.errors import UserError


def run_script(main: Callable[[], None]) -> None:
    """Call a script's ``main`` under the CLI's contract for bad input: a UserError (a bad
    option, a results directory of other settings) prints ``error: message`` on one line and
    exits with status 2."""
    try:
        main()
    except UserError as exc:
        fail(str(exc), EXIT_USAGE)
