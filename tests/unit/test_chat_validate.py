"""Each chat code has a fixture file; validate must report exactly the expected findings there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from afinar.data.validate import ValidateOptions, validate

CHAT = Path(__file__).resolve().parent.parent / "fixtures" / "chat"

# fixture -> every finding expected (line, code, severity), besides the "fewer than 50" warning.
EXPECTED: dict[str, set[tuple[int, str, str]]] = {
    "blank_line": {(3, "blank_line", "warning")},
    "bom": {(1, "bom", "warning")},
    "mojibake": {(5, "mojibake", "warning")},
    "invalid_json": {(7, "invalid_json", "error")},
    "trailing_comma": {(3, "trailing_comma", "error")},
    "multiline_json": {(4, "multiline_json", "error")},
    "json_array": {(1, "json_array", "error")},
    "data_type": {(2, "data_type", "error")},
    "missing_messages_list": {(3, "missing_messages_list", "error")},
    "message_missing_key": {(4, "message_missing_key", "error")},
    "message_unrecognized_key": {(5, "message_unrecognized_key", "error")},
    "unrecognized_role": {(6, "unrecognized_role", "error")},
    "missing_content": {(7, "missing_content", "error")},
    "example_missing_assistant_message": {(8, "example_missing_assistant_message", "error")},
    "empty_content": {(9, "empty_content", "warning")},
    "invalid_weight": {(10, "invalid_weight", "error")},
    "message_not_object": {(2, "message_not_object", "error")},
    "too_few_examples": {(0, "too_few_examples", "error")},
    "duplicate_example": {(12, "duplicate_example", "warning")},
    "inconsistent_structure": {(0, "inconsistent_structure", "warning")},
    "not_utf8": {(3, "not_utf8", "error")},
    "valid_tools_weights": set(),
}


def _findings(report) -> set[tuple[int, str, str]]:
    return {(f.line, f.code, f.severity) for f in report.findings
            if not (f.code == "too_few_examples" and f.severity == "warning")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_reports_exactly_expected(name: str) -> None:
    report = validate(CHAT / f"{name}.jsonl", ValidateOptions(task="chat"))
    assert _findings(report) == EXPECTED[name]
    assert report.valid == (not any(sev == "error" for _, _, sev in EXPECTED[name]))


def test_every_fixture_is_tested() -> None:
    assert {p.stem for p in CHAT.glob("*.jsonl")} == set(EXPECTED)


def test_multiline_reports_once_with_its_end_line() -> None:
    report = validate(CHAT / "multiline_json.jsonl", ValidateOptions(task="chat"))
    (finding,) = [f for f in report.findings if f.code == "multiline_json"]
    assert finding.params["end_line"] == 4 + 12 - 1  # the pretty-printed object has 12 lines
    assert report.examples == 12  # the joined object is still checked and counted


def test_duplicate_names_first_line_and_not_utf8_names_offset_and_guess() -> None:
    dup = validate(CHAT / "duplicate_example.jsonl", ValidateOptions(task="chat"))
    assert [f.params["first_line"] for f in dup.findings if f.code == "duplicate_example"] == [3]
    bad = validate(CHAT / "not_utf8.jsonl", ValidateOptions(task="chat"))
    (finding,) = [f for f in bad.findings if f.code == "not_utf8"]
    raw = (CHAT / "not_utf8.jsonl").read_bytes()
    assert raw[finding.params["offset"]] == 0xE9  # the "é" of "café" in Windows-1252
    assert finding.params["guess"] == "cp1252"


def test_message_fields_point_at_the_json_path() -> None:
    report = validate(CHAT / "unrecognized_role.jsonl", ValidateOptions(task="chat"))
    (finding,) = [f for f in report.findings if f.code == "unrecognized_role"]
    assert finding.field == "messages[0].role"
    assert "usuario" in finding.message("en") and "usuario" in finding.message("es")


def test_all_problems_are_reported_not_the_first(tmp_path: Path) -> None:
    lines = [json.dumps({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": f"a{i}"}]})
             for i in range(12)]
    lines[1] = "{broken"
    lines[4] = '{"messages": []}'
    lines[8] = json.dumps({"messages": [{"role": "robot", "content": "x"}]})
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate(path, ValidateOptions(task="chat"))
    codes = {(f.line, f.code) for f in report.errors}
    assert codes == {(2, "invalid_json"), (5, "missing_messages_list"), (9, "unrecognized_role"),
                     (9, "example_missing_assistant_message")}


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02", b"\n\n\n", b"[", b"{" * 5000, b"\xff\xfe\x00"])
def test_degenerate_inputs_give_findings_not_exceptions(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "weird.jsonl"
    path.write_bytes(content)
    report = validate(path, ValidateOptions(task="chat"))
    assert not report.valid
    assert report.findings


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = validate(tmp_path / "nope.jsonl")
    assert [(f.line, f.code) for f in missing.findings] == [(0, "file_not_found")]
    folder = validate(tmp_path, ValidateOptions(task="chat"))
    assert [(f.line, f.code) for f in folder.findings] == [(0, "not_a_file")]


def test_min_examples_and_max_tokens_options(tmp_path: Path) -> None:
    path = tmp_path / "three.jsonl"
    long = "palabra " * 400
    rows = [{"messages": [{"role": "user", "content": "hola"}, {"role": "assistant", "content": c}]}
            for c in ("corta", "otra", long)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    report = validate(path, ValidateOptions(task="chat", min_examples=3, max_tokens=200))
    assert {(f.line, f.code, f.severity) for f in report.findings} == {
        (0, "too_few_examples", "warning"), (3, "too_many_tokens", "error")}


def test_task_is_inferred(tmp_path: Path) -> None:
    report = validate(CHAT / "bom.jsonl")
    assert report.task == "chat"


def test_tool_calling_examples_take_the_typed_path_and_repeat_across_spellings(tmp_path: Path) -> None:
    """A tool-calling example decodes as a ToolExample (not the general path); the same example
    with its tools' keys in another order is still a duplicate, as on the general path."""
    from afinar.data.chat_tools import ToolExample, ToolsDecoder

    tools = [{"type": "function", "function": {"name": "precio", "parameters": {"type": "object"}}}]
    example = {"messages": [{"role": "user", "content": "¿Precio del X1?"},
                            {"role": "assistant", "content": None, "tool_calls": [
                                {"id": "c1", "type": "function",
                                 "function": {"name": "precio", "arguments": "{\"modelo\": \"X1\"}"}}]},
                            {"role": "tool", "tool_call_id": "c1", "content": "{\"precio\": 999}"},
                            {"role": "assistant", "content": ""}], "tools": tools}
    line = json.dumps(example, ensure_ascii=False)
    assert type(ToolsDecoder()(line.encode())) is ToolExample
    path = tmp_path / "tools.jsonl"
    path.write_text(line + "\n" + json.dumps(example, sort_keys=True, separators=(",", ":")) + "\n",
                    encoding="utf-8")
    report = validate(path, ValidateOptions(task="chat", min_examples=1))
    assert {(f.line, f.code) for f in report.findings if f.line} == {
        (1, "empty_content"), (2, "empty_content"), (2, "duplicate_example")}
