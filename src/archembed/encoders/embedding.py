"""Embedding files: pick an encoder and architectures, write (arch, native, embedding) Parquet.

The Parquet file has columns ``arch`` (the space's identity of each architecture), ``native``
(its native string) and ``embedding`` (a float32 list); its schema metadata ``archembed``
holds JSON with the schema version, encoder, model source, space and dimension.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from archembed.encoders.base import ENCODERS, Encoder, load_encoder
from archembed.encoders.cellwise import encoder_for_space
from archembed.errors import ConfigError, CorruptFileError, DataNotFoundError
from archembed.graph import ArchGraph
from archembed.io import atomic_path
from archembed.spaces.base import SearchSpace, get_space

EMBEDDING_SCHEMA = 1
METADATA_KEY = b"archembed"
UNTRAINED_ENCODERS = ("onehot", "path")
"""Encoders usable by name, without a model directory (their fit needs no training)."""


def _saved_model(model: str) -> Encoder | None:
    """The model saved at the path ``model``; None when ``model`` names an untrained encoder."""
    path = Path(model).expanduser()
    if path.exists():
        return load_encoder(path)
    if model in UNTRAINED_ENCODERS:
        return None
    raise DataNotFoundError(
        f"{model} is neither a model directory nor one of {', '.join(UNTRAINED_ENCODERS)}; "
        "pretrain a model first (archembed pretrain ...)"
    )


def _encoder(model: str, saved: Encoder | None, space: SearchSpace | None) -> Encoder:
    if saved is not None:
        return saved if space is None else encoder_for_space(saved, space)
    if space is None:
        raise ConfigError(f"encoder {model!r} needs --space or --benchmark")
    return ENCODERS.get(model)(space)


def read_arch_list(path: str | os.PathLike[str]) -> list[str]:
    """The non-blank lines of a UTF-8 text file of native architecture strings."""
    target = Path(path).expanduser()
    if not target.is_file():
        what = "is a directory, not a file" if target.is_dir() else "does not exist"
        raise DataNotFoundError(f"architecture list {target} {what}")
    try:
        lines = [line.strip() for line in target.read_text(encoding="utf-8").splitlines()]
    except UnicodeDecodeError:
        raise CorruptFileError(
            f"architecture list {target} is not UTF-8 text; give one native string a line"
        ) from None
    lines = [line for line in lines if line]
    if not lines:
        raise ConfigError(f"architecture list {target} is empty; give one native string a line")
    return lines


def select_graphs(
    model: str,
    space: str | None = None,
    benchmark: str | None = None,
    archs: str | os.PathLike[str] | None = None,
) -> tuple[Encoder, list[ArchGraph]]:
    """The encoder named by ``model`` and the architectures to embed.

    Architectures: the lines of ``archs`` (native strings), else every architecture of
    ``benchmark``, else the enumeration of ``space`` (default: the model's space).
    """
    if space is not None and benchmark is not None:
        raise ConfigError("give --space or --benchmark, not both")
    saved = _saved_model(model)
    lines = None if archs is None else read_arch_list(archs)
    bench = None
    space_obj = get_space(space) if space is not None else None
    if benchmark is not None:
        from archembed.benchmarks.catalog import load_benchmark

        bench = load_benchmark(benchmark)
        space_obj = bench.space
    encoder = _encoder(model, saved, space_obj)
    if lines is not None:
        return encoder, [encoder.space.from_native(line) for line in lines]
    if bench is not None:
        return encoder, bench.graphs()
    if not encoder.space.finite:
        raise ConfigError(
            f"space {encoder.space.name!r} cannot be enumerated; pass --archs FILE or --benchmark"
        )
    return encoder, encoder.space.enumerate()


def resolve_encoder(encoder: Encoder, graphs: Sequence[ArchGraph]) -> Encoder:
    """Fit a by-name baseline on the graphs it will embed (a loaded model is returned as is)."""
    if encoder.name in UNTRAINED_ENCODERS:
        encoder.fit(graphs)
    return encoder


def embed_to_parquet(
    encoder: Encoder,
    graphs: Sequence[ArchGraph],
    out: str | os.PathLike[str],
    source: str = "",
) -> dict[str, Any]:
    """Embed ``graphs`` and write them atomically; returns the file's metadata."""
    vectors = np.asarray(encoder.transform(graphs), dtype=np.float32)
    space = encoder.space
    meta = {
        "schema_version": EMBEDDING_SCHEMA,
        "encoder": encoder.name,
        "model": str(source),
        "space": space.name,
        "dim": int(vectors.shape[1]),
        "archs": len(graphs),
    }
    flat = pa.array(vectors.reshape(-1), type=pa.float32())
    table = pa.table(
        {
            "arch": pa.array([space.identity(g) for g in graphs], type=pa.string()),
            "native": pa.array(list(space.iter_native(graphs)), type=pa.string()),
            "embedding": pa.FixedSizeListArray.from_arrays(flat, vectors.shape[1]),
        }
    ).replace_schema_metadata({METADATA_KEY: json.dumps(meta).encode()})
    target = Path(out)
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp)
    return {**meta, "out": str(target)}


def read_embeddings(path: str | os.PathLike[str]) -> tuple[list[str], list[str], np.ndarray, dict]:
    """Arch ids, native strings, ``(n, dim)`` float32 matrix and metadata of an embedding file."""
    target = Path(path)
    if not target.is_file():
        raise DataNotFoundError(f"embedding file not found: {target}")
    try:
        table = pq.read_table(target)
        meta = json.loads((table.schema.metadata or {})[METADATA_KEY])
        dim = int(meta["dim"])
        matrix = table.column("embedding").combine_chunks().flatten().to_numpy()
    except (KeyError, ValueError, pa.ArrowException, OSError) as exc:
        raise CorruptFileError(f"{target} is not an archembed embedding file: {exc}") from None
    return (
        table.column("arch").to_pylist(),
        table.column("native").to_pylist(),
        matrix.reshape(-1, dim).astype(np.float32, copy=False),
        meta,
    )
