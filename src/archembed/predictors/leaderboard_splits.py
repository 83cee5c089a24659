"""The splits of the predictor leaderboard: protocols ``tagates`` and ``narformer``.

Both start from every labelled architecture of a benchmark in the benchmark's file order
(NB201: the official index order; NB101: the order of our labelled cells) and train on a
prefix of an ordered training pool, as the official code does.

- ``tagates`` (FlowerFormer's ``experiments.py`` / ``utils.py``, the TA-GATES protocol): the
  cells are permuted by a split seed (seed 21 keeps the file order on NB101 and NB201;
  otherwise NumPy's legacy permutation for ``seed``, ``RandomState(seed).permutation(n)``, the
  one the official code draws after seeding the global generator); the first ``ceil(n / 2)``
  form the training pool (7,813 on NB201), the next 40 are for model selection, the rest is
  the test set (7,772); a run trains on the first ``int(pool * fraction)`` of the pool
  (78 / 390 / 781 / 3,906 at 1 / 5 / 10 / 50 %).
- ``narformer`` (NAR-Former's ``dataLoader.py``, NN-Former's ``dataset.py``): no permutation;
  a run trains on the first N cells of the file, validates on the next 200, and is tested
  on all cells (its training cells included, as in the official code). A fraction gives
  N = the fraction of all cells rounded half up (NB201 1 / 3 / 5 / 10 % = 156 / 469 / 781 /
  1,563, the published counts).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from archembed.checks import check_float, check_seed
from archembed.errors import ConfigError, UnknownNameError

PROTOCOLS = ("tagates", "narformer")
OFFICIAL_SPLIT_SEEDS = (21, 2021, 202121)
"""FlowerFormer's three split permutations (and model seeds): ``--split-seeds 3``."""
FILE_ORDER_SEED = 21
"""FlowerFormer keeps the file order for this seed on NB101 and NB201 (``get_perms``)."""
FILE_ORDER_BENCHMARKS = ("nb101", "nb201")
TAGATES_VALID = 40
NARFORMER_VALID = 200
MIN_TRAIN = 8
"""Fewest training cells of a run (as ``archembed predict``)."""


@dataclass(frozen=True)
class SplitIndices:
    """Row indices into the benchmark's labelled cells: training, model selection, test."""

    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray


def check_protocol(name: str) -> str:
    """``name`` if it is a known protocol, else an UnknownNameError."""
    if name not in PROTOCOLS:
        raise UnknownNameError("protocol", name, PROTOCOLS)
    return name


def pool_size(protocol: str, n_cells: int) -> int:
    """Cells a run may train on: half of them (rounded up) for ``tagates``, all but the 200
    validation cells for ``narformer``."""
    if check_protocol(protocol) == "tagates":
        return math.ceil(n_cells / 2)
    return n_cells - NARFORMER_VALID


def share_of(protocol: str, n_cells: int, size: int) -> float:
    """The fraction ``size`` stands for: of the ``tagates`` pool, of all cells for
    ``narformer`` (the inverse of :func:`train_size`, up to its rounding)."""
    base = pool_size(protocol, n_cells) if protocol == "tagates" else n_cells
    return size / base


def train_size(protocol: str, n_cells: int, fraction: float) -> int:
    """Training cells at ``fraction``: ``int(pool * fraction)`` of the ``tagates`` pool, or
    ``fraction`` of all cells rounded half up for ``narformer``."""
    check_float("--fractions", fraction, 0.0, 1.0, low_open=True)
    if check_protocol(protocol) == "tagates":
        return int(pool_size(protocol, n_cells) * fraction)
    return math.floor(n_cells * fraction + 0.5)


def check_size(protocol: str, n_cells: int, size: int, option: str = "--sizes") -> int:
    """``size`` if a run of ``protocol`` can train on that many of ``n_cells`` cells."""
    pool = pool_size(protocol, n_cells)
    if not MIN_TRAIN <= size <= pool:
        raise ConfigError(
            f"{option}: {size} training cells; protocol {protocol} on {n_cells} cells takes "
            f"{MIN_TRAIN} to {pool}"
        )
    return size


def split_order(n_cells: int, seed: int, file_order: bool) -> np.ndarray:
    """FlowerFormer's permutation: the file order for seed 21 (when the benchmark has a
    meaningful file order), else NumPy's legacy ``permutation`` seeded with ``seed``."""
    check_seed("--split-seeds", seed)
    if file_order and seed == FILE_ORDER_SEED:
        return np.arange(n_cells)
    return np.random.RandomState(seed).permutation(n_cells)


def split_indices(
    protocol: str, n_cells: int, size: int, seed: int, file_order: bool = True
) -> SplitIndices:
    """The cells of one run: ``size`` training cells of ``protocol`` under split ``seed``."""
    check_size(protocol, n_cells, size)
    if check_protocol(protocol) == "narformer":
        order = np.arange(n_cells)
        return SplitIndices(order[:size], order[size : size + NARFORMER_VALID], order)
    order = split_order(n_cells, seed, file_order)
    pool = pool_size(protocol, n_cells)
    end = pool + TAGATES_VALID
    if end >= n_cells:
        raise ConfigError(f"protocol tagates needs more than {2 * TAGATES_VALID} cells")
    return SplitIndices(order[:size], order[pool:end], order[end:])


def split_seeds(protocol: str, text: str | None) -> list[int]:
    """``--split-seeds``: a count (the first of FlowerFormer's 21, 2021, 202121) or a list;
    ``narformer`` has one split, the file order (reported as seed 0)."""
    if check_protocol(protocol) == "narformer":
        if text not in (None, "1"):
            raise ConfigError("--split-seeds: protocol narformer has one split (the file order)")
        return [0]
    usage = f"--split-seeds takes a count 1-3 or a list of seeds, got {text!r}"
    items = [item.strip() for item in (text or "3").split(",") if item.strip()]
    try:
        values = [int(item) for item in items]
    except ValueError:
        raise ConfigError(usage) from None
    if not values:
        raise ConfigError(usage)
    if len(values) == 1 and "," not in (text or ""):
        if not 1 <= values[0] <= len(OFFICIAL_SPLIT_SEEDS):
            raise ConfigError(usage)
        return list(OFFICIAL_SPLIT_SEEDS[: values[0]])
    if len(set(values)) != len(values):
        raise ConfigError(f"--split-seeds lists a seed more than once: {text!r}")
    for value in values:
        check_seed("--split-seeds", value)
    return values


def train_sizes(
    protocol: str, n_cells: int, fractions: Sequence[float] | None, sizes: Sequence[int] | None
) -> list[int]:
    """Distinct training sizes from ``--fractions`` or ``--sizes`` (exactly one of them)."""
    if (fractions is None) == (sizes is None):
        raise ConfigError("give either --fractions or --sizes")
    if sizes is None:
        option = "--fractions"
        values = [train_size(protocol, n_cells, f) for f in fractions or ()]
    else:
        option, values = "--sizes", list(sizes)
    for value in values:
        check_size(protocol, n_cells, value, option)
    if len(set(values)) != len(values):
        raise ConfigError(f"{option} gives the same training size twice: {values}")
    return values
