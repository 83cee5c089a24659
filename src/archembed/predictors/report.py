"""Result tables of the prediction protocol: Markdown (mean ± std) and JSON."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from archembed import tables
from archembed.io import atomic_path, write_json


def _cell(mean: float, std: float) -> str:
    if math.isnan(mean):
        return "–"
    return f"{mean:.4f}" if math.isnan(std) else tables.plus_minus(mean, std, 4)


def markdown_table(summary: pd.DataFrame, metric: str = "kendall_tau") -> str:
    """One table per target: a row per predictor, a column per train fraction (n archs)."""
    blocks = []
    for target, rows in summary.groupby("target", sort=False):
        fractions = sorted(rows["fraction"].unique())
        sizes = {f: int(rows.loc[rows["fraction"] == f, "n_train"].iloc[0]) for f in fractions}
        header = ["predictor", *[f"{f:.4g} ({sizes[f]})" for f in fractions]]
        lines = [
            f"**{metric}, {target}** (mean ± std over {int(rows['seeds'].max())} seeds)",
            "",
        ]
        cells = []
        for encoder, group in rows.groupby("encoder", sort=False):
            by_fraction = group.set_index("fraction")
            row = [
                _cell(by_fraction.at[f, f"{metric}_mean"], by_fraction.at[f, f"{metric}_std"])
                if f in by_fraction.index
                else "–"
                for f in fractions
            ]
            cells.append([encoder, *row])
        blocks.append("\n".join([*lines, *tables.markdown_table(header, cells)]))
    return "\n\n".join(blocks) + "\n"


def _json_ready(row: dict[str, Any]) -> dict[str, Any]:
    """Drop stored predictions; NaN (a metric that does not apply) becomes null."""
    return {
        k: None if isinstance(v, float) and math.isnan(v) else v
        for k, v in row.items()
        if k != "predictions"
    }


def write_report(
    out_dir: str | os.PathLike[str],
    config: dict[str, Any],
    summary: pd.DataFrame,
    records: Sequence[dict[str, Any]],
) -> dict[str, Path]:
    """``results.md`` (Kendall tau, Spearman and P@5% tables) and ``results.json``."""
    directory = Path(out_dir)
    markdown = directory / "results.md"
    with atomic_path(markdown) as tmp:
        tmp.write_text(
            "\n".join(
                markdown_table(summary, metric)
                for metric in ("kendall_tau", "spearman", "p@5%")
                if f"{metric}_mean" in summary.columns
            )
        )
    payload = {
        "config": config,
        "summary": [_json_ready(row) for row in summary.to_dict(orient="records")],
        "runs": [_json_ready(r) for r in records],
    }
    write_json(directory / "results.json", payload)
    return {"markdown": markdown, "json": directory / "results.json"}
