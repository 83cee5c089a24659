"""Which (dataset, metric, epoch, seed) combinations a benchmark holds, without its table.

A :class:`GroupIndex` is built from the group keys of a table (or from the cache's JSON
metadata, so ``archembed data list`` and ``query`` need no table load); it answers what exists
and validates requests with the same messages everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from archembed.errors import AmbiguousRequestError, InvalidArchitectureError, UnknownNameError

NO_EPOCH = -1
SEED_MEAN = -1

GroupKey = tuple[str, str, int, int]


class GroupIndex:
    """The groups of benchmark ``name`` and their sizes (number of architectures with a value)."""

    def __init__(self, name: str, sizes: Iterable[tuple[GroupKey, int]]) -> None:
        self.name = name
        self.sizes: dict[GroupKey, int] = {
            (str(d), str(m), int(e), int(s)): int(n) for (d, m, e, s), n in sorted(sizes)
        }

    @classmethod
    def from_rows(cls, name: str, rows: Iterable[list[object]]) -> GroupIndex:
        """From JSON rows ``[dataset, metric, epoch, seed, size]``."""
        return cls(name, [((d, m, e, s), n) for d, m, e, s, n in rows])  # type: ignore[misc]

    def to_rows(self) -> list[list[object]]:
        """JSON rows ``[dataset, metric, epoch, seed, size]``, in key order."""
        return [[*key, size] for key, size in self.sizes.items()]

    def datasets(self) -> list[str]:
        return sorted({d for d, _, _, _ in self.sizes})

    def metrics(self, dataset: str) -> list[str]:
        self._check_dataset(dataset)
        return sorted({m for d, m, _, _ in self.sizes if d == dataset})

    def epochs(self, dataset: str, metric: str) -> list[int]:
        """Epochs at which ``metric`` exists (-1 for epoch-independent quantities)."""
        self._check_metric(dataset, metric)
        return sorted({e for d, m, e, _ in self.sizes if d == dataset and m == metric})

    def seeds(self, dataset: str, metric: str, epoch: int) -> list[int]:
        """Training seeds stored for a metric (-1 is the seed mean)."""
        return sorted({s for d, m, e, s in self.sizes if (d, m, e) == (dataset, metric, epoch)})

    def describe(self) -> list[dict[str, object]]:
        """One row per dataset/metric: unit, epochs, seeds and number of architectures."""
        from archembed.benchmarks.protocols import metric_unit

        pairs: dict[tuple[str, str], list[GroupKey]] = {}
        for key in self.sizes:
            pairs.setdefault(key[:2], []).append(key)
        return [
            {
                "dataset": dataset,
                "metric": metric,
                "unit": metric_unit(metric),
                "epochs": sorted({k[2] for k in keys}),
                "seeds": sorted({k[3] for k in keys}),
                "archs": self.sizes[keys[0]],
            }
            for (dataset, metric), keys in pairs.items()
        ]

    def default_dataset(self, dataset: str | None, option: str = "--dataset") -> str:
        """``dataset``, else the only dataset; several: an error listing them and ``option``."""
        if dataset is not None:
            return dataset
        datasets = self.datasets()
        if len(datasets) != 1:
            raise AmbiguousRequestError(
                f"benchmark {self.name!r} has {len(datasets)} datasets ({', '.join(datasets)}): "
                f"choose one with {option}"
            )
        return datasets[0]

    def default_metric(self, dataset: str, metric: str | None, fallback: str = "val_acc") -> str:
        """``metric``, else ``fallback`` when the dataset has it, else its only metric."""
        if metric is not None:
            return metric
        metrics = self.metrics(dataset)
        if fallback in metrics or len(metrics) != 1:
            return fallback
        return metrics[0]

    def _check_dataset(self, dataset: str) -> None:
        if dataset not in self.datasets():
            raise UnknownNameError(f"dataset of benchmark {self.name!r}", dataset, self.datasets())

    def _check_metric(self, dataset: str, metric: str) -> None:
        known = self.metrics(dataset)
        if metric not in known:
            kind = f"metric for {self.name}/{dataset}"
            if metric.startswith("test") and not any(m.startswith("test") for m in known):
                kind += " (it has no test split)"
            raise UnknownNameError(kind, metric, known)

    def resolve(
        self, dataset: str, metric: str, epoch: int | None = None, seed: int | None = None
    ) -> GroupKey:
        """Validate a (dataset, metric, epoch, seed) request and fill in the unambiguous parts."""
        epochs = self.epochs(dataset, metric)
        if epoch is None:
            if len(epochs) != 1:
                raise AmbiguousRequestError(
                    f"{self.name}/{dataset}/{metric} exists at epochs {epochs}: choose one "
                    "(--epoch / epoch=)"
                )
            epoch = epochs[0]
        elif epoch not in epochs:
            if epochs == [NO_EPOCH]:
                raise UnknownNameError(
                    f"epoch for {self.name}/{dataset}/{metric} (it does not depend on epochs; "
                    "omit --epoch)",
                    epoch,
                    [],
                )
            raise UnknownNameError(f"epoch for {self.name}/{dataset}/{metric}", epoch, epochs)
        wanted = SEED_MEAN if seed is None else seed
        seeds = self.seeds(dataset, metric, epoch)
        if wanted not in seeds:
            label = "seed mean" if seed is None else f"seed {seed}"
            raise UnknownNameError(
                f"{label} for {self.name}/{dataset}/{metric}/epoch {epoch}; available seeds",
                wanted,
                [s for s in seeds if s != SEED_MEAN] + (["mean"] if SEED_MEAN in seeds else []),
            )
        return dataset, metric, int(epoch), int(wanted)

    def missing_error(
        self, missing: int, total: int, dataset: str, metric: str
    ) -> InvalidArchitectureError:
        """The error for ``missing`` of ``total`` queried architectures without a value."""
        return InvalidArchitectureError(
            f"{missing} of {total} architectures have no {metric} for "
            f"{self.name}/{dataset}; query only architectures of labels() for that metric"
        )
