"""Preference data (OpenAI's DPO format): findings with lines and fields, detection, fix, stats,
conversion from prompt/chosen/rejected tables and TRL records, and read_pairs for the trainer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from afinar.data.convert import ConvertOptions, convert_file
from afinar.data.fix import fix_file
from afinar.data.preference import read_pairs
from afinar.data.validate import ValidateOptions, infer_task, validate

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "preference" / "findings.jsonl"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "techstore"

# One problem per line of the fixture: (line, code, severity, field).
EXPECTED = {
    (0, "too_few_examples", "warning", None),
    (2, "duplicate_example", "warning", None),
    (3, "input_last_not_user", "error", "input.messages[1].role"),
    (4, "missing_input_messages", "error", "input.messages"),
    (5, "missing_output", "error", "preferred_output"),
    (6, "output_not_one_message", "error", "non_preferred_output"),
    (7, "output_not_assistant", "error", "preferred_output[0].role"),
    (8, "empty_output", "error", "non_preferred_output[0].content"),
    (9, "identical_outputs", "error", "non_preferred_output[0]"),
    (10, "preference_unrecognized_key", "warning", "score"),
    (11, "preference_chat_example", "error", "messages"),
    (12, "preference_columns", "error", None),
    (13, "not_preference_pair", "error", None),
    (14, "unrecognized_role", "error", "input.messages[0].role"),  # the chat check, with the input's path
}


def _pair(prompt: str, good: str, bad: str) -> dict:
    return {"input": {"messages": [{"role": "user", "content": prompt}]},
            "preferred_output": [{"role": "assistant", "content": good}],
            "non_preferred_output": [{"role": "assistant", "content": bad}]}


def _write(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_every_finding_of_the_fixture_with_its_line_and_field() -> None:
    report = validate(FIXTURE)
    assert report.task == "preference" and report.examples == 15
    assert {(f.line, f.code, f.severity, f.field) for f in report.findings} == EXPECTED
    assert not report.valid
    assert report.stats["usable_examples"] == 4  # lines 1, 2, 10 and 15 (tools and a tool call)
    (dup,) = [f for f in report.findings if f.code == "duplicate_example"]
    assert dup.params["first_line"] == 1


def test_findings_are_translated() -> None:
    report = validate(FIXTURE)
    for finding in report.findings:  # every text renders in both languages
        assert all(text for lang in ("en", "es") for text in (finding.message(lang), finding.hint(lang)))
    (finding,) = [f for f in report.findings if f.code == "identical_outputs"]
    assert "idénticas" in finding.message("es") and "identical" in finding.message("en")
    (chat,) = [f for f in report.findings if f.code == "preference_chat_example"]
    assert "--task chat" in chat.hint("en") and "--task chat" in chat.hint("es")
    (columns,) = [f for f in report.findings if f.code == "preference_columns"]
    assert "--to preference" in columns.hint("es")


def test_too_few_and_too_many_tokens_follow_the_chat_rules(tmp_path: Path) -> None:
    rows = [_pair(f"¿Pregunta {i}?", "Sí.", "No " * (40 if i == 3 else 1)) for i in range(5)]
    report = validate(_write(tmp_path / "p.jsonl", rows), ValidateOptions(max_tokens=40))
    codes = {(f.line, f.code, f.severity) for f in report.findings}
    assert codes == {(0, "too_few_examples", "error"), (4, "too_many_tokens", "error")}
    (long,) = [f for f in report.findings if f.code == "too_many_tokens"]
    stats = report.stats
    # prompt + the longer answer: ceil(chars / 2.5) + 5 per message
    assert long.params["tokens"] == stats["prompt_tokens"]["max"] + stats["non_preferred_tokens"]["max"]


def test_detection(tmp_path: Path) -> None:
    assert infer_task(EXAMPLES / "preferencias.jsonl") == "preference"
    assert infer_task(EXAMPLES / "preferencias.csv") == "preference"
    assert infer_task(EXAMPLES / "train.jsonl") == "chat"
    assert infer_task(EXAMPLES / "preguntas.csv") == "text-classification"
    trl = _write(tmp_path / "trl.jsonl", [{"prompt": "a", "chosen": "b", "rejected": "c"}])
    assert infer_task(trl) == "preference"


def test_a_table_is_told_to_convert(tmp_path: Path) -> None:
    report = validate(EXAMPLES / "preferencias.csv")
    assert [(f.line, f.code) for f in report.findings] == [(0, "preference_columns")]
    assert "prompt,chosen,rejected" in report.findings[0].message("en")


def test_the_example_set_is_valid() -> None:
    report = validate(EXAMPLES / "preferencias.jsonl")
    assert report.valid and report.examples == 24
    assert {f.code for f in report.findings} == {"too_few_examples"}  # the "fewer than 50" warning
    stats = report.stats
    assert stats["usable_examples"] == 24 and stats["duplicates"] == 0
    assert stats["preferred_tokens"]["max"] < stats["non_preferred_tokens"]["max"]  # long bad answers


def test_read_pairs_returns_the_usable_lines_for_the_trainer() -> None:
    pairs = read_pairs(FIXTURE)
    assert [p["chosen"]["content"] for p in pairs[:3]] == ["$799.", "$799.", "Tarjeta, transferencia y PayPal."]
    first = pairs[0]
    assert first == {"messages": [{"role": "user", "content": "¿Precio del iPhone 15?"}],
                     "chosen": {"role": "assistant", "content": "$799."},
                     "rejected": {"role": "assistant", "content": "It costs 899 dollars."}}
    tool_pair = pairs[3]
    assert tool_pair["tools"][0]["function"]["name"] == "consultar_stock"
    assert tool_pair["chosen"]["tool_calls"][0]["function"]["name"] == "consultar_stock"
    assert len(read_pairs(EXAMPLES / "preferencias.jsonl")) == 24


def test_read_pairs_of_a_missing_file_raises(tmp_path: Path) -> None:
    from afinar.errors import AfinarError

    with pytest.raises(AfinarError):
        read_pairs(tmp_path / "nope.jsonl")


def test_read_pairs_and_the_data_package_do_not_import_torch() -> None:
    import subprocess
    import sys

    code = "import sys, afinar.data.preference, afinar.data.preference_validate; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_fix_drops_repeats_and_identical_answers_and_repairs_mojibake(tmp_path: Path) -> None:
    good = _pair("¿Envíos?", "Sí, gratis desde $50.", "No.")
    garbled = _pair("¿Envíos?", "Sí, gratis desde $50.".encode().decode("cp1252"), "No.")
    rows = [garbled, good, _pair("¿Igual?", "Sí.", " Sí. "), _pair("¿Horario?", "De 10 a 20.", "24 h.")]
    out = tmp_path / "fixed.jsonl"
    result = fix_file(_write(tmp_path / "p.jsonl", rows), out)
    assert [(c.line, c.code) for c in result.changes] == [(1, "mojibake"), (2, "duplicate_pair"),
                                                        (3, "identical_outputs")]
    assert result.changes[1].params == {"first_line": 1}
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == [rows[1], rows[3]]
    assert result.records == 2


def test_chat_fix_keeps_duplicates(tmp_path: Path) -> None:
    chat = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
    result = fix_file(_write(tmp_path / "c.jsonl", [chat, chat]), tmp_path / "o.jsonl")
    assert result.records == 2 and not result.changes


def test_convert_csv_with_spanish_columns_and_system(tmp_path: Path) -> None:
    source = tmp_path / "pares.csv"
    source.write_text("pregunta,elegida,rechazada,sistema\n"
                      "¿Precio del iPhone 15?,$799.,It costs 899.,Eres TechStore\n"
                      "¿Horario?,De 10 a 20.,,Eres TechStore\n"
                      "¿Igual?,Sí,Sí,\n", encoding="utf-8")
    result = convert_file(source, tmp_path / "p.jsonl", ConvertOptions(to="preference"))
    assert result.columns == {"prompt": "pregunta", "chosen": "elegida", "rejected": "rechazada",
                              "system": "sistema"}
    assert result.written == 1 and result.skipped_empty == [3, 4]
    (row,) = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()]
    assert row == {"input": {"messages": [{"role": "system", "content": "Eres TechStore"},
                                          {"role": "user", "content": "¿Precio del iPhone 15?"}]},
                   "preferred_output": [{"role": "assistant", "content": "$799."}],
                   "non_preferred_output": [{"role": "assistant", "content": "It costs 899."}]}


def test_convert_the_example_csv_gives_valid_pairs(tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    result = convert_file(EXAMPLES / "preferencias.csv", out, ConvertOptions(to="preference"))
    assert result.written == 6 and result.shape == "table"
    report = validate(out, ValidateOptions(min_examples=6))
    assert report.valid and report.task == "preference"
    examples = {json.dumps(json.loads(line), sort_keys=True)
                for line in (EXAMPLES / "preferencias.jsonl").read_text(encoding="utf-8").splitlines()}
    assert all(json.dumps(json.loads(line), sort_keys=True) in examples
               for line in out.read_text(encoding="utf-8").splitlines())


def test_convert_trl_records_explicit_and_implicit_prompt(tmp_path: Path) -> None:
    rows = [
        {"chosen": [{"role": "user", "content": "Hola"}, {"role": "assistant", "content": "Hola, ¿en qué te ayudo?"}],
         "rejected": [{"role": "user", "content": "Hola"}, {"role": "assistant", "content": "Hello"}]},
        {"prompt": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}],
         "chosen": [{"role": "assistant", "content": "A"}], "rejected": [{"role": "assistant", "content": "B"}]},
        {"prompt": "Q", "chosen": [{"role": "assistant", "content": "A"}, {"role": "assistant", "content": "A2"}],
         "rejected": [{"role": "assistant", "content": "B"}]},
    ]
    out = tmp_path / "p.jsonl"
    result = convert_file(_write(tmp_path / "trl.jsonl", rows), out, ConvertOptions(to="preference"))
    assert result.shape == "trl" and result.written == 2 and result.skipped_roles == [3]
    pairs = read_pairs(out)
    assert pairs[0]["messages"] == [{"role": "user", "content": "Hola"}]
    assert pairs[0]["rejected"] == {"role": "assistant", "content": "Hello"}
    assert [m["role"] for m in pairs[1]["messages"]] == ["system", "user"]


def test_convert_keeps_openai_pairs(tmp_path: Path) -> None:
    rows = [_pair("a", "b", "c")]
    out = tmp_path / "p.jsonl"
    result = convert_file(_write(tmp_path / "in.jsonl", rows), out, ConvertOptions(to="preference"))
    assert result.shape == "preference" and json.loads(out.read_text(encoding="utf-8")) == rows[0]
