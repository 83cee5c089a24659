"""Importers for the NAS-Bench-201 files of the data directory (see its README).

Dataset names follow NAS-Bench-201: ``cifar10-valid`` (trained on the 25k train split;
validation on the other 25k, test on the original test set), ``cifar10`` (trained on train+valid),
``cifar100``, ``ImageNet16-120``. Accuracies are in percent.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from archembed.benchmarks.importers import NB201_SOURCES
from archembed.benchmarks.table import NO_EPOCH, SEED_MEAN, BenchmarkTable, wide_to_long
from archembed.errors import CorruptFileError, DataNotFoundError
from archembed.spaces.nb201 import NB201Space

if TYPE_CHECKING:
    import pandas as pd

DATASETS = ("cifar10-valid", "cifar100", "ImageNet16-120")
PERSEED = {"cifar10": "cifar10-valid", "cifar100": "cifar100", "imagenet": "ImageNet16-120"}
HW_DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
ZC_DATASETS = ("cifar10", "ImageNet16-120")
TWELVE_EPOCH = {
    "cifar10-val": ("cifar10-valid", "val_acc"),
    "cifar10-test": ("cifar10", "test_acc"),
    "cifar100-val": ("cifar100", "val_acc"),
    "cifar100-test": ("cifar100", "test_acc"),
    "imagenet-val": ("ImageNet16-120", "val_acc"),
    "imagenet-test": ("ImageNet16-120", "test_acc"),
}
"""12-epoch columns. ``cifar10-test`` comes from the train+valid ``cifar10`` run: it sits
several points above the cifar10-valid validation accuracy, as 200-epoch cifar10 test does."""

SOURCES = NB201_SOURCES
"""The files :func:`import_nb201` reads (registered with the importer)."""
ZC_PROXIES = (
    "epe_nas",
    "fisher",
    "flops",
    "grad_norm",
    "grasp",
    "jacov",
    "l2_norm",
    "nwot",
    "params",
    "plain",
    "snip",
    "synflow",
    "zen",
)
HW_METRICS = (
    "edgegpu_latency",
    "edgegpu_energy",
    "raspi4_latency",
    "edgetpu_latency",
    "pixel3_latency",
    "eyeriss_latency",
    "eyeriss_energy",
    "eyeriss_arithmetic_intensity",
    "fpga_latency",
    "fpga_energy",
)


def read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """Read a source CSV and check its columns (a UserError names the file and the problem)."""
    import pandas as pd

    if not path.is_file():
        raise DataNotFoundError(f"benchmark source {path} is missing")
    try:
        frame = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorruptFileError(f"cannot parse {path}: {exc}") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise CorruptFileError(
            f"{path} lacks columns {missing}; is it truncated or a different file?"
        )
    return frame


def _ids_from_strings(space: NB201Space, strings: pd.Series) -> list[str]:
    return [space.identity(space.from_native(s)) for s in strings]


def _ids_from_naslib(space: NB201Space, tuples: pd.Series) -> list[str]:
    return [space.identity(space.from_naslib(t)) for t in tuples]


def import_nb201(root: Path) -> BenchmarkTable:
    import pandas as pd

    space = NB201Space()
    all_graphs = space.enumerate()
    archs = pd.DataFrame(
        {
            "arch": [space.identity(g) for g in all_graphs],
            "native": [space.to_native(g) for g in all_graphs],
        }
    )
    by_string = dict(zip(archs["native"], archs["arch"]))
    parts = []
    for dataset in DATASETS:
        frame = read_csv(
            root / f"nb201/nb201_{dataset}_200ep.csv",
            ("arch str", "train accuracy", "validation accuracy", "test accuracy"),
        )
        frame["id"] = frame["arch str"].map(by_string)
        _check_ids(frame, "arch str", root / f"nb201/nb201_{dataset}_200ep.csv")
        columns = {
            "train accuracy": (dataset, "train_acc", 200, SEED_MEAN),
            "validation accuracy": (dataset, "val_acc", 200, SEED_MEAN),
            "test accuracy": (dataset, "test_acc", 200, SEED_MEAN),
        }
        parts.append(wide_to_long(frame, "id", columns))

    frame = read_csv(
        root / "nb201/nb201_test_200ep_3datasets.csv",
        ("ArchitectureString", "CIFAR10TestAccuracy200Epochs"),
    )
    frame["id"] = frame["ArchitectureString"].map(by_string)
    _check_ids(frame, "ArchitectureString", root / "nb201/nb201_test_200ep_3datasets.csv")
    parts.append(
        wide_to_long(
            frame, "id", {"CIFAR10TestAccuracy200Epochs": ("cifar10", "test_acc", 200, SEED_MEAN)}
        )
    )

    frame = read_csv(root / "nb201/nb201_12ep_3datasets.csv", ("cellstr", *TWELVE_EPOCH))
    frame["id"] = frame["cellstr"].map(by_string)
    _check_ids(frame, "cellstr", root / "nb201/nb201_12ep_3datasets.csv")
    parts.append(
        wide_to_long(frame, "id", {c: (d, m, 12, SEED_MEAN) for c, (d, m) in TWELVE_EPOCH.items()})
    )

    seed_columns = ("val_acc_seed_a", "val_acc_seed_b", "val_acc_seed_c")
    for key, dataset in PERSEED.items():
        path = root / f"nb201/nb201_{key}_valacc200_perseed.csv"
        frame = read_csv(path, ("arch_str", *seed_columns))
        frame["id"] = frame["arch_str"].map(by_string)
        _check_ids(frame, "arch_str", path)
        parts.append(
            wide_to_long(
                frame,
                "id",
                {c: (dataset, "val_acc", 200, seed) for seed, c in enumerate(seed_columns)},
            )
        )

    for dataset in HW_DATASETS:
        path = root / f"nb201/nb201_hw_{dataset}.csv"
        frame = read_csv(path, ("net", *HW_METRICS))
        frame["id"] = _ids_from_naslib(space, frame["net"])
        parts.append(
            wide_to_long(frame, "id", {m: (dataset, m, NO_EPOCH, SEED_MEAN) for m in HW_METRICS})
        )

    for dataset in ZC_DATASETS:
        path = root / f"nb201/nb201_{dataset}_zc_proxies.csv"
        frame = read_csv(path, ("net", *ZC_PROXIES))
        frame["id"] = _ids_from_naslib(space, frame["net"])
        columns = {
            p: (dataset, p if p in ("params", "flops") else f"zc_{p}", NO_EPOCH, SEED_MEAN)
            for p in ZC_PROXIES
        }
        parts.append(wide_to_long(frame, "id", columns))

    values = pd.concat(parts, ignore_index=True)
    return BenchmarkTable(name="nb201", space="nb201", archs=archs, values=values)


def _check_ids(frame: pd.DataFrame, column: str, path: Path) -> None:
    bad = frame["id"].isna()
    if bad.any():
        example = frame.loc[bad, column].iloc[0]
        raise CorruptFileError(
            f"{path}: {int(bad.sum())} rows are not NB201 strings, e.g. {example!r}"
        )


def import_tagates_split(root: Path) -> BenchmarkTable:
    import pandas as pd

    space = NB201Space()
    parts, natives = [], {}
    for split in ("train", "test"):
        path = root / f"nb201/ta_gates_nb201_{split}.csv"
        frame = read_csv(path, ("net", "val_accs"))
        graphs = [space.from_naslib(t) for t in frame["net"]]
        frame["id"] = [space.identity(g) for g in graphs]
        natives.update({space.identity(g): space.to_native(g) for g in graphs})
        parts.append(wide_to_long(frame, "id", {"val_accs": (split, "val_acc", 200, SEED_MEAN)}))
    archs = pd.DataFrame({"arch": list(natives), "native": list(natives.values())})
    return BenchmarkTable(
        name="nb201-tagates", space="nb201", archs=archs, values=pd.concat(parts, ignore_index=True)
    )
