"""`afinar data convert` and `afinar data split` through the real entry point; validate on CSV/images."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.cli

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "tests" / "fixtures"


def test_course_csv_converts_with_no_flags(run_cli, tmp_path):
    out = tmp_path / "preguntas.jsonl"
    code, stdout, _ = run_cli("data", "convert", REPO / "examples/techstore/preguntas.csv", "-o", out,
                              "--to", "chat")
    assert code == 0
    assert "pregunta" in stdout and "15" in stdout
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert [m["role"] for m in first["messages"]] == ["user", "assistant"]
    code, stdout, _ = run_cli("data", "validate", out, "--min-examples", "10", "--json")
    assert code == 0 and json.loads(stdout)["errors"] == []


def test_convert_in_spanish_with_json_output(run_cli, tmp_path):
    out = tmp_path / "cls.csv"
    code, stdout, _ = run_cli("data", "convert", FIX / "convert/reviews.csv", "-o", out,
                              "--to", "text-classification", "--json", "--lang", "es")
    assert code == 0
    payload = json.loads(stdout)
    assert payload["written"] == 2 and payload["skipped_empty"] == [4]
    assert payload["columns"] == {"text": "reseña", "label": "sentimiento"}


def test_convert_missing_column_is_a_clean_error(run_cli, tmp_path):
    code, _, stderr = run_cli("data", "convert", FIX / "convert/unknown.csv", "-o", tmp_path / "x.jsonl",
                              "--lang", "es")
    assert code == 1
    assert "col_a, col_b" in stderr and "--user-col" in stderr and "Traceback" not in stderr


def test_convert_refuses_to_overwrite_input(run_cli, tmp_path):
    src = tmp_path / "qa.csv"
    src.write_bytes((FIX / "convert/qa_comma.csv").read_bytes())
    code, _, stderr = run_cli("data", "convert", src, "-o", src)
    assert code == 1 and "never overwrites" in stderr
    assert src.read_bytes() == (FIX / "convert/qa_comma.csv").read_bytes()


def test_convert_sharegpt_flags_and_system(run_cli, tmp_path):
    out = tmp_path / "sg.jsonl"
    code, stdout, _ = run_cli("data", "convert", FIX / "convert/qa.jsonl", "-o", out,
                              "--system", "Eres el asistente de TechStore.")
    assert code == 0
    assert all(json.loads(line)["messages"][0]["role"] == "system"
               for line in out.read_text(encoding="utf-8").splitlines())


def test_split_prints_counts(run_cli, tmp_path):
    code, stdout, _ = run_cli("data", "split", REPO / "examples/sentiment/reviews.csv", "--valid", "0.2",
                              "--seed", "42", "-o", tmp_path)
    assert code == 0
    assert "48" in stdout and "12" in stdout and "neutro: 16 train, 4 valid" in stdout
    assert (tmp_path / "reviews_train.csv").exists() and (tmp_path / "reviews_valid.csv").exists()


def test_split_json_and_bad_fraction(run_cli, tmp_path):
    code, stdout, _ = run_cli("data", "split", REPO / "examples/sentiment/reviews.csv", "-o", tmp_path,
                              "--json")
    assert code == 0 and json.loads(stdout)["valid"] == 6
    code, _, _ = run_cli("data", "split", REPO / "examples/sentiment/reviews.csv", "--valid", "1.5")
    assert code == 2


def test_validate_text_classification_csv(run_cli):
    code, stdout, _ = run_cli("data", "validate", FIX / "textcls/missing.csv", "--json")
    report = json.loads(stdout)
    assert code == 1 and report["task"] == "text-classification"
    assert [(e["line"], e["code"]) for e in report["errors"]] == [(18, "missing_text"), (19, "missing_label")]


def test_validate_example_reviews_is_clean(run_cli):
    code, stdout, _ = run_cli("data", "validate", REPO / "examples/sentiment/reviews.csv", "--json")
    report = json.loads(stdout)
    assert code == 0 and report["errors"] == [] and report["warnings"] == []
    assert report["stats"]["labels"] == {"negativo": 20, "neutro": 20, "positivo": 20}


def test_validate_image_folder(run_cli, tmp_path):
    from PIL import Image

    for cls in ("gato", "perro"):
        (tmp_path / cls).mkdir()
        for i in range(6):
            Image.new("RGB", (64, 64), (i * 30, 0, 0)).save(tmp_path / cls / f"{i}.png")
    (tmp_path / "perro" / "roto.jpg").write_bytes(b"\xff\xd8\xff\xe0 broken")
    code, stdout, _ = run_cli("data", "validate", tmp_path, "--json")
    report = json.loads(stdout)
    assert code == 1 and report["task"] == "image-classification"
    assert [(e["line"], e["code"], e["field"]) for e in report["errors"]] == [(0, "corrupt_image", "perro/roto.jpg")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=1024))
def test_random_bytes_as_csv_exit_0_or_1(run_cli, tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("rnd") / "random.csv"
    path.write_bytes(raw)
    code, _, stderr = run_cli("data", "validate", path, "--task", "text-classification", "--json")
    assert code in (0, 1), stderr
