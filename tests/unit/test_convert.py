"""convert: every input format and record shape → OpenAI chat JSONL or text,label CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from afinar.data.convert import ConvertOptions, convert_file
from afinar.data.validate import ValidateOptions, validate
from afinar.errors import AfinarError

pytestmark = pytest.mark.unit

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "convert"
QUESTION = "¿Cuánto cuesta el iPhone 15?"
ANSWER = "$799, en 128GB."


def chat(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for row in rows:  # the OpenAI chat fine-tuning shape
        assert list(row) == ["messages"]
        for m in row["messages"]:
            assert set(m) == {"role", "content"} and m["role"] in ("system", "user", "assistant")
            assert isinstance(m["content"], str) and m["content"]
    return rows


def to_chat(tmp_path: Path, name: str | Path, **options) -> tuple[Path, object]:
    out = tmp_path / "out.jsonl"
    result = convert_file(FIX / name if isinstance(name, str) else name, out, ConvertOptions(**options))
    return out, result


def first_pair(rows: list[dict]) -> tuple[str, str]:
    msgs = [m for m in rows[0]["messages"] if m["role"] != "system"]
    return msgs[0]["content"], msgs[1]["content"]


@pytest.mark.parametrize("name", ["qa_comma.csv", "qa_semicolon_latin1.csv", "qa_english.tsv",
                                  "qa_array.json", "qa.jsonl"])
def test_question_answer_inputs_convert_without_flags(tmp_path, name):
    out, result = to_chat(tmp_path, name)
    rows = chat(out)
    assert result.written == len(rows) == 3
    assert first_pair(rows) == (QUESTION, ANSWER)


def test_latin1_semicolon_with_system_column(tmp_path):
    out, result = to_chat(tmp_path, "qa_semicolon_latin1.csv")
    assert result.format == "CSV (';', cp1252)"
    assert result.columns == {"user": "Pregunta", "assistant": "Respuesta", "system": "Sistema"}
    assert chat(out)[0]["messages"][0] == {"role": "system", "content": "Eres el asistente de TechStore."}


def test_output_is_utf8_not_escaped(tmp_path):
    out, _ = to_chat(tmp_path, "qa_comma.csv")
    text = out.read_text(encoding="utf-8")
    assert "¿Cuánto" in text and "\\u" not in text
    assert out.read_bytes().count(b"\n") == 3


def test_system_flag(tmp_path):
    out, _ = to_chat(tmp_path, "qa_comma.csv", system="Eres el vendedor de TechStore.")
    assert all(r["messages"][0]["role"] == "system" for r in chat(out))


def test_explicit_columns(tmp_path):
    out, result = to_chat(tmp_path, "unknown.csv", user_col="col_a", assistant_col="COL_B")
    assert first_pair(chat(out)) == ("x", "y")
    assert result.columns == {"user": "col_a", "assistant": "col_b"}


def test_missing_column_lists_columns_and_flag(tmp_path):
    with pytest.raises(AfinarError) as err:
        to_chat(tmp_path, "unknown.csv")
    assert err.value.key == "convert.missing_column"
    assert "col_a, col_b" in err.value.message("es") and "--user-col" in err.value.hint("en")
    assert "pregunta" in err.value.message("es")


def test_empty_rows_are_skipped_and_listed(tmp_path):
    out, result = to_chat(tmp_path, "with_empty.csv")
    assert result.written == 2 and result.skipped_empty == [3, 4]


def test_xlsx(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notas"
    sheet = book.create_sheet("Preguntas")
    sheet.append(["Pregunta", "Respuesta"])
    sheet.append([QUESTION, ANSWER])
    sheet.append([None, None])
    sheet.append(["¿Cuántos años de garantía?", 2])
    path = tmp_path / "libro.xlsx"
    book.save(path)
    out, result = to_chat(tmp_path, path, sheet="Preguntas")
    rows = chat(out)
    assert first_pair(rows) == (QUESTION, ANSWER) and rows[1]["messages"][1]["content"] == "2"
    assert result.format == "Excel (Preguntas)"
    with pytest.raises(AfinarError) as err:
        to_chat(tmp_path, path, sheet="Hoja9")
    assert "Notas, Preguntas" in err.value.message("en")


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "qa.parquet"
    pq.write_table(pa.table({"prompt": [QUESTION], "response": [ANSWER]}), path)
    out, result = to_chat(tmp_path, path)
    assert first_pair(chat(out)) == (QUESTION, ANSWER) and result.format == "Parquet"


def test_parquet_missing_pyarrow(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(AfinarError) as err:
        to_chat(tmp_path, path)
    assert err.value.key == "convert.parquet_missing" and "afinar[parquet]" in err.value.hint("es")


def test_alpaca(tmp_path):
    out, result = to_chat(tmp_path, "alpaca.json")
    rows = chat(out)
    assert result.shape == "alpaca" and len(rows) == 4
    assert rows[0]["messages"][0]["content"] == f"Responde como vendedor de TechStore.\n\n{QUESTION}"
    assert rows[3]["messages"][0]["content"] == "Di hola."


def test_sharegpt(tmp_path):
    out, result = to_chat(tmp_path, "sharegpt.jsonl")
    rows = chat(out)
    assert result.shape == "sharegpt" and result.skipped_roles == [3]
    assert [m["role"] for m in rows[0]["messages"]] == ["system", "user", "assistant", "user", "assistant"]
    assert rows[1]["messages"][0] == {"role": "user", "content": "¿Hacen envíos?"}


def test_chat_output_validates_clean(tmp_path):
    out, _ = to_chat(tmp_path, "qa_comma.csv")
    report = validate(out, ValidateOptions(min_examples=1, recommended_examples=1))
    assert report.task == "chat" and report.findings == []


def test_text_classification(tmp_path):
    out = tmp_path / "cls.csv"
    result = convert_file(FIX / "reviews.csv", out, ConvertOptions(to="text-classification"))
    assert result.columns == {"text": "reseña", "label": "sentimiento"}
    assert result.written == 2 and result.skipped_empty == [4]
    with open(out, encoding="utf-8", newline="") as fh:
        assert list(csv.reader(fh)) == [["text", "label"], ["Me encantó", "positivo"],
                                        ["Llegó roto", "negativo"]]


def test_text_classification_jsonl_output_and_flags(tmp_path):
    out = tmp_path / "cls.jsonl"
    convert_file(FIX / "unknown.csv", out, ConvertOptions(to="text-classification", text_col="col_a",
                                                          label_col="col_b"))
    assert json.loads(out.read_text(encoding="utf-8")) == {"text": "x", "label": "y"}
    with pytest.raises(AfinarError) as err:
        convert_file(FIX / "unknown.csv", out, ConvertOptions(to="text-classification"))
    assert "--text-col" in err.value.hint("en")


def test_never_overwrites_input(tmp_path):
    path = tmp_path / "qa.csv"
    path.write_bytes((FIX / "qa_comma.csv").read_bytes())
    with pytest.raises(AfinarError) as err:
        convert_file(path, tmp_path / "." / "qa.csv", ConvertOptions())
    assert err.value.key == "convert.same_file"
    assert path.read_bytes() == (FIX / "qa_comma.csv").read_bytes()


def test_bad_inputs_are_afinar_errors(tmp_path):
    bad_json = tmp_path / "bad.jsonl"
    bad_json.write_text('{"pregunta": "a", "respuesta": "b"}\n{roto\n', encoding="utf-8")
    with pytest.raises(AfinarError) as err:
        to_chat(tmp_path, bad_json)
    assert err.value.key == "convert.bad_json_line" and err.value.params["line"] == 2
    fake_xlsx = tmp_path / "fake.xlsx"
    fake_xlsx.write_bytes(b"not a zip")
    with pytest.raises(AfinarError):
        to_chat(tmp_path, fake_xlsx)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(AfinarError) as err:
        to_chat(tmp_path, old)
    assert err.value.key == "convert.unsupported"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(AfinarError) as err:
        to_chat(tmp_path, empty)
    assert err.value.key == "convert.no_records"
    assert not (tmp_path / "out.jsonl").exists()


def test_course_example_converts_with_no_flags(tmp_path):
    course = Path(__file__).resolve().parents[2] / "examples" / "techstore" / "preguntas.csv"
    out, result = to_chat(tmp_path, course)
    assert result.written >= 10 and result.columns == {"user": "pregunta", "assistant": "respuesta"}
    assert validate(out, ValidateOptions(min_examples=10, recommended_examples=10)).findings == []


def test_alpaca_history(tmp_path):
    path = tmp_path / "hist.jsonl"
    rows = [{"instruction": "¿Y el Pro?", "input": "", "output": "$999.", "history": [["¿Precio del iPhone 15?", "$799."]]},
            {"instruction": "x", "output": "y", "history": "roto"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    out, result = to_chat(tmp_path, path)
    assert [m["content"] for m in chat(out)[0]["messages"]] == ["¿Precio del iPhone 15?", "$799.", "¿Y el Pro?", "$999."]
    assert result.skipped_roles == [2]


def test_messages_records_are_kept_and_get_the_system_message(tmp_path):
    path = tmp_path / "m.jsonl"
    row = {"messages": [{"role": "user", "content": "hola"}, {"role": "assistant", "content": "¡hola!", "weight": 1}]}
    path.write_text(json.dumps(row) + "\n" + json.dumps({"messages": []}) + "\n", encoding="utf-8")
    out, result = to_chat(tmp_path, path, system="Eres amable.")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert result.shape == "messages" and result.skipped_empty == [2]
    assert rows == [{"messages": [{"role": "system", "content": "Eres amable."}, *row["messages"]]}]
