"""The built-in benchmark importers, registered by name with their space and source files.

Registration is light: an importer's module (pandas, NumPy, its search space) is imported only
when its benchmark is built, so listing benchmarks and checking a cache stay fast.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from archembed.benchmarks.catalog import IMPORTERS, Importer

if TYPE_CHECKING:
    from archembed.benchmarks.table import BenchmarkTable

NB201_SOURCES = (
    "nb201/nb201_cifar10-valid_200ep.csv",
    "nb201/nb201_cifar100_200ep.csv",
    "nb201/nb201_ImageNet16-120_200ep.csv",
    "nb201/nb201_test_200ep_3datasets.csv",
    "nb201/nb201_12ep_3datasets.csv",
    "nb201/nb201_cifar10_valacc200_perseed.csv",
    "nb201/nb201_cifar100_valacc200_perseed.csv",
    "nb201/nb201_imagenet_valacc200_perseed.csv",
    "nb201/nb201_hw_cifar10.csv",
    "nb201/nb201_hw_cifar100.csv",
    "nb201/nb201_hw_ImageNet16-120.csv",
    "nb201/nb201_cifar10_zc_proxies.csv",
    "nb201/nb201_ImageNet16-120_zc_proxies.csv",
)
NB101_SOURCES = ("nb101/nb101_data-1k.json", "nb101/nb101_data-10k.json")
NB101_NASLIB_SOURCE = "nb101/naslib_zc_nasbench101.json"
NATS_SSS_SOURCE = "nats_sss/nats_sss_90ep_valid.csv"


def _deferred(module: str, function: str) -> Callable[[Path], BenchmarkTable]:
    """``function`` of importer ``module``, imported when the benchmark is first built."""

    def build(root: Path) -> BenchmarkTable:
        return getattr(import_module(f"{__name__}.{module}"), function)(root)

    build.__qualname__ = f"{module}.{function}"
    return build


BUILT_IN = (
    Importer(
        "nasbench_graph",
        "nasbench_graph",
        (),
        _deferred("nasbench_graph", "import_nasbench_graph"),
        needs_data_dir=False,
        description="NAS-Bench-Graph (from the nas_bench_graph package): 26,206 GNNs on 9 graph "
        "datasets, validation/test performance, latency, parameters",
    ),
    Importer(
        "naslib-nb101",
        "nb101",
        (NB101_NASLIB_SOURCE,),
        _deferred("nb101", "import_naslib_nb101"),
        description="NASLib's NAS-Bench-101 zero-cost proxies, params, flops and 108-epoch "
        "validation accuracy (500 samples, 292 distinct cells; duplicates averaged)",
    ),
    Importer(
        "naslib-nb201",
        "nb201",
        ("nb201/naslib_zc_nasbench201.json",),
        _deferred("naslib", "import_naslib_nb201"),
        description="NASLib zero-cost proxies, params, flops and val_accuracy (200 epochs) of "
        "491 NB201 cells on cifar10, cifar100, ImageNet16-120",
    ),
    Importer(
        "naslib-nb301",
        "darts",
        ("nb301/naslib_zc_nasbench301.json",),
        _deferred("naslib", "import_naslib_nb301"),
        description="NASLib zero-cost proxies, params, flops and val_accuracy (100 epochs) of "
        "500 NAS-Bench-301 genotypes on cifar10",
    ),
    Importer(
        "nats_sss",
        "nats_sss",
        (NATS_SSS_SOURCE,),
        _deferred("nats_sss", "import_nats_sss"),
        description="NATS-Bench size space (32,768 channel configurations): 90-epoch "
        "validation accuracy on cifar10-valid, cifar100, ImageNet16-120; no test split",
    ),
    Importer(
        "nb101",
        "nb101",
        NB101_SOURCES,
        _deferred("nb101", "import_nb101"),
        description="NAS-Bench-101 (11k cells): validation accuracy at 4/12/36/108 epochs "
        "(one training repeat), 108-epoch training time, parameters",
    ),
    Importer(
        "nb201",
        "nb201",
        NB201_SOURCES,
        _deferred("nb201", "import_nb201"),
        description="NAS-Bench-201: 200/12-epoch accuracies, per-seed validation, HW-NAS-Bench, "
        "zero-cost proxies",
    ),
    Importer(
        "tnb101_micro",
        "nb201",
        ("transnas101/tnb101_micro_val.csv",),
        _deferred("tnb101", "import_tnb101_micro"),
        description="TransNAS-Bench-101 micro: all 4,096 cells (NB201 strings over 4 ops) x 7 "
        "tasks, NASLib's val_accuracy (room_layout: a negated loss; higher is better)",
    ),
    Importer(
        "nb201-tagates",
        "nb201",
        ("nb201/ta_gates_nb201_train.csv", "nb201/ta_gates_nb201_test.csv"),
        _deferred("nb201", "import_tagates_split"),
        description="the train/test split of a public TA-GATES reproduction (accuracy as a "
        "fraction)",
    ),
)
for _importer in BUILT_IN:
    IMPORTERS.register(_importer.name)(_importer)
