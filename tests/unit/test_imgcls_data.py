"""Image-classification config and data helpers: the course's defaults, the arrays-only unpickler."""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import pytest

from afinar.errors import AfinarError

pytestmark = pytest.mark.unit


def test_defaults_are_the_courses_recipe(tmp_path: Path) -> None:
    from afinar.tasks.image_classification.config import build_config

    cfg = build_config({"data": tmp_path})
    assert (cfg.base, cfg.image_size, cfg.batch_size) == ("mobilenet_v2", 160, 32)
    assert (cfg.stage1_epochs, cfg.stage1_lr, cfg.stage2_epochs, cfg.fine_tune_at) == (10, 1e-4, 10, 100)
    assert cfg.stage2_lr == pytest.approx(1e-5) and cfg.augment
    with pytest.raises(AfinarError) as err:
        build_config({"data": tmp_path, "stage1_epochs": 0, "stage2_epochs": 0, "batch_size": 0})
    text = err.value.message("en")
    assert "--batch-size" in text and "nothing would be trained" in text


class _Evil:
    def __reduce__(self):
        import os

        return (os.system, ("echo should-not-run",))


def test_the_example_unpickler_accepts_only_numpy_arrays(tmp_path: Path) -> None:
    import numpy as np

    from afinar.tasks.image_classification.example_data import _read_array

    good = tmp_path / "good.gz"
    with gzip.open(good, "wb") as fh:
        pickle.dump(np.arange(6, dtype=np.uint8).reshape(2, 3), fh)
    assert _read_array(good).tolist() == [[0, 1, 2], [3, 4, 5]]
    evil = tmp_path / "evil.gz"
    with gzip.open(evil, "wb") as fh:
        pickle.dump(_Evil(), fh)
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        _read_array(evil)


def test_table_check_reports_every_row_problem(tmp_path: Path) -> None:
    from PIL import Image

    from afinar.tasks.image_classification.data import check_table

    for i in range(3):
        Image.new("RGB", (40, 40), (i * 80, 0, 0)).save(tmp_path / f"a{i}.png")
    (tmp_path / "notes.txt").write_text("hola")
    table = tmp_path / "list.csv"
    table.write_text("ruta,etiqueta\na0.png,gato\na1.png,perro\nmissing.png,gato\na2.png,\nnotes.txt,perro\n")
    report = check_table(table)
    found = {(f.line, f.code) for f in report.findings}
    assert {(4, "file_not_found"), (5, "missing_label"), (6, "not_an_image"), (0, "too_few_examples")} <= found
    assert report.examples == 2 and not report.valid
    (tmp_path / "nocols.csv").write_text("a,b\nx,y\n")
    with pytest.raises(AfinarError) as err:
        check_table(tmp_path / "nocols.csv")
    assert err.value.key == "imgcls.data.columns"
