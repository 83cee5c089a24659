"""The encoder `bo` searches on NB201 when none is named, and zcstats' proxy file per dataset."""

from __future__ import annotations

import pytest

from archembed.encoders.zero_cost import proxy_dataset
from archembed.errors import ConfigError
from archembed.experiments.config import parse_config
from archembed.experiments.encoders import new_encoder
from archembed.experiments.runner import plan_runs
from archembed.spaces.base import get_space


def planned(tmp_path, benchmarks, strategy="bo", encoders=()):
    config = parse_config(
        {
            "name": "defaults",
            "benchmarks": benchmarks,
            "strategies": [strategy],
            "encoders": list(encoders),
            "seeds": 1,
            "queries": 12,
        }
    )
    return plan_runs(config, tmp_path)


@pytest.mark.parametrize(
    ("space", "dataset", "expected"),
    [
        ("nb201", "cifar10-valid", "cifar10"),
        ("nb201", "cifar10", "cifar10"),
        ("nb201", "cifar100", "cifar10"),
        ("nb201", "ImageNet16-120", "ImageNet16-120"),
        ("nb101", "cifar10", None),
    ],
)
def test_the_proxy_file_is_the_searched_datasets_where_one_is_shipped(space, dataset, expected):
    assert proxy_dataset(space, dataset) == expected


def test_bo_without_an_encoder_searches_zcstats_with_each_datasets_proxies(data_root, tmp_path):
    runs = planned(tmp_path, ["nb201/cifar10-valid", "nb201/cifar100", "nb201/ImageNet16-120"])
    assert [run.encoder.encoder_kind for run in runs] == ["zcstats"] * 3
    assert [run.encoder.pretrain for run in runs] == [None, None, {"zc_dataset": "ImageNet16-120"}]
    assert new_encoder(runs[2].encoder, get_space("nb201")).zc_dataset == "ImageNet16-120"
    assert new_encoder(runs[0].encoder, get_space("nb201")).zc_dataset == "cifar10"


def test_a_named_encoder_or_proxy_file_is_kept(data_root, tmp_path):
    named = {"name": "zc", "kind": "zcstats", "pretrain": {"zc_dataset": "cifar10"}}
    runs = planned(tmp_path, ["nb201/ImageNet16-120"], encoders=["onehot", named, "zcstats"])
    assert [(r.encoder.name, r.encoder.pretrain) for r in runs] == [
        ("onehot", None),
        ("zc", {"zc_dataset": "cifar10"}),
        ("zcstats", {"zc_dataset": "ImageNet16-120"}),
    ]


@pytest.mark.parametrize(
    ("benchmark", "strategy"), [("nb101/cifar10", "bo"), ("nb201/cifar10-valid", "dngo")]
)
def test_other_spaces_and_strategies_still_need_an_encoder(
    data_root, tmp_path, benchmark, strategy
):
    with pytest.raises(ConfigError, match="needs an encoder"):
        planned(tmp_path, [benchmark], strategy=strategy)
