"""The one tables helper of every report and experiment: mean ± std and Markdown tables.

Statistics are numbers (``{"mean", "std", "n"}``) until they are shown; :func:`format_mean_std`
and :func:`plus_minus` turn them into ``mean ± std`` text and :func:`markdown_table` lays rows
out as Markdown. It needs only NumPy, so any layer of the package may use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

Stats = dict[str, Any]


def mean_std(values: Iterable[float | None], ddof: int = 0) -> Stats:
    """``{"mean", "std", "n"}`` of the finite values (mean and std None when there are none).

    ``ddof=0`` is the population std of the search reports; ``ddof=1`` the sample std (0 for a
    single value, so one seed still shows a number).
    """
    data = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if not len(data):
        return {"mean": None, "std": None, "n": 0}
    std = float(data.std(ddof=ddof)) if len(data) > ddof else 0.0
    return {"mean": float(data.mean()), "std": std, "n": len(data)}


def _adaptive_decimals(std: float) -> int:
    """Two significant digits of the std, at least three decimals, at most six."""
    return 3 if std <= 0 else min(6, max(3, 1 - int(np.floor(np.log10(std)))))


def plus_minus(mean: float, std: float, decimals: int | None = None) -> str:
    """``90.674 ± 0.394``: ``decimals`` fixed, or by default two significant digits of the std
    with at least three decimals (a std of 0.0012 is not shown as 0.001)."""
    digits = _adaptive_decimals(std) if decimals is None else decimals
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def format_mean_std(stats: Stats, decimals: int | None = None) -> str:
    """:func:`plus_minus` of :func:`mean_std` statistics; ``-`` when there is no value."""
    if not stats.get("n"):
        return "-"
    return plus_minus(float(stats["mean"]), float(stats["std"]), decimals)


def mean_std_cell(
    values: Iterable[float | None], decimals: int | None = None, ddof: int = 0
) -> str:
    """:func:`format_mean_std` of :func:`mean_std` of ``values``: one table cell."""
    return format_mean_std(mean_std(values, ddof=ddof), decimals)


def table_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for a terminal or Markdown table: every ``mean_std`` cell as ``mean ± std``."""
    return [
        {k: format_mean_std(v) if isinstance(v, dict) else v for k, v in row.items()}
        for row in rows
    ]


def markdown_table(
    header: Sequence[str], rows: Iterable[Sequence[Any]], align: str | None = None
) -> list[str]:
    """Markdown table lines: ``header``, the separator, then one line per row.

    ``align`` gives one letter per column, ``l`` (``---``) or ``r`` (``---:``); all ``l``
    when omitted. Cells are shown with ``str``.
    """
    align = align or "l" * len(header)
    if len(align) != len(header):
        raise ValueError(f"align {align!r} has {len(align)} letters for {len(header)} columns")
    separator = "|" + "".join("---:|" if a == "r" else "---|" for a in align)
    lines = ["| " + " | ".join(header) + " |", separator]
    for row in rows:
        cells = [str(cell) for cell in row]
        if len(cells) != len(header):
            raise ValueError(f"a row has {len(cells)} cells for {len(header)} columns")
        lines.append("| " + " | ".join(cells) + " |")
    return lines
