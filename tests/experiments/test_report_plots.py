"""Regret plots: written by the report, linear axes with units, mean ± std bands, plain zeros."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from tests.experiments.fake_runs import write_finished_run

from archembed.experiments.report import write_report
from archembed.viz.regret import (
    BAND_TITLE,
    plain_number,
    regret_cdf_figure,
    regret_curves_figure,
    regret_label,
    zero_clipped,
)

PNG = b"\x89PNG\r\n\x1a\n"


def drawn(figure):
    """The figure rendered once, so tick labels and the legend exist."""
    FigureCanvasAgg(figure).draw()
    return figure


def tick_labels(axis) -> list[str]:
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def legend_texts(figure) -> list[str]:
    (legend,) = figure.legends
    return [legend.get_title().get_text()] + [t.get_text() for t in legend.get_texts()]


def curves_with_round_off(seeds: int = 3, queries: int = 20) -> dict:
    """Regret falling to a floating-point residue of zero (optimum - value = 1.11e-16)."""
    regret = np.tile(np.linspace(0.02, 0.0, queries), (seeds, 1))
    regret[:, -5:] = 1.1102230246251565e-16
    x = np.arange(1, queries + 1)
    return {"nb201-random": (x, regret), "nb201-bo-arch2vec": (x, regret * 0.5)}


def test_round_off_around_zero_becomes_exactly_zero():
    values = zero_clipped(np.array([1.11e-16, -2e-17, 0.004, np.nan]))
    assert values[:2].tolist() == [0.0, 0.0] and values[2] == 0.004 and np.isnan(values[3])


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.11e-16, "0"),
        (-0.0, "0"),
        (0.30000000000000004, "0.3"),
        (5e-4, "0.0005"),
        (2.5e5, "250,000"),
    ],
)
def test_tick_labels_are_plain_numbers(value, text):
    assert plain_number(value) == text


@pytest.mark.parametrize(
    ("metric", "scale", "label"),
    [
        ("val_acc", 91.6, "validation accuracy regret (percentage points)"),
        ("val_acc", 0.73, "validation accuracy regret (fraction: 0.01 = 1 percentage point)"),
        ("val_rocauc", 0.85, "validation ROC-AUC regret (fraction: 0.01 = 1 percentage point)"),
        ("loss", 2.0, "loss regret (units of loss)"),
    ],
)
def test_regret_labels_name_the_metric_and_its_unit(metric, scale, label):
    assert regret_label(metric, scale) == label


def test_regret_curves_are_linear_start_at_zero_and_print_zero_as_0():
    figure = drawn(regret_curves_figure(curves_with_round_off(), ylabel="val regret (pp)"))
    (ax,) = figure.axes
    assert (ax.get_xscale(), ax.get_yscale()) == ("linear", "linear")
    assert ax.get_ylim()[0] == 0.0
    labels = tick_labels(ax.yaxis)
    assert "0" in labels and not any("e" in label for label in labels)
    assert ax.get_ylabel() == "val regret\n(pp)" and ax.get_xlabel() == "queries"
    means = [line.get_ydata()[-1] for line in ax.get_lines()]
    assert means == [0.0, 0.0]


def test_regret_bands_are_labelled_as_the_tables_and_keep_the_run_names():
    figure = drawn(regret_curves_figure(curves_with_round_off(seeds=4)))
    texts = legend_texts(figure)
    assert texts[0] == BAND_TITLE and "mean ± std" in texts[0] and "error" not in texts[0]
    assert texts[1:] == ["nb201-random (4 seeds)", "nb201-bo-arch2vec (4 seeds)"]
    (ax,) = figure.axes
    assert ax.get_legend() is None  # the legend sits below the axes, never over the curves


def test_band_is_mean_plus_minus_population_std_cut_at_zero():
    values = np.array([[0.0, 0.2], [0.2, 0.4]])
    figure = regret_curves_figure({"run": (np.array([1, 2]), values)})
    (ax,) = figure.axes
    (band,) = ax.collections
    vertices = band.get_paths()[0].vertices
    assert vertices[:, 1].max() == pytest.approx(0.4)  # 0.3 + std 0.1 at x=2
    assert vertices[:, 1].min() == pytest.approx(0.0)  # 0.1 - 0.1, never below 0


def test_early_spikes_cut_the_axis_and_say_so():
    x = np.arange(1, 101)
    regret = np.tile(np.r_[[0.5] * 5, np.full(95, 0.01)], (2, 1))
    (ax,) = drawn(regret_curves_figure({"run": (x, regret)})).axes
    assert ax.get_ylim()[1] == pytest.approx(0.011)
    assert [t.get_text() for t in ax.texts] == ["y axis cut: early values reach 0.5"]


def test_cdf_curves_differ_in_colour_style_and_marker():
    finals = {"random": np.array([0.0, 0.004, 1.1e-16]), "bo": np.array([0.0, 0.0, 0.002])}
    figure = drawn(regret_cdf_figure(finals, xlabel="final regret"))
    (ax,) = figure.axes
    lines = ax.get_lines()
    styles = {(line.get_color(), line.get_linestyle(), line.get_marker()) for line in lines}
    assert len(styles) == 2
    assert all(line.get_ydata()[-1] == 1.0 for line in lines)
    assert lines[0].get_xdata()[0] == 0.0  # the round-off seed counts as zero regret
    assert "0" in tick_labels(ax.xaxis) and not any("e" in t for t in tick_labels(ax.xaxis))
    assert legend_texts(figure)[1:] == ["random (3 seeds)", "bo (3 seeds)"]


def test_report_writes_both_plots_as_pngs(tmp_path):
    write_finished_run(tmp_path / "runs" / "nb201-random", queries=12, seeds=(0, 1, 2))
    write_finished_run(tmp_path / "runs" / "nb201-bo", queries=12)
    write_report([tmp_path / "runs"], tmp_path / "report")
    report = (tmp_path / "report" / "report.md").read_text()
    for name in ("regret_queries_0.png", "regret_cdf_0.png"):
        assert f"![{name}]({name})" in report
        assert (tmp_path / "report" / name).read_bytes()[:8] == PNG
