"""The published protocols of each benchmark: what a predictor ranks, what a search observes.

:data:`PREDICTION_PROTOCOLS` hold the GATES / TA-GATES ranking protocol (target, split
share, train fractions, anytime epochs) that ``archembed predict`` defaults to;
:data:`SEARCH_PROTOCOLS` say which metric a search observes and which test value it reports
(arch2vec's comparisons), for the search objectives.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricRequest:
    """One (dataset, metric, epoch) of a benchmark; ``epoch=None`` only for single-epoch metrics."""

    dataset: str
    metric: str = "val_acc"
    epoch: int | None = None

    def label(self) -> str:
        at = "" if self.epoch is None or self.epoch < 0 else f"@{self.epoch}"
        return f"{self.dataset}/{self.metric}{at}"


@dataclass(frozen=True)
class PredictionProtocol:
    """Paper defaults for ranking one benchmark: target, split share, train fractions and the
    two epochs of anytime prediction."""

    dataset: str
    metric: str
    epoch: int
    train_share: float
    fractions: tuple[float, ...]
    anytime_epochs: tuple[int, int]


PREDICTION_PROTOCOLS = {
    "nb201": PredictionProtocol(
        "cifar10-valid", "val_acc", 200, 0.5, (0.001, 0.005, 0.01, 0.05, 0.1), (12, 200)
    ),
    "nb101": PredictionProtocol(
        "cifar10", "val_acc", 108, 0.9, (0.01, 0.05, 0.1, 0.5, 1.0), (36, 108)
    ),
}

SearchProtocol = tuple[MetricRequest, MetricRequest | None]
"""The metric a search observes, and the test value it reports (None: none)."""

SEARCH_PROTOCOLS: dict[tuple[str, str], SearchProtocol] = {
    # arch2vec / NB201: search on the cifar10-valid run's validation accuracy, report the test
    # accuracy of the same cell trained on train+valid (the "cifar10" run).
    ("nb201", "cifar10-valid"): (
        MetricRequest("cifar10-valid", "val_acc", 200),
        MetricRequest("cifar10", "test_acc", 200),
    ),
    ("nb201", "cifar100"): (
        MetricRequest("cifar100", "val_acc", 200),
        MetricRequest("cifar100", "test_acc", 200),
    ),
    ("nb201", "ImageNet16-120"): (
        MetricRequest("ImageNet16-120", "val_acc", 200),
        MetricRequest("ImageNet16-120", "test_acc", 200),
    ),
    ("nb101", "cifar10"): (MetricRequest("cifar10", "val_acc", 108), None),
}


def search_protocol(benchmark: str, dataset: str) -> SearchProtocol | None:
    """The documented search protocol of a benchmark/dataset, or None when there is none."""
    if (benchmark, dataset) in SEARCH_PROTOCOLS:
        return SEARCH_PROTOCOLS[(benchmark, dataset)]
    if benchmark == "nasbench_graph":
        score = "rocauc" if dataset == "proteins" else "acc"
        return MetricRequest(dataset, f"val_{score}"), MetricRequest(dataset, f"test_{score}")
    return None


METRIC_DATASETS: dict[tuple[str, str], str] = {
    # HW-NAS-Bench measured each NB201 network once per dataset head; the cifar10-valid run
    # trains the same 10-class network as the cifar10 run, so its hardware metrics are those.
    ("nb201", "cifar10-valid"): "cifar10",
}
"""Where a metric that a dataset lacks is found: the same network under a sibling dataset."""

METRIC_UNITS = {
    "val_acc": "%",
    "test_acc": "%",
    "train_acc": "%",
    "params": "M",
    "flops": "M",
    "latency": "s",
    "train_time": "s",
}
"""Units of metrics (HW-NAS-Bench: latency in ms, energy in mJ); see :func:`metric_unit`."""


def metric_unit(metric: str) -> str:
    """The unit of a metric name ('' when unknown), e.g. ``edgegpu_latency`` -> ``ms``."""
    if metric in METRIC_UNITS:
        return METRIC_UNITS[metric]
    suffix = metric.rsplit("_", 1)[-1]
    return {"latency": "ms", "energy": "mJ"}.get(suffix, "") if "_" in metric else ""
