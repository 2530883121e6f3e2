"""Reading text-classification data for training: columns in Spanish and English, the split."""

from __future__ import annotations

from pathlib import Path

import pytest

from afinar.errors import AfinarError
from afinar.tasks.text_classification import data

pytestmark = pytest.mark.unit


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("header", ["text,label", "texto,etiqueta", "comentario,clase", "Reseña,Sentimiento"])
def test_columns_recognized_by_name(tmp_path: Path, header: str) -> None:
    path = _write(tmp_path / "d.csv", f"{header}\nmuy rico,positivo\nhorrible,negativo\n")
    examples, text_col, label_col = data.read_examples(path, None, None)
    assert examples.texts == ["muy rico", "horrible"] and examples.labels == ["positivo", "negativo"]
    assert (text_col, label_col) == tuple(header.split(","))


def test_label_first_and_extra_columns(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.csv", "id,etiqueta,fecha,comentario\n1,positivo,2026,muy rico\n")
    examples, text_col, label_col = data.read_examples(path, None, None)
    assert (text_col, label_col, examples.texts) == ("comentario", "etiqueta", ["muy rico"])


def test_columns_given_by_flag(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.csv", "a,b,c\nx,muy rico,positivo\n")
    examples, _, _ = data.read_examples(path, "b", "c")
    assert examples.texts == ["muy rico"] and examples.labels == ["positivo"]
    with pytest.raises(AfinarError) as err:
        data.read_examples(path, "nope", "c")
    assert "nope" in err.value.message("en") and "a, b, c" in err.value.message("en")
    with pytest.raises(AfinarError) as err:
        data.read_examples(path, None, None)
    assert err.value.key == "textcls.data.columns" and err.value.hint("es")


def test_split_is_stratified_deterministic_and_keeps_duplicates_together() -> None:
    examples = data.Examples()
    for i in range(20):
        examples.add(f"bueno {i}", "pos")
        examples.add(f"malo {i}", "neg")
    examples.add("bueno 0", "pos")
    train, valid = data.split_examples(examples, 0.25, 42)
    assert len(train) + len(valid) == 41
    assert valid.labels.count("pos") in (5, 6) and valid.labels.count("neg") == 5
    assert ("bueno 0" in train.texts) != ("bueno 0" in valid.texts)
    again_train, again_valid = data.split_examples(examples, 0.25, 42)
    assert again_valid.texts == valid.texts


def test_one_class_and_unseen_labels(tmp_path: Path) -> None:
    one = _write(tmp_path / "one.csv", "text,label\n" + "".join(f"t{i},pos\n" for i in range(10)))
    with pytest.raises(AfinarError) as err:
        data.load_splits(one, None, 0.2, 42)
    assert err.value.key == "textcls.data.one_class"
    train = _write(tmp_path / "train.csv", "text,label\na,pos\nb,neg\n")
    valid = _write(tmp_path / "valid.csv", "text,label\nc,pos\nd,neutro\n")
    with pytest.raises(AfinarError) as err:
        data.load_splits(train, valid, 0.2, 42)
    assert err.value.key == "textcls.data.unseen_labels" and "neutro" in err.value.message("en")


def test_jsonl_round_trip(tmp_path: Path) -> None:
    examples = data.Examples(["ñandú \"rico\"", "línea\ncon salto"], ["pos", "neg"])
    data.write_jsonl(tmp_path / "x.jsonl", examples)
    assert data.read_jsonl(tmp_path / "x.jsonl") == examples


def test_restaurant_example_is_valid_and_includes_the_course_rows() -> None:
    root = Path(__file__).resolve().parents[2] / "examples" / "restaurante"
    train, _, _ = data.read_examples(root / "train.csv", None, None)
    valid, _, _ = data.read_examples(root / "valid.csv", None, None)
    assert len(train) + len(valid) >= 150
    assert set(train.labels) == set(valid.labels) == {"positivo", "negativo", "neutral"}
    assert "La comida es buena pero el servicio es lento" in train.texts
    assert not set(train.texts) & set(valid.texts)
    for path in (root / "train.csv", root / "valid.csv"):
        assert data.check(path, for_validation=path.stem == "valid").valid
