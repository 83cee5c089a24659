"""The built-in importers are registered without importing their modules."""

from __future__ import annotations

from archembed.benchmarks.catalog import IMPORTERS, benchmark_names


def test_nb201_registers_exactly_the_files_its_importer_reads():
    from archembed.benchmarks.importers import nb201

    read = {
        *(f"nb201/nb201_{d}_200ep.csv" for d in nb201.DATASETS),
        "nb201/nb201_test_200ep_3datasets.csv",
        "nb201/nb201_12ep_3datasets.csv",
        *(f"nb201/nb201_{k}_valacc200_perseed.csv" for k in nb201.PERSEED),
        *(f"nb201/nb201_hw_{d}.csv" for d in nb201.HW_DATASETS),
        *(f"nb201/nb201_{d}_zc_proxies.csv" for d in nb201.ZC_DATASETS),
    }
    assert set(IMPORTERS.get("nb201").sources) == read


def test_every_built_in_builds_through_its_module():
    from importlib import import_module

    for name in benchmark_names():
        if name in IMPORTERS:
            module, function = IMPORTERS.get(name).build.__qualname__.split(".")
            assert callable(
                getattr(import_module(f"archembed.benchmarks.importers.{module}"), function)
            )
