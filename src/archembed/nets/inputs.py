"""Input images for networks at initialisation: natural-image crops, user images or noise.

There is no CIFAR in this project. The default inputs are 32x32 crops of the two
photographs scikit-learn ships (``load_sample_images``), downscaled 2x so a crop holds
object-scale structure rather than a few pixels of texture, and standardised per channel.
Every source gives a deterministic pool of images for a seed; the first ``n_points`` of the
pool are the network inputs and the whole pool defines the principal components.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from archembed.errors import ConfigError, CorruptFileError, DataNotFoundError

SOURCES = ("natural", "noise")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")


@dataclass(frozen=True)
class InputPool:
    """``images`` (n, 3, size, size) float32, standardised; ``source`` says where they came from."""

    images: np.ndarray
    source: str
    seed: int

    @property
    def digest(self) -> str:
        """Short hash of the pixels: equal digests mean the same inputs (and projection)."""
        return hashlib.sha256(np.ascontiguousarray(self.images).tobytes()).hexdigest()[:16]

    def describe(self) -> dict[str, object]:
        return {
            "source": self.source,
            "seed": self.seed,
            "n_pool": len(self.images),
            "size": int(self.images.shape[-1]),
            "digest": self.digest,
        }


def load_input_pool(
    source: str = "natural", n: int = 1024, *, size: int = 32, seed: int = 0
) -> InputPool:
    """``n`` images from ``source``: "natural", "noise", a ``.npy`` file or an image folder."""
    return _cached_pool(str(source), n, size, seed)


def check_input_source(source: str) -> None:
    """Raise a UserError unless ``source`` names a built-in source, a .npy file or a folder."""
    path = Path(source)
    if source in SOURCES or (path.suffix == ".npy" and path.is_file()) or path.is_dir():
        return
    raise DataNotFoundError(
        f"--inputs {source!r} is not {', '.join(map(repr, SOURCES))}, an existing .npy file "
        "or an image folder"
    )


@lru_cache(maxsize=4)
def _cached_pool(source: str, n: int, size: int, seed: int) -> InputPool:
    rng = np.random.default_rng(seed)
    if source == "natural":
        images = _natural_crops(n, size, rng)
    elif source == "noise":
        images = rng.standard_normal((n, 3, size, size)).astype(np.float32)
    else:
        images = _user_images(Path(source), n, size, rng)
    return InputPool(_standardise(images), source, seed)


def _natural_crops(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    from PIL import Image
    from sklearn.datasets import load_sample_images

    photos = []
    for photo in load_sample_images().images:
        img = Image.fromarray(photo)
        photos.append(np.asarray(img.resize((img.width // 2, img.height // 2), Image.BILINEAR)))
    return _random_crops(photos, n, size, rng)


def _random_crops(
    photos: list[np.ndarray], n: int, size: int, rng: np.random.Generator
) -> np.ndarray:
    out = np.empty((n, 3, size, size), dtype=np.float32)
    for i in range(n):
        photo = photos[int(rng.integers(len(photos)))]
        top = int(rng.integers(photo.shape[0] - size + 1))
        left = int(rng.integers(photo.shape[1] - size + 1))
        crop = photo[top : top + size, left : left + size, :3]
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        out[i] = crop.transpose(2, 0, 1)
    return out


def _user_images(path: Path, n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    check_input_source(str(path))
    if path.suffix == ".npy" and path.is_file():
        try:
            array = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise CorruptFileError(f"{path} is not a NumPy .npy array ({exc})") from None
        if not isinstance(array, np.ndarray) or not np.issubdtype(array.dtype, np.number):
            raise CorruptFileError(f"{path} does not hold a numeric image array")
        return _from_array(array, path, n, size)
    from PIL import Image, UnidentifiedImageError

    files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise DataNotFoundError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in folder {path}")
    photos = []
    for file in files:
        try:
            with Image.open(file) as image:
                photos.append(np.asarray(image.convert("RGB")))
        except (UnidentifiedImageError, OSError) as exc:
            raise CorruptFileError(f"cannot read image {file}: {exc}") from None
    if min(min(p.shape[:2]) for p in photos) < size:
        raise ConfigError(f"images in {path} must be at least {size}x{size} pixels")
    return _random_crops(photos, n, size, rng)


def _from_array(array: np.ndarray, path: Path, n: int, size: int) -> np.ndarray:
    if array.ndim == 4 and array.shape[-1] == 3:
        array = array.transpose(0, 3, 1, 2)
    if array.ndim != 4 or array.shape[1:] != (3, size, size):
        raise ConfigError(
            f"{path} holds an array of shape {array.shape}; expected (N, 3, {size}, {size}) "
            f"or (N, {size}, {size}, 3)"
        )
    if len(array) < n:
        raise ConfigError(f"{path} holds {len(array)} images but {n} are needed; add images")
    images = np.asarray(array[:n], dtype=np.float32)
    if not np.isfinite(images).all():
        raise CorruptFileError(f"{path} holds NaN or infinite pixel values")
    return images


def _standardise(images: np.ndarray) -> np.ndarray:
    mean = images.mean(axis=(0, 2, 3), keepdims=True)
    std = images.std(axis=(0, 2, 3), keepdims=True)
    return ((images - mean) / np.maximum(std, 1e-8)).astype(np.float32)


def principal_components(pool: InputPool, k: int) -> np.ndarray:
    """The top ``k`` principal directions (k, 3*size*size) of the input pool, float32."""
    flat = pool.images.reshape(len(pool.images), -1).astype(np.float64)
    if not 1 <= k <= min(flat.shape):
        raise ConfigError(f"k={k} principal components need 1 <= k <= {min(flat.shape)}")
    centred = flat - flat.mean(axis=0)
    eigvals, eigvecs = np.linalg.eigh(centred @ centred.T)  # Gram matrix: n_pool x n_pool
    top = np.argsort(eigvals)[::-1][:k]
    vt = (eigvecs[:, top].T @ centred) / np.sqrt(np.maximum(eigvals[top], 1e-12))[:, None]
    signs = np.sign(vt[:, :1])  # fix the sign so the basis is reproducible across LAPACKs
    signs[signs == 0] = 1
    return (vt * signs).astype(np.float32)
