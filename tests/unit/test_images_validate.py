"""Image-folder validation: every code at line 0 with the relative path, on images made here."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from afinar.data.images_validate import check_image, find_splits
from afinar.data.validate import ValidateOptions, validate

pytestmark = pytest.mark.unit

SMALL = ValidateOptions(task="image-classification", min_examples=4, recommended_examples=8)


def jpeg(size=(64, 48), color=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def png(size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(buf, "PNG")
    return buf.getvalue()


def make(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def balanced(prefix: str = "", n: int = 4) -> dict[str, bytes]:
    files = {}
    for cls in ("gato", "perro"):
        for i in range(n):
            files[f"{prefix}{cls}/{i}.jpg"] = jpeg()
    return files


def found(report, code):
    return [(f.line, f.severity, f.field) for f in report.findings if f.code == code]


def test_split_layout_is_clean(tmp_path):
    root = make(tmp_path / "fotos", {**balanced("train/"), **balanced("val/", 2)})
    report = validate(root, SMALL)
    assert report.findings == []
    assert report.stats["splits"]["train"] == {"gato": 4, "perro": 4}
    assert report.stats["splits"]["val"] == {"gato": 2, "perro": 2}
    assert report.examples == 12


@pytest.mark.parametrize("name", ["val", "valid", "Validation"])
def test_validation_folder_names(tmp_path, name):
    root = make(tmp_path, {**balanced("train/"), **balanced(f"{name}/", 1)})
    assert "val" in find_splits(root)


def test_flat_layout_warns_missing_validation_split(tmp_path):
    report = validate(make(tmp_path, balanced()), SMALL)
    assert found(report, "missing_validation_split") == [(0, "warning", None)]
    assert report.valid


def test_not_an_image(tmp_path):
    root = make(tmp_path, {**balanced(), "gato/notas.txt": b"hola"})
    assert found(validate(root, SMALL), "not_an_image") == [(0, "warning", "gato/notas.txt")]


def test_system_files_are_ignored(tmp_path):
    root = make(tmp_path, {**balanced(), "gato/.DS_Store": b"x", "perro/Thumbs.db": b"x"})
    assert found(validate(root, SMALL), "not_an_image") == []


@pytest.mark.parametrize("data", [jpeg((300, 200))[:400], png((120, 90))[:300], b"not an image"])
def test_corrupt_and_truncated_images(tmp_path, data):
    root = make(tmp_path, {**balanced(), "perro/roto.jpg": data})
    report = validate(root, SMALL)
    assert found(report, "corrupt_image") == [(0, "error", "perro/roto.jpg")]
    assert str(tmp_path) not in report.findings[-1].message("en")
    assert not report.valid


def test_truncated_jpeg_is_caught_in_draft_mode(tmp_path):
    path = tmp_path / "big.jpg"
    data = jpeg((1200, 900))
    path.write_bytes(data[: len(data) - 200])
    assert check_image(path).error is not None


def test_empty_class(tmp_path):
    root = make(tmp_path, {**balanced(), "pez/leeme.txt": b"x"})
    (root / "loro").mkdir()
    report = validate(root, SMALL)
    assert found(report, "empty_class") == [(0, "error", "loro"), (0, "error", "pez")]


def test_tiny_image(tmp_path):
    root = make(tmp_path, {**balanced(), "gato/mini.png": png((16, 40))})
    report = validate(root, SMALL)
    assert found(report, "tiny_image") == [(0, "warning", "gato/mini.png")]
    assert "16×40" in next(f for f in report.findings if f.code == "tiny_image").message("es")


def test_class_imbalance(tmp_path):
    files = {f"gato/{i}.jpg": jpeg() for i in range(10)} | {"perro/0.jpg": jpeg()}
    assert found(validate(make(tmp_path, files), SMALL), "class_imbalance") == [(0, "warning", None)]


def test_too_few_classes(tmp_path):
    root = make(tmp_path, {f"train/gato/{i}.jpg": jpeg() for i in range(5)})
    report = validate(root, SMALL)
    assert found(report, "too_few_classes") == [(0, "error", "train")]


def test_too_few_examples(tmp_path):
    root = make(tmp_path, balanced(n=1))
    assert found(validate(root, SMALL), "too_few_examples") == [(0, "error", None)]
    root = make(tmp_path / "b", balanced(n=3))
    assert found(validate(root, SMALL), "too_few_examples") == [(0, "warning", None)]


def test_a_file_is_not_a_folder(tmp_path):
    path = tmp_path / "x.jpg"
    path.write_bytes(jpeg())
    report = validate(path, SMALL)
    assert found(report, "not_a_folder") == [(0, "error", None)]


def test_empty_folder(tmp_path):
    report = validate(tmp_path, SMALL)
    assert not report.valid
    assert {f.code for f in report.findings} >= {"too_few_classes", "too_few_examples"}


def test_empty_class_folders_do_not_count_as_classes(tmp_path):
    root = make(tmp_path, {f"gato/{i}.jpg": jpeg() for i in range(5)})
    (root / "perro").mkdir()
    report = validate(root, SMALL)
    assert found(report, "too_few_classes") == [(0, "error", ".")]
    assert next(f for f in report.findings if f.code == "too_few_classes").params["count"] == 1
