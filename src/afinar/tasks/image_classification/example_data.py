"""``afinar examples cats-dogs``: the course's cats-vs-dogs exercise on real, offline data.

The cat and dog silhouettes of the registry package ``animal-shape-mnist==0.39`` (MIT; 1,000
28×28 grayscale pictures per class) are written as PNG files in the course's layout::

    DIR/train/cat/*.png  DIR/train/dog/*.png  DIR/validation/cat/*.png  DIR/validation/dog/*.png

The package is installed on first use with ``pip --no-deps`` (its own dependencies pull
TensorFlow), like the catalog's packaged bases. Its data is a gzip pickle: it is read only from
the installed package, after its sha256 matches the pinned value, with an unpickler that accepts
nothing but numpy arrays, and converted once into ``AFINAR_HOME/datasets/animal-shape-mnist/``
as ``.npy`` files (read back with ``allow_pickle=False``). Nothing a user supplies is unpickled.
The folder gets a README marking it as example data, with the source and its license.
"""

from __future__ import annotations

import gzip
import pickle
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.models.catalog import Package, SourceFile
from afinar.paths import afinar_home

PACKAGE = Package("animal-shape-mnist", "0.39", "animal_shape_mnist", no_deps=True)
IMAGES = SourceFile("animal_shape_mnist", "data/Animal Shape/animal_data_version_3.gz",
                    "68a30346781a0984f839463a4615d2decb899d1ce65091bb92586311754a34ce")
LABELS = SourceFile("animal_shape_mnist", "data/Animal Shape/animal_label_version_3.gz",
                    "dec8dba7c469830989fbab46825021a08a38470753a512f27ada847eced97b57")
CLASSES = ("bear", "bird", "cat", "cow", "dog", "elephant", "giraffe", "horse", "sheep", "zebra")
CATS_DOGS = ("cat", "dog")
LICENSE_URL = "https://pypi.org/project/animal-shape-mnist/0.39/"
_ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"), ("numpy", "dtype")}


class _ArraysOnly(pickle.Unpickler):
    """Rebuilds numpy arrays and refuses every other object a pickle could name."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"refused {module}.{name}: only numpy arrays are expected")
        if module == "numpy.core.multiarray":
            module = "numpy._core.multiarray"
        return super().find_class(module, name)


def _read_array(path: Path) -> Any:
    import numpy as np

    with gzip.open(path, "rb") as fh:
        array = _ArraysOnly(fh).load()
    if not isinstance(array, np.ndarray):
        raise AfinarError("examples.bad_source", path=str(path), problem=type(array).__name__)
    return array


def cache_dir() -> Path:
    return afinar_home() / "datasets" / "animal-shape-mnist"


def load_arrays(run_pip: Callable | None = None) -> tuple[Any, Any]:
    """``(images [10000, 28, 28] uint8, labels [10000] int64)``, converted once into the cache."""
    import numpy as np

    from afinar.models import sources

    folder = cache_dir()
    images_npy, labels_npy = folder / "images.npy", folder / "labels.npy"
    if not (images_npy.is_file() and labels_npy.is_file()):
        sources.ensure_installed([PACKAGE], run=run_pip)
        arrays = []
        for source in (IMAGES, LABELS):
            path = sources.locate(source)
            sources.verify(source, path)
            arrays.append(_read_array(path))
        images, labels = arrays
        if images.shape != (10_000, 28, 28) or labels.shape != (10_000,):
            raise AfinarError("examples.bad_source", path=str(path), problem=f"shapes {images.shape}, {labels.shape}")
        folder.mkdir(parents=True, exist_ok=True)
        for target, array in ((images_npy, images.astype(np.uint8)), (labels_npy, labels.astype(np.int64))):
            tmp = target.with_name(target.stem + ".partial.npy")
            np.save(tmp, array, allow_pickle=False)
            tmp.replace(target)
    return np.load(images_npy, allow_pickle=False), np.load(labels_npy, allow_pickle=False)


def write_cats_dogs(out: Path, *, per_class: int = 1000, valid_fraction: float = 0.2, seed: int = 42,
                    force: bool = False, run_pip: Callable | None = None) -> dict[str, dict[str, int]]:
    """Write the cat and dog silhouettes into ``out`` (course layout); returns counts per split and class."""
    from PIL import Image

    if out.exists() and any(out.iterdir()) and not force:
        raise AfinarError("examples.not_empty", path=str(out))
    images, labels = load_arrays(run_pip)
    counts: dict[str, dict[str, int]] = {"train": {}, "validation": {}}
    rng = random.Random(seed)
    for name in CATS_DOGS:
        indices = [int(i) for i in (labels == CLASSES.index(name)).nonzero()[0]]
        rng.shuffle(indices)
        chosen = indices[:per_class]
        n_valid = max(1, round(len(chosen) * valid_fraction))
        for split, part in (("validation", chosen[:n_valid]), ("train", chosen[n_valid:])):
            folder = out / split / name
            folder.mkdir(parents=True, exist_ok=True)
            for index in sorted(part):
                Image.fromarray(images[index]).save(folder / f"{name}_{index:05d}.png")
            counts[split][name] = len(part)
    (out / "README.md").write_text(_readme(counts), encoding="utf-8")
    return counts


def _readme(counts: dict[str, dict[str, int]]) -> str:
    rows = "\n".join(f"| {split} | {c.get('cat', 0)} | {c.get('dog', 0)} |" for split, c in counts.items())
    return (
        "# Example data: cats vs dogs silhouettes / Datos de ejemplo: siluetas de gatos y perros\n\n"
        "EXAMPLE DATA written by `afinar examples cats-dogs` for the course's transfer-learning exercise.\n"
        "DATOS DE EJEMPLO escritos por `afinar examples cats-dogs` para el ejercicio de transfer learning del curso.\n\n"
        "Source: the cat and dog classes of the `animal-shape-mnist` 0.39 package (Sina Mohammadi, MIT license, "
        f"{LICENSE_URL}): 28×28 grayscale silhouettes.\n\n"
        f"| split | cat | dog |\n|---|---|---|\n{rows}\n\n"
        "Train: `afinar train image-classification THIS_FOLDER`.\n"
    )
