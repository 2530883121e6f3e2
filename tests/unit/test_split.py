"""split: stratified, deterministic, duplicates on one side, input untouched."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from afinar.data.split import assign_valid, split_file
from afinar.data.textcls_checks import text_key
from afinar.errors import AfinarError

pytestmark = pytest.mark.unit

REVIEWS = Path(__file__).resolve().parents[2] / "examples" / "sentiment" / "reviews.csv"


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_stratified_by_label(tmp_path):
    result = split_file(REVIEWS, valid=0.2, seed=42, outdir=tmp_path)
    assert (result.train, result.valid) == (48, 12)
    assert result.by_label == {"positivo": [16, 4], "negativo": [16, 4], "neutro": [16, 4]}
    assert result.task == "text-classification"
    train, valid = read_csv(result.train_path), read_csv(result.valid_path)
    assert train[0] == valid[0] == ["texto", "etiqueta"]
    assert len(train) == 49 and len(valid) == 13
    assert sorted(train[1:] + valid[1:]) == sorted(read_csv(REVIEWS)[1:])


def test_deterministic_and_seed_dependent(tmp_path):
    a = split_file(REVIEWS, 0.2, 7, tmp_path / "a")
    b = split_file(REVIEWS, 0.2, 7, tmp_path / "b")
    c = split_file(REVIEWS, 0.2, 8, tmp_path / "c")
    assert a.valid_path.read_bytes() == b.valid_path.read_bytes()
    assert a.valid_path.read_bytes() != c.valid_path.read_bytes()


def test_writes_beside_input_and_keeps_input(tmp_path):
    path = tmp_path / "datos.csv"
    path.write_bytes(REVIEWS.read_bytes())
    result = split_file(path)
    assert result.train_path == tmp_path / "datos_train.csv"
    assert result.valid_path == tmp_path / "datos_valid.csv"
    assert path.read_bytes() == REVIEWS.read_bytes()
    assert result.valid == 6  # 10% of 20 per label, rounded


def test_duplicates_never_straddle(tmp_path):
    rows = [f"Texto {i},{'a' if i % 2 else 'b'}" for i in range(40)]
    rows += ["texto 3,a", "TEXTO  3,a", "Texto 4,b", "texto 5,b"]  # repeats (the last with another label)
    path = tmp_path / "d.csv"
    path.write_text("text,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    for seed in range(10):
        result = split_file(path, 0.3, seed, tmp_path / str(seed))
        train = {text_key(r[0]) for r in read_csv(result.train_path)[1:]}
        valid = {text_key(r[0]) for r in read_csv(result.valid_path)[1:]}
        assert not train & valid
        assert result.grouped == 7


def test_chat_jsonl_groups_equal_objects(tmp_path):
    lines = [json.dumps({"messages": [{"role": "user", "content": f"q{i}"},
                                      {"role": "assistant", "content": "a"}]}) for i in range(20)]
    lines.append(json.dumps({"messages": [{"role": "user", "content": "Q1"},
                                          {"role": "assistant", "content": "A"}]}, indent=None, separators=(",", ":")))
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    result = split_file(path, 0.25, 1)
    assert result.task == "chat" and result.train + result.valid == 21 and result.grouped == 2
    train = result.train_path.read_text(encoding="utf-8")
    valid = result.valid_path.read_text(encoding="utf-8")
    assert ('"q1"' in train) == ('"Q1"' in train) and ('"q1"' in valid) == ('"Q1"' in valid)
    assert set(train.splitlines()) | set(valid.splitlines()) == set(lines)


def test_text_label_jsonl_is_stratified(tmp_path):
    path = tmp_path / "cls.jsonl"
    path.write_text("".join(json.dumps({"text": f"t{i}", "label": "xy"[i % 2]}) + "\n" for i in range(20)),
                    encoding="utf-8")
    result = split_file(path, 0.2, 3)
    assert result.task == "text-classification" and result.by_label == {"x": [8, 2], "y": [8, 2]}


def test_latin1_semicolon_csv_becomes_utf8(tmp_path):
    path = tmp_path / "l1.csv"
    body = "".join(f"reseña {i};{'sí' if i % 2 else 'no'}\r\n" for i in range(10))
    path.write_bytes(("texto;etiqueta\r\n" + body).encode("latin-1"))
    result = split_file(path, 0.2, 1)
    text = result.train_path.read_text(encoding="utf-8")
    assert text.startswith("texto;etiqueta\n") and "reseña" in text


def test_table_without_known_columns_is_split_unstratified(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,c\n" + "".join(f"{i},x,y\n" for i in range(10)), encoding="utf-8")
    result = split_file(path, 0.3, 1)
    assert result.task == "table" and (result.train, result.valid) == (7, 3)


def test_errors(tmp_path):
    with pytest.raises(AfinarError) as err:
        split_file(tmp_path)
    assert err.value.key == "split.unsupported"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": []}\n{roto\n', encoding="utf-8")
    with pytest.raises(AfinarError) as err:
        split_file(bad)
    assert err.value.key == "split.bad_line" and err.value.params["line"] == 2
    one = tmp_path / "one.jsonl"
    one.write_text('{"a": 1}\n{"a":  1}\n', encoding="utf-8")
    with pytest.raises(AfinarError) as err:
        split_file(one)
    assert err.value.key == "split.too_few"
    assert not (tmp_path / "one_train.jsonl").exists()


def test_each_side_gets_at_least_one_group():
    units = [(bytes([i]), None) for i in range(3)]
    assert len(assign_valid(units, 0.01, 0)) == 1
    assert len(assign_valid(units, 0.99, 0)) == 2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 15), st.sampled_from(["a", "b", "c"])), min_size=2, max_size=60),
       st.floats(0.05, 0.5), st.integers(0, 1000))
def test_groups_never_straddle_property(pairs, valid, seed):
    units = [(bytes([text]), label) for text, label in pairs]
    if len({k for k, _ in units}) < 2:
        return
    chosen = assign_valid(units, valid, seed)
    keys = {k for k, _ in units}
    assert chosen and chosen < keys
    assert chosen == assign_valid(units, valid, seed)
