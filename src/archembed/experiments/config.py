"""Experiment configuration: benchmarks x encoders x strategies x seeds, from YAML.

Validated with pydantic; any mistake raises ConfigError naming the field, e.g.
``experiment.yaml: strategies.0.params: ...``. See ``examples/*.yaml`` and docs/search.md.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from archembed.errors import ConfigError, DataNotFoundError
from archembed.search.objectives import MetricRequest, default_protocol


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MetricSpec(Strict):
    dataset: str
    metric: str
    epoch: int | None = None

    def request(self) -> MetricRequest:
        return MetricRequest(self.dataset, self.metric, self.epoch)


class BenchmarkSpec(Strict):
    """A benchmark objective. ``name`` may be ``benchmark/dataset`` (e.g. ``nb201/cifar10-valid``).

    Without ``metric``/``test`` the documented protocol of that benchmark/dataset is used
    (:data:`archembed.search.objectives.PROTOCOLS`); ``test: null`` reports no test value.
    """

    name: str
    dataset: str | None = None
    metric: str | None = None
    epoch: int | None = None
    test: MetricSpec | Literal["default"] | None = "default"
    noise: bool = False

    @model_validator(mode="after")
    def _split_name(self) -> BenchmarkSpec:
        if "/" in self.name:
            bench, dataset = self.name.split("/", 1)
            if self.dataset not in (None, dataset):
                raise ValueError(f"name says dataset {dataset!r} but dataset is {self.dataset!r}")
            self.name, self.dataset = bench, dataset
        if not self.dataset:
            raise ValueError("give the dataset: name 'benchmark/dataset' or dataset: ...")
        return self

    @property
    def label(self) -> str:
        return f"{self.name}/{self.dataset}" + ("+noise" if self.noise else "")

    def requests(self) -> tuple[MetricRequest, MetricRequest | None]:
        """The search metric and the test metric (protocol defaults filled in)."""
        assert self.dataset is not None
        protocol = default_protocol(self.name, self.dataset)
        if self.metric is not None:
            search = MetricRequest(self.dataset, self.metric, self.epoch)
        elif protocol is not None:
            search = protocol[0]
        else:
            search = MetricRequest(self.dataset, "val_acc", self.epoch)
        if self.test == "default":
            test = protocol[1] if protocol is not None and self.metric is None else None
        else:
            test = self.test.request() if self.test is not None else None
        return search, test


class EncoderSpec(Strict):
    """An embedding: a registered encoder by ``kind`` (default: ``name``), fitted on the space
    with ``pretrain`` parameters, or a saved model directory ``model``."""

    name: str
    kind: str | None = None
    model: Path | None = None
    pretrain: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> EncoderSpec:
        if self.model is not None and (self.pretrain is not None or self.kind is not None):
            raise ValueError("give either model (a saved encoder) or kind/pretrain, not both")
        return self

    @property
    def encoder_kind(self) -> str:
        return self.kind or self.name


class StrategySpec(Strict):
    """A strategy by registered ``name`` with ``params``; ``label`` tells variants apart;
    ``encoders`` limits which encoders an embedding strategy runs with (default: all)."""

    name: str
    label: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    encoders: list[str] | None = None

    @property
    def run_label(self) -> str:
        return self.label or self.name


class ExperimentConfig(Strict):
    """Everything a set of runs needs; ``seeds`` is a count (0..n-1) or an explicit list."""

    name: str
    benchmarks: list[BenchmarkSpec] = Field(min_length=1)
    strategies: list[StrategySpec] = Field(min_length=1)
    encoders: list[EncoderSpec] = Field(default_factory=list)
    seeds: int | list[int] = 10
    queries: int | None = Field(default=100, ge=1)
    seconds: float | None = Field(default=None, gt=0)
    batch_size: int | None = Field(default=None, ge=1)
    workers: int = Field(default=2, ge=1)
    executor: Literal["local", "ray"] = "local"
    address: str | None = None
    out: Path | None = None

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9._-]+", value):
            raise ValueError("use letters, digits, '.', '_' and '-' only (it names a directory)")
        return value

    @field_validator("benchmarks", mode="before")
    @classmethod
    def _benchmark_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("strategies", "encoders", mode="before")
    @classmethod
    def _name_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, value: int | list[int]) -> int | list[int]:
        if isinstance(value, int) and value < 1:
            raise ValueError("seeds must be >= 1 (a count) or a list of seeds")
        if isinstance(value, list) and (not value or len(set(value)) != len(value)):
            raise ValueError("seeds list must be non-empty without repeats")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ExperimentConfig:
        if self.queries is None and self.seconds is None:
            raise ValueError("set queries and/or seconds (the budget)")
        names = [e.name for e in self.encoders]
        if len(set(names)) != len(names):
            raise ValueError(f"encoder names must be unique, got {names}")
        labels = [s.run_label for s in self.strategies]
        if len(set(labels)) != len(labels):
            raise ValueError(f"strategy labels must be unique (set label:), got {labels}")
        for i, strategy in enumerate(self.strategies):
            unknown = sorted(set(strategy.encoders or []) - set(names))
            if unknown:
                raise ValueError(f"strategies.{i}.encoders: {unknown[0]!r} is not an encoder name")
        return self

    def seed_list(self) -> list[int]:
        return list(range(self.seeds)) if isinstance(self.seeds, int) else list(self.seeds)


def parse_config(data: Any, source: str = "config") -> ExperimentConfig:
    """Validate a mapping; errors name the offending field."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of settings, got {type(data).__name__}")
    try:
        return ExperimentConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        message = first["msg"].removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{source}: {where}: {message}{more}") from None


def load_config(path: str | os.PathLike[str]) -> ExperimentConfig:
    """Read and validate an experiment YAML file."""
    target = Path(path)
    if not target.is_file():
        raise DataNotFoundError(f"experiment file {target} does not exist")
    try:
        data = yaml.safe_load(target.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"{target}: not valid YAML: {exc}") from None
    config = parse_config(data, str(target))
    for encoder in config.encoders:
        if encoder.model is not None and not encoder.model.is_absolute():
            encoder.model = target.parent / encoder.model
    return config
