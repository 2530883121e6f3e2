"""Validation of an image-classification folder: one subfolder per class, optionally split.

Accepted layouts::

    fotos/gato/*.jpg  fotos/perro/*.jpg                      (no split: a warning)
    fotos/train/gato/*.jpg  fotos/val/gato/*.jpg  ...        (val, valid or validation)

Every file is opened with Pillow and its pixels decoded (JPEGs in draft mode, at a reduced
scale, which is several times faster), so truncated files are caught. Findings use line 0 and
``field`` = the path relative to the folder. Nothing here imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from afinar.data.findings import WARNING, Report
from afinar.data.textcls_checks import IMBALANCE_RATIO
from afinar.data.validate import ValidateOptions, register_validator

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
VALID_SPLITS = ("val", "valid", "validation")
# Files that operating systems leave in folders; never reported.
IGNORED_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}
# Smaller than this on either side is a warning; the models see about MODEL_INPUT_PX pixels.
TINY_IMAGE_PX = 32
MODEL_INPUT_PX = 224
# Decoding JPEGs at this reduced size is enough to prove the file is complete.
DRAFT_PX = 64


@dataclass
class ImageCheck:
    """What checking one image found: ``None`` fields mean fine."""

    size: tuple[int, int] | None = None
    error: str | None = None


def check_image(path: Path) -> ImageCheck:
    """Open ``path`` and decode its pixels; the error text when it cannot be done."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            size = img.size
            if img.format == "JPEG":
                img.draft("RGB", (DRAFT_PX, DRAFT_PX))
            img.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        return ImageCheck(error=(str(err) or type(err).__name__).replace(str(path), path.name))
    return ImageCheck(size=size)


def find_splits(root: Path) -> dict[str, Path]:
    """``{"train": dir, "val": dir}`` for a split layout, else ``{"train": root}``."""
    subdirs = {p.name.lower(): p for p in _subdirs(root)}
    if "train" not in subdirs:
        return {"train": root}
    splits = {"train": subdirs["train"]}
    for name in VALID_SPLITS:
        if name in subdirs:
            splits["val"] = subdirs[name]
            break
    if "test" in subdirs:
        splits["test"] = subdirs["test"]
    return splits


def _subdirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "__")))


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not _hidden(p, folder))


def _hidden(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return path.name.lower() in IGNORED_FILES or any(p.startswith((".", "__")) for p in parts)


@register_validator("image-classification")
def validate_image_folder(path: Path, options: ValidateOptions, report: Report) -> None:
    if not path.is_dir():
        report.add(0, "not_a_folder", path=str(path))
        return
    splits = find_splits(path)
    if "val" not in splits:
        report.add(0, "missing_validation_split")
    per_split = {name: _check_split(folder, path, report) for name, folder in splits.items()}
    train = per_split["train"]
    report.examples = sum(sum(counts.values()) for counts in per_split.values())
    usable = sum(1 for n in train.values() if n > 0)
    if usable < 2:
        report.add(0, "too_few_classes", field=_rel(splits["train"], path) or ".", count=usable,
                   minimum=2)
    _check_balance(train, report)
    _check_size(sum(train.values()), options, report)
    report.stats.update(layout="split" if "val" in splits or splits["train"] != path else "flat",
                        splits=per_split, classes=len(train))


def _check_split(folder: Path, root: Path, report: Report) -> dict[str, int]:
    counts: dict[str, int] = {}
    for class_dir in _subdirs(folder):
        images = []
        for file in _files(class_dir):
            if file.suffix.lower() in IMAGE_SUFFIXES:
                images.append(file)
            else:
                report.add(0, "not_an_image", field=_rel(file, root))
        good = sum(_record(_rel(file, root), check_image(file), report) for file in images)
        counts[class_dir.name] = good
        if good == 0:
            report.add(0, "empty_class", field=_rel(class_dir, root))
    return counts


def _record(rel: str, result: ImageCheck, report: Report) -> int:
    """Report what ``check_image`` found; 1 when the image is usable."""
    if result.error is not None:
        report.add(0, "corrupt_image", field=rel, detail=result.error)
        return 0
    width, height = result.size or (0, 0)
    if min(width, height) < TINY_IMAGE_PX:
        report.add(0, "tiny_image", field=rel, width=width, height=height, expected=MODEL_INPUT_PX)
    return 1


def _check_balance(counts: dict[str, int], report: Report) -> None:
    filled = {name: n for name, n in counts.items() if n > 0}
    if len(filled) < 2:
        return
    largest = max(filled, key=filled.__getitem__)
    smallest = min(filled, key=filled.__getitem__)
    ratio = filled[largest] / filled[smallest]
    if ratio >= IMBALANCE_RATIO:
        report.add(0, "class_imbalance", largest=largest, largest_count=filled[largest],
                   smallest=smallest, smallest_count=filled[smallest], ratio=f"{ratio:.1f}")


def _check_size(n: int, options: ValidateOptions, report: Report) -> None:
    if n < options.min_examples:
        report.add(0, "too_few_examples", count=n, minimum=options.min_examples)
    elif n < options.recommended_examples:
        report.add(0, "too_few_examples", WARNING, count=n, minimum=options.recommended_examples)


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path != root else ""
