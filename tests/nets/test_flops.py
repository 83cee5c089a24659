"""FLOP counts: the published NB201 and NB101 ``flops`` columns, reproduced exactly."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from torch import nn

from archembed.benchmarks.importers.nb101 import decode_naslib
from archembed.nets.build import NetSetting, build_network
from archembed.nets.flops import count_flops
from archembed.spaces import get_space

NB201 = get_space("nb201")
NB201_FILES = {  # published file -> official network and input of that dataset
    "nb201_cifar10_zc_proxies.csv": NetSetting(16, 5, num_classes=10, input_size=32),
    "nb201_ImageNet16-120_zc_proxies.csv": NetSetting(16, 5, num_classes=120, input_size=16),
}


def _cells(table: pd.DataFrame) -> list[int]:
    """A handful of rows: the cheapest and dearest cells plus fixed spread-out rows."""
    return sorted({int(table["flops"].idxmin()), int(table["flops"].idxmax()), 0, 7, 100, 5000})


@pytest.mark.parametrize("filename", sorted(NB201_FILES))
def test_nb201_flops_equal_the_published_column(data_root, filename):
    setting = NB201_FILES[filename]
    table = pd.read_csv(data_root / "nb201" / filename)
    for row in _cells(table):
        graph = NB201.from_naslib(table["net"][row])
        ours = count_flops(build_network("nb201", graph, setting), setting.input_size)
        assert ours == round(table["flops"][row] * 1e6), (filename, row)


def test_nb101_flops_equal_the_published_column(data_root):
    path = data_root / "nb101" / "naslib_zc_nasbench101.json"
    cells = json.loads(path.read_text())["nasbench101"]["cifar10"]
    space = get_space("nb101")
    for text in list(cells)[:4]:
        net = build_network("nb101", decode_naslib(space, text), "official")
        assert count_flops(net, 32) == round(cells[text]["flops"] * 1e6), text


def test_head_rules_of_the_published_counter():
    # global pool over 8x8: (8 + 1) * (8 + 1) per channel; linear: weights only, no bias
    head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
    assert count_flops(head, input_size=8, in_channels=4) == 4 * 81 + 4 * 3
    # 2x2 bins over 5x5: extents 3 and 3 (overlapping) per axis -> 4 bins of 4 * 4 per channel
    assert count_flops(nn.AdaptiveAvgPool2d(2), input_size=5, in_channels=1) == 4 * 16
    # conv bias is counted (one per output element)
    conv = nn.Conv2d(2, 3, 3, padding=1)
    assert count_flops(conv, input_size=4, in_channels=2) == 3 * 16 * (9 * 2 + 1)
