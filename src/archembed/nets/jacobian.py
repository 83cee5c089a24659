"""Data-Jacobian features (CENA): input gradients of networks at initialisation, projected.

For architecture ``a``, init ``s`` and inputs ``X_1..X_n`` (``f`` the logits), two definitions:
``exact`` (default): ``J_i = d||f(X_i)||_1 / dX_i`` from ONE backward pass of
``sum_i ||f(X_i)||_1``, BatchNorm normalising with the batch statistics treated as constants
(``detached``), so every ``J_i`` is an exact per-sample gradient; ``paper``: the official code's
gradient of the signed sum of every logit of the batch, BatchNorm in training mode, so the
batch statistics couple the samples. Projection ``shared`` (default): onto the top ``k``
principal components of the input pool, so features of different search spaces fed the same
inputs share one basis; ``own``: the official code's ``U_k diag(S_k)`` of each matrix's own SVD.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from rich.progress import TaskID

from archembed.checks import check_int
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.nets.build import NetSetting, build_network, resolve_setting
from archembed.nets.feature_store import FeatureStore
from archembed.nets.inputs import load_input_pool, principal_components
from archembed.nets.ops import set_batchnorm_mode
from archembed.nn.runtime import resolve_device
from archembed.nn.training import seeded
from archembed.progress import ProgressBar
from archembed.spaces import get_space
from archembed.threads import apply_torch_threads, cpu_count, current_threads
from archembed.workers import process_pool

PROJECTION_FILE = "projection.npy"
"""The (k, input_dim) basis, saved next to a store so readers can project new Jacobians."""

CHUNK = 16
"""Architectures per task sent to a worker (and per store write)."""

PILOT = 4
"""Architectures computed first, spread over the run, so the ETA is not that of the cheapest."""

MAX_INITS = 1000
MAX_POINTS = 1024
MAX_POOL = 8192
"""Largest ``n_inits``, ``n_points`` and ``n_pool``: the papers use 4-10 inits and 64 points;
1,024 points of an official network need gigabytes of activations, and the principal
components of 8,192 pool images a 512 MB Gram matrix."""


JACOBIANS = {
    "exact": ("l1 norm of logits", "batch statistics, detached"),
    "paper": ("sum of logits", "batch statistics, in the graph"),
}
"""Jacobian definitions: (what is differentiated, how BatchNorm's statistics enter)."""

PROJECTIONS = ("shared", "own")
"""``shared``: the input pool's principal components; ``own``: each matrix's own SVD."""


@dataclass(frozen=True)
class JacobianJob:
    """Everything a worker needs: space, network setting, inputs, projection and options.

    ``basis`` is the shared (k, input_dim) basis, ``None`` for the ``own`` projection.
    """

    space: str
    setting: NetSetting
    inputs: np.ndarray
    basis: np.ndarray | None
    k: int
    n_inits: int
    normalise: bool
    seed: int
    device: str = "cpu"
    jacobian: str = "exact"


def init_seed(seed: int, arch_id: str, init: int) -> int:
    """Torch seed of (run seed, architecture, init): independent of chunking and workers."""
    digest = int(hashlib.md5(arch_id.encode("utf-8")).hexdigest()[:8], 16)
    return int(np.random.SeedSequence([seed, digest, init]).generate_state(1)[0])


def input_jacobian(
    net: torch.nn.Module, inputs: torch.Tensor, jacobian: str = "exact"
) -> torch.Tensor:
    """The (n, input_dim) input gradients of one of :data:`JACOBIANS` (see the module text)."""
    exact = jacobian == "exact"
    set_batchnorm_mode(net, "detached" if exact else "batch")
    net.requires_grad_(False)  # input gradients only: skips every weight-gradient kernel
    net.to(memory_format=torch.channels_last)  # faster oneDNN convolutions on CPU
    x = inputs.contiguous(memory_format=torch.channels_last).requires_grad_(True)
    logits = net(x)
    (logits.abs() if exact else logits).sum().backward()
    return x.grad.contiguous().reshape(len(x), -1)


def own_projection(jacobians: torch.Tensor, k: int) -> torch.Tensor:
    """``U_k diag(S_k)`` of the matrix's own SVD (n_points, k): its rows in its own top axes."""
    left, singular, _ = torch.linalg.svd(jacobians, full_matrices=False)
    return left[:, :k] * singular[:k]


def architecture_features(job: JacobianJob, graph: ArchGraph, arch_id: str) -> np.ndarray:
    """Projected Jacobians (n_inits, n_points, k) of one architecture."""
    inputs = torch.from_numpy(job.inputs).to(job.device)
    basis = None if job.basis is None else torch.from_numpy(job.basis).to(job.device)
    out = np.empty((job.n_inits, len(job.inputs), job.k), dtype=np.float32)
    for init in range(job.n_inits):
        with seeded(init_seed(job.seed, arch_id, init)):
            net = build_network(job.space, graph, job.setting).to(job.device)
        jacobians = input_jacobian(net, inputs, job.jacobian)
        projected = own_projection(jacobians, job.k) if basis is None else jacobians @ basis.T
        if job.normalise:
            projected = by_principal_singular_value(projected)
        out[init] = projected.detach().cpu().numpy()
    return out


def by_principal_singular_value(matrices: torch.Tensor) -> torch.Tensor:
    """Each (n_points, k) matrix divided by its largest singular value (the paper's option)."""
    norms = torch.linalg.matrix_norm(matrices, ord=2).clamp_min(1e-30)
    return matrices / norms[..., None, None]


def jacobian_store(path: str | os.PathLike[str]) -> FeatureStore:
    """A complete store of Jacobian features (what :func:`normalise_store` reads)."""
    store = FeatureStore.open(path, require_complete=True)
    if store.params.get("kind") != "jacobian":
        raise ConfigError(f"{path} is not a Jacobian feature store")
    return store


def normalise_store(
    source: str | os.PathLike[str], out: str | os.PathLike[str], progress: bool = True
) -> FeatureStore:
    """Write the normalised copy of a complete unnormalised store (no network is rebuilt).

    Normalisation divides each stored (architecture, init) matrix by a scalar, so it can be
    applied afterwards: the paper's normalised and unnormalised EPDJM from one computation.
    """
    original = jacobian_store(source)
    _, n_inits, n_points, dim = original.features.shape
    store = FeatureStore.create(
        out,
        original.space,
        original.ids,
        original.natives,
        n_inits=n_inits,
        n_points=n_points,
        dim=dim,
        params={**original.params, "normalise": True},
    )
    basis = Path(source) / PROJECTION_FILE
    if basis.is_file():
        _save_basis(Path(out), np.load(basis))
    missing = store.missing()
    with ProgressBar(enabled=progress) as bar:
        task = bar.add_task("normalising", total=len(missing))
        for start in range(0, len(missing), 1024):
            rows = missing[start : start + 1024]
            values = torch.from_numpy(np.asarray(original.features[rows]))
            store.write(rows, by_principal_singular_value(values).numpy())
            bar.advance(task, len(rows))
    return store


_JOB: JacobianJob | None = None


def _init_worker(job: JacobianJob) -> None:
    global _JOB
    _JOB = job


def _work(
    rows: np.ndarray, graphs: list[ArchGraph], ids: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    assert _JOB is not None
    return rows, np.stack([architecture_features(_JOB, g, i) for g, i in zip(graphs, ids)])


def check_jacobian_options(
    space: str,
    setting: NetSetting | str | None,
    *,
    n_inits: int,
    n_points: int,
    k: int,
    n_pool: int,
    inputs: str,
    workers: int | None,
    seed: int,
    jacobian: str = "exact",
    projection: str = "shared",
) -> NetSetting:
    """Validate every option of :func:`compute_jacobian_features` before work; the setting."""
    from archembed.checks import check_choice, check_seed

    chosen = resolve_setting(space, setting)
    check_choice("--jacobian", jacobian, tuple(JACOBIANS))
    check_choice("--projection", projection, PROJECTIONS)
    check_int("--n-inits", n_inits, 1, MAX_INITS)
    check_int("--n-points", n_points, 1, MAX_POINTS)
    check_int("--n-pool", n_pool, 1, MAX_POOL)
    pool_or_points = max(n_pool, n_points) if projection == "shared" else n_points
    check_int("--k", k, 1, min(pool_or_points, 3 * chosen.input_size**2))
    if workers is not None:
        check_int("--workers", workers, 1, cpu_count())
    check_seed("--seed", seed)
    load_input_pool(inputs, max(n_pool, n_points), size=chosen.input_size, seed=seed)
    return chosen


def check_disk_space(out: str | os.PathLike[str], n_archs: int, shape: tuple[int, ...]) -> None:
    """A new store of ``n_archs`` x ``shape`` float32 values must fit on the disk of ``out``."""
    target = Path(out).expanduser()
    if (target / "meta.json").is_file():
        return  # resuming: the array already has its full size
    need = 4 * n_archs * int(np.prod(shape))
    ancestor = target
    while not ancestor.exists() and ancestor.parent != ancestor:
        ancestor = ancestor.parent
    free = shutil.disk_usage(ancestor).free
    if need > free:
        raise ConfigError(
            f"the feature store would take {need / 1e9:.1f} GB but {ancestor} has "
            f"{free / 1e9:.1f} GB free; use fewer architectures, inits, points or --k"
        )


def compute_jacobian_features(
    space: str,
    graphs: Sequence[ArchGraph],
    out: str | os.PathLike[str],
    *,
    n_inits: int = 4,
    n_points: int = 64,
    k: int = 128,
    normalise: bool = False,
    setting: NetSetting | str | None = "proxy",
    inputs: str = "natural",
    n_pool: int = 1024,
    workers: int | None = None,
    seed: int = 0,
    device: str = "cpu",
    jacobian: str = "exact",
    projection: str = "shared",
    progress: bool = True,
) -> FeatureStore:
    """Compute (or resume) the Jacobian features of ``graphs`` into the store at ``out``.

    ``setting``: "proxy" (default, e.g. C=8, N=1 for nb201), "official" or a NetSetting;
    ``inputs``: "natural", "noise", a ``.npy`` file or an image folder (see ``nets.inputs``);
    the first ``n_points`` of a pool of ``n_pool`` such images feed the networks and the whole
    pool defines the principal components (the ``shared`` projection). ``jacobian`` and
    ``projection``: see the module text. ``workers`` processes (default: one per thread of
    ``--threads``; one on a GPU) share the thread count.
    """
    chosen = check_jacobian_options(
        space,
        setting,
        n_inits=n_inits,
        n_points=n_points,
        k=k,
        n_pool=n_pool,
        inputs=inputs,
        workers=workers,
        seed=seed,
        jacobian=jacobian,
        projection=projection,
    )
    device = str(resolve_device(device))
    check_disk_space(out, len(graphs), (n_inits, n_points, k))
    search_space = get_space(space)
    pool = load_input_pool(inputs, max(n_pool, n_points), size=chosen.input_size, seed=seed)
    basis = principal_components(pool, k) if projection == "shared" else None
    output, batchnorm = JACOBIANS[jacobian]
    ids = [search_space.identity(g) for g in graphs]
    params = {
        "kind": "jacobian",
        "setting": chosen.to_dict(),
        "inputs": pool.describe(),
        "k": k,
        "normalise": normalise,
        "seed": seed,
        "batchnorm": batchnorm,
        "output": output,
        "projection": projection,
    }
    store = FeatureStore.create(
        out,
        space,
        ids,
        [search_space.to_native(g) for g in graphs],
        n_inits=n_inits,
        n_points=n_points,
        dim=k,
        params=params,
    )
    if basis is not None:
        _save_basis(Path(out), basis)
    job = JacobianJob(
        space=space,
        setting=chosen,
        inputs=pool.images[:n_points],
        basis=basis,
        k=k,
        n_inits=n_inits,
        normalise=normalise,
        seed=seed,
        device=device,
        jacobian=jacobian,
    )
    if device != "cpu":
        workers = 1  # one process drives the accelerator
    _run(store, job, list(graphs), ids, workers or current_threads(), progress)
    return store


def _save_basis(directory: Path, basis: np.ndarray) -> None:
    from archembed.io import atomic_path

    if not (directory / PROJECTION_FILE).is_file():
        with atomic_path(directory / PROJECTION_FILE) as tmp, open(tmp, "wb") as handle:
            np.save(handle, basis)


def _run(
    store: FeatureStore,
    job: JacobianJob,
    graphs: list[ArchGraph],
    ids: list[str],
    workers: int,
    progress: bool,
) -> None:
    """Fill the missing rows: a pilot spread over them, then the rest in chunks.

    The pilot comes first so the ETA reflects the mix of operations: neighbouring rows of an
    enumeration share most of them (the first NB201 cells are nearly all ``none``).
    """
    missing = store.missing()
    if not len(missing):
        return
    _init_worker(job)
    apply_torch_threads()
    picks = np.unique(np.linspace(0, len(missing) - 1, min(PILOT, len(missing))).round())
    pilot = missing[picks.astype(np.int64)]
    rest = np.setdiff1d(missing, pilot)
    chunks = [rest[i : i + CHUNK] for i in range(0, len(rest), CHUNK)]
    n_workers = max(1, min(workers, len(chunks)))
    with ProgressBar(enabled=progress) as bar:
        task = bar.add_task("jacobian features", total=len(missing))
        start = time.perf_counter()
        for rows in [pilot, *(chunks if n_workers == 1 else [])]:
            values = []
            for row in rows:
                values.append(architecture_features(job, graphs[row], ids[row]))
                bar.advance(task)
            store.write(rows, np.stack(values))
            if rows is pilot:
                per_network = (time.perf_counter() - start) / len(pilot) / job.n_inits
                bar.update(task, info=f"{per_network * 1000:.0f} ms per network")
        if n_workers > 1:
            _in_workers(store, job, graphs, ids, chunks, n_workers, bar, task)


def _in_workers(
    store: FeatureStore,
    job: JacobianJob,
    graphs: list[ArchGraph],
    ids: list[str],
    chunks: list[np.ndarray],
    n_workers: int,
    bar: ProgressBar,
    task: TaskID,
) -> None:
    """Farm ``chunks`` out to ``n_workers`` spawned processes, each with its thread share."""
    with process_pool(n_workers, _init_worker, job) as executor:
        futures = [
            executor.submit(_work, rows, [graphs[r] for r in rows], [ids[r] for r in rows])
            for rows in chunks
        ]
        for future in as_completed(futures):
            rows, values = future.result()
            store.write(rows, values)
            bar.advance(task, len(rows))
