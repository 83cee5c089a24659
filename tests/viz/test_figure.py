"""Atomic PNG writing of figures."""

from __future__ import annotations

from archembed.viz.figure import new_figure, save_figure


def test_save_figure_writes_a_png(tmp_path) -> None:
    figure = new_figure()
    figure.add_subplot().plot([0, 1], [1, 0])
    path = save_figure(figure, tmp_path / "plots" / "line.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["line.png"]
