"""Experiment configuration: benchmarks x encoders x strategies x seeds, from YAML.

Validated with pydantic before any work starts: field types are strict (``seeds: "3"`` or
``noise: 1`` are mistakes), numbers have sane bounds (a million seeds would only exhaust
memory), and names of benchmarks, strategies (with their parameters) and encoders must be
registered. Any mistake raises one ConfigError line naming the field, the bad value and what
is accepted, e.g. ``experiment.yaml: strategies.0.params: ...``. See docs/guides/search.md.
"""

from __future__ import annotations

import os
import re
import reprlib
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from archembed.benchmarks.protocols import MetricRequest, search_protocol
from archembed.errors import ConfigError, DataNotFoundError, UserError

MAX_SEEDS = 10_000
MAX_SEED = 2**32 - 1
MAX_QUERIES = 1_000_000
MAX_SECONDS = 1e12
MAX_WORKERS = 256
MAX_FILE_BYTES = 1_000_000
"""Upper bounds: far beyond any real experiment, well below what exhausts memory."""
RAY_ADDRESS = re.compile(r"auto|local|(ray://)?(\[[0-9A-Fa-f:]+\]|[\w.-]+):\d{1,5}")
"""What Ray accepts as a cluster address: HOST:PORT, ray://HOST:PORT, auto or local."""


def directory_name(value: str) -> str:
    """``value`` when it can name a directory on every system; ValueError saying why not."""
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,100}", value) or value in (".", ".."):
        raise ValueError(
            f"{reprlib.repr(value)}: use 1 to 100 letters, digits, '.', '_' and '-' "
            "(it names a directory)"
        )
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class MetricSpec(Strict):
    dataset: str
    metric: str
    epoch: int | None = None

    def request(self) -> MetricRequest:
        return MetricRequest(self.dataset, self.metric, self.epoch)


class BenchmarkSpec(Strict):
    """A benchmark objective. ``name`` may be ``benchmark/dataset`` (e.g. ``nb201/cifar10-valid``).

    Without ``metric``/``test`` the documented protocol of that benchmark/dataset is used
    (:data:`archembed.benchmarks.protocols.SEARCH_PROTOCOLS`); ``test: null`` reports no test value.
    """

    name: str
    dataset: str | None = None
    metric: str | None = None
    epoch: int | None = None
    test: MetricSpec | Literal["default"] | None = "default"
    noise: bool = False
    objectives: str | list[str] | None = None
    constraints: list[str] = Field(default_factory=list)
    free_metrics: list[str] = Field(default_factory=list)

    @field_validator("objectives")
    @classmethod
    def _objectives(cls, value: str | list[str] | None) -> str | list[str] | None:
        from archembed.search.multiobjective import parse_objectives

        if value is not None:
            _registered(parse_objectives, value)
        return value

    @field_validator("constraints")
    @classmethod
    def _constraints(cls, value: list[str]) -> list[str]:
        from archembed.search.multiobjective import parse_constraint

        for item in value:
            _registered(parse_constraint, item)
        return value

    @field_validator("free_metrics")
    @classmethod
    def _free_metrics(cls, value: list[str]) -> list[str]:
        from archembed.search.multiobjective import parse_free

        _registered(parse_free, value)
        return value

    @field_validator("name")
    @classmethod
    def _known_benchmark(cls, value: str) -> str:
        from archembed.benchmarks.catalog import benchmark_names

        known = benchmark_names()
        if value.split("/", 1)[0] not in known:
            raise ValueError(f"unknown benchmark {value!r}; choose one of: {', '.join(known)}")
        return value

    @model_validator(mode="after")
    def _split_name(self) -> BenchmarkSpec:
        if "/" in self.name:
            bench, dataset = self.name.split("/", 1)
            if self.dataset not in (None, dataset):
                raise ValueError(f"name says dataset {dataset!r} but dataset is {self.dataset!r}")
            self.name, self.dataset = bench, dataset
        if not self.dataset:
            self.dataset = _sole_dataset(self.name)
        if self.noise and self.multi_objective:
            raise ValueError("noise is not available with objectives or constraints")
        if self.free_metrics and not self.multi_objective:
            raise ValueError("free_metrics name metrics of objectives or constraints; give them")
        return self

    @property
    def multi_objective(self) -> bool:
        """Whether objectives or constraints are set (the multi-objective loop runs)."""
        return self.objectives is not None or bool(self.constraints)

    def objective_specs(self) -> tuple[Any, ...]:
        """The objectives; with constraints alone, the protocol's search metric maximised."""
        from archembed.search.multiobjective import ObjectiveSpec, parse_objectives

        if self.objectives is not None:
            return parse_objectives(self.objectives)
        return (ObjectiveSpec(self.requests()[0].metric, True),)

    def goals(self) -> dict[str, Any]:
        """What config.yaml records of the objectives (nothing for a single-objective run)."""
        if not self.multi_objective:
            return {}
        from archembed.search.multiobjective import parse_constraint

        return {
            "objectives": [o.label() for o in self.objective_specs()],
            "constraints": [parse_constraint(c).label() for c in self.constraints],
            "free_metrics": list(self.free_metrics),
        }

    @property
    def label(self) -> str:
        """``name/dataset``, ``+noise``, then ``-metric-max`` / ``-metric-le-bound`` parts."""
        goals = self.goals()
        parts = [o.replace(":", "-") for o in goals.get("objectives", [])]
        for text in goals.get("constraints", []):
            parts.append(text.replace("<=", "-le-").replace(">=", "-ge-"))
        parts += [f"free-{m}" for m in goals.get("free_metrics", [])]
        noise = "+noise" if self.noise else ""
        return f"{self.name}/{self.dataset}{noise}" + "".join(f"-{p}" for p in parts)

    def requests(self) -> tuple[MetricRequest, MetricRequest | None]:
        """The search metric and the test metric (protocol defaults filled in)."""
        assert self.dataset is not None
        protocol = search_protocol(self.name, self.dataset)
        if self.metric is not None:
            search = MetricRequest(self.dataset, self.metric, self.epoch)
        elif protocol is not None:
            search = protocol[0]
        else:
            from archembed.benchmarks.catalog import cached_index

            index = cached_index(self.name)
            metric = "val_acc" if index is None else index.default_metric(self.dataset, None)
            search = MetricRequest(self.dataset, metric, self.epoch)
        if self.test == "default":
            test = protocol[1] if protocol is not None and self.metric is None else None
        else:
            test = self.test.request() if self.test is not None else None
        return search, test


def _sole_dataset(benchmark: str) -> str:
    """The only dataset of ``benchmark``; ValueError naming them (or the syntax) otherwise."""
    from archembed.benchmarks.catalog import cached_index

    index = cached_index(benchmark)
    if index is None:
        raise ValueError("give the dataset: name 'benchmark/dataset' or dataset: ...")
    try:
        return index.default_dataset(None, f"name '{benchmark}/DATASET' or dataset: ...")
    except UserError as exc:
        raise ValueError(f"give the dataset: {exc}") from None


class EncoderSpec(Strict):
    """An embedding: a registered encoder by ``kind`` (default: ``name``), fitted on the space
    with ``pretrain`` parameters, or ``model``: a saved model directory or an embedding Parquet
    file (:data:`archembed.encoders.precomputed.FILE_FORMAT`)."""

    name: str
    kind: str | None = None
    model: Path | None = Field(default=None, strict=False)
    pretrain: dict[str, Any] | None = None

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        return directory_name(value)

    @field_validator("model", mode="before")
    @classmethod
    def _shipped_model(cls, value: Any) -> Any:
        """``pretrained:NAME`` -> the shipped model's directory (archembed.pretrained)."""
        from archembed.pretrained import resolve_model

        return resolve_model(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_source(self) -> EncoderSpec:
        if self.model is not None and (self.pretrain is not None or self.kind is not None):
            raise ValueError("give either model (a saved encoder) or kind/pretrain, not both")
        if self.model is None:
            from archembed.encoders import ENCODERS

            _registered(ENCODERS.get, self.encoder_kind)
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

    @model_validator(mode="after")
    def _known(self) -> StrategySpec:
        from archembed.search.base import check_strategy

        _registered(check_strategy, self.name, self.params)
        return self

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
    queries: int | None = Field(default=100, ge=1, le=MAX_QUERIES)
    seconds: float | None = Field(default=None, gt=0, le=MAX_SECONDS, allow_inf_nan=False)
    batch_size: int | None = Field(default=None, ge=1, le=MAX_QUERIES)
    workers: int = Field(default=2, ge=1, le=MAX_WORKERS)
    executor: Literal["local", "ray"] = "local"
    address: str | None = Field(default=None, min_length=1)
    out: Path | None = Field(default=None, strict=False)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        return directory_name(value)

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

    @field_validator("seeds", mode="before")
    @classmethod
    def _seeds(cls, value: Any) -> Any:
        accepted = (
            f"accepted: a count from 1 to {MAX_SEEDS}, or a list of up to {MAX_SEEDS} distinct "
            f"seeds from 0 to {MAX_SEED}"
        )
        if _whole(value):
            if not 1 <= value <= MAX_SEEDS:
                raise ValueError(f"got {value}; {accepted}")
            return value
        if not isinstance(value, list) or not all(map(_whole, value)):
            raise ValueError(f"got {reprlib.repr(value)}; {accepted}")
        bad = [s for s in value if not 0 <= s <= MAX_SEED]
        if not value or len(value) > MAX_SEEDS or bad or len(set(value)) != len(value):
            raise ValueError(f"got {reprlib.repr(value)}; {accepted}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ExperimentConfig:
        if self.queries is None and self.seconds is None:
            raise ValueError("set queries and/or seconds (the budget)")
        if self.address is not None and self.executor != "ray":
            raise ValueError(
                f"address {self.address!r} is for the ray executor; set executor: ray "
                "(--executor ray)"
            )
        if self.address is not None and not RAY_ADDRESS.fullmatch(self.address):
            raise ValueError(
                f"address {self.address!r}: give HOST:PORT, ray://HOST:PORT, auto or local"
            )
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


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _registered(check: Any, *args: Any) -> None:
    """Run a registry check inside a validator: its UserError becomes the field's error."""
    try:
        check(*args)
    except UserError as exc:
        raise ValueError(str(exc)) from None


def parse_config(data: Any, source: str = "config") -> ExperimentConfig:
    """Validate a mapping; errors name the offending field, the bad value and what is accepted."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of settings, got {type(data).__name__}")
    try:
        return ExperimentConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{source}: {_describe(first)}{more}") from None


def _describe(error: Any) -> str:
    """One pydantic error as ``field: what is wrong``, with the bad value and the choices."""
    extra = error["type"] == "extra_forbidden"
    loc = _field_path(tuple(error["loc"]), extra)
    where = ".".join(str(p) for p in loc)
    if extra:
        fields = _fields_at(loc[:-1])
        accepted = f"; accepted: {', '.join(fields)}" if fields else ""
        return f"{where}: unknown field{accepted}"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] not in ("value_error", "missing") and "input" in error:
        message += f", got {reprlib.repr(error['input'])}"
    return f"{where}: {message}" if where else message


def _field_path(loc: tuple[Any, ...], extra: bool) -> tuple[Any, ...]:
    """``loc`` without pydantic's union tags (``test.MetricSpec.metric`` -> ``test.metric``);
    ``extra``: the last part is an unknown field name, kept."""
    model: type[BaseModel] | None = ExperimentConfig
    kept: list[Any] = []
    for index, part in enumerate(loc):
        if isinstance(part, int):
            kept.append(part)
            continue
        field = model.model_fields.get(part) if model is not None else None
        if field is None and model is not None and not (extra and index == len(loc) - 1):
            continue
        kept.append(part)
        model = _model_in(field.annotation) if field is not None else None
    return tuple(kept)


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The fields of the settings mapping at ``loc`` (list indices skipped), for messages."""
    model: type[BaseModel] | None = ExperimentConfig
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model is not None else None
        model = _model_in(field.annotation) if field is not None else None
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, map(_model_in, get_args(annotation))), None)


def read_yaml_file(path: str | os.PathLike[str], what: str) -> Any:
    """Parse a small YAML file; a missing, special, huge, binary or non-UTF-8 file is refused."""
    target = Path(path).expanduser()
    if not target.exists():
        raise DataNotFoundError(f"{what} {target} does not exist")
    if target.is_dir():
        raise ConfigError(f"{what} {target} is a directory; give a YAML file")
    if not target.is_file():
        raise ConfigError(f"{what} {target} is not a regular file; give a YAML file")
    if target.stat().st_size > MAX_FILE_BYTES:
        raise ConfigError(f"{what} {target} is larger than {MAX_FILE_BYTES:,} bytes; not YAML")
    try:
        raw = target.read_bytes()
    except OSError as exc:
        raise DataNotFoundError(f"cannot read {what} {target}: {exc.strerror}") from None
    if b"\0" in raw:
        raise ConfigError(f"{what} {target} is a binary file, not YAML text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{what} {target} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start}); save it as UTF-8"
        ) from None
    if not text.strip():
        raise ConfigError(f"{what} {target} is empty; see docs/guides/search.md for the settings")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise ConfigError(f"{target}: not valid YAML{at}: {problem}") from None


def load_config(
    path: str | os.PathLike[str], overrides: dict[str, Any] | None = None
) -> ExperimentConfig:
    """Read and validate an experiment YAML file; ``overrides`` (command-line options) win."""
    target = Path(path).expanduser()
    data = read_yaml_file(target, "experiment file")
    if data is None:
        raise ConfigError(f"{target} holds no settings; see docs/guides/search.md for the settings")
    if isinstance(data, dict) and overrides:
        data = {**data, **overrides}
    config = parse_config(data, str(target))
    for encoder in config.encoders:
        if encoder.model is not None and not encoder.model.is_absolute():
            encoder.model = target.parent / encoder.model
    return config
