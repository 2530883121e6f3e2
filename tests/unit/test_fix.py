"""`fix` repairs what can be repaired without guessing, reports it per line, and loses nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from afinar.data.fix import fix_file
from afinar.data.validate import ValidateOptions, validate
from afinar.errors import AfinarError

REPO = Path(__file__).resolve().parents[2]
CHAT = REPO / "tests" / "fixtures" / "chat"
SEED = REPO.parent / "shared" / "seed"


def _codes(result) -> list[tuple[int, str]]:
    return [(c.line, c.code) for c in result.changes]


@pytest.mark.parametrize("name,expected", [
    ("bom", [(1, "bom")]),
    ("blank_line", [(3, "blank_line")]),
    ("mojibake", [(5, "mojibake")]),
    ("trailing_comma", [(3, "trailing_comma")]),
    ("multiline_json", [(4, "multiline_json")]),
    ("json_array", [(1, "json_array")]),
    ("not_utf8", [(3, "not_utf8")]),
])
def test_each_repair_then_validates_clean(tmp_path: Path, name: str, expected) -> None:
    out = tmp_path / "fixed.jsonl"
    result = fix_file(CHAT / f"{name}.jsonl", out)
    assert _codes(result) == expected
    assert result.unfixed == []
    report = validate(out, ValidateOptions(task="chat"))
    assert report.valid, [f.to_dict() for f in report.findings]
    assert not [f for f in report.findings if f.code != "too_few_examples"]
    assert all(json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())


def test_mojibake_repair_is_exact(tmp_path: Path) -> None:
    out = tmp_path / "fixed.jsonl"
    result = fix_file(CHAT / "mojibake.jsonl", out)
    assert result.changes[0].params == {"before": "Â¿Pregunta nÃºmero", "after": "¿Pregunta número"}
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[4])["messages"][0]["content"] == "¿Pregunta número 4?"


def test_invalid_lines_are_kept_and_reported(tmp_path: Path) -> None:
    out = tmp_path / "fixed.jsonl"
    result = fix_file(CHAT / "invalid_json.jsonl", out)
    assert [(c.line, c.code) for c in result.unfixed] == [(7, "invalid_json")]
    source_lines = (CHAT / "invalid_json.jsonl").read_text(encoding="utf-8").splitlines()
    assert out.read_text(encoding="utf-8").splitlines() == source_lines  # nothing lost, nothing changed


def test_crlf_and_clean_lines_kept_byte_for_byte(tmp_path: Path) -> None:
    rows = [json.dumps({"messages": [{"role": "user", "content": f"q {i}"}, {"role": "assistant", "content": "a"}]})
            for i in range(3)]
    src = tmp_path / "crlf.jsonl"
    src.write_bytes("\r\n".join(rows).encode() + b"\r\n")
    out = tmp_path / "out.jsonl"
    result = fix_file(src, out)
    assert _codes(result) == [(0, "crlf")]
    assert out.read_text(encoding="utf-8") == "\n".join(rows) + "\n"


def test_never_overwrites_input(tmp_path: Path) -> None:
    src = tmp_path / "data.jsonl"
    src.write_text('{"messages": []}\n', encoding="utf-8")
    with pytest.raises(AfinarError) as err:
        fix_file(src, src)
    assert err.value.key == "data.fix.same_file"
    assert src.read_text(encoding="utf-8") == '{"messages": []}\n'


def test_broken_array_writes_nothing(tmp_path: Path) -> None:
    src = tmp_path / "array.json"
    src.write_text('[\n  {"messages": []},\n  {"messages": [}\n]\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with pytest.raises(AfinarError) as err:
        fix_file(src, out)
    assert err.value.key == "data.fix.broken_array" and err.value.params["line"] == 3
    assert not out.exists() and not list(tmp_path.glob(".out.jsonl.*"))


def test_course_text_is_repaired_to_readable_spanish(tmp_path: Path) -> None:
    out = tmp_path / "curso.md"
    result = fix_file(SEED / "000_388937f3881d5a4b.txt", out)
    assert result.mode == "text"
    assert out.read_text(encoding="utf-8") == (SEED / "000_388937f3881d5a4b.utf8-repaired.md").read_text(encoding="utf-8")
    assert result.changes[0].params == {"before": "Secci√≥n", "after": "Sección"}


def _course_blocks() -> dict[str, list[str]]:
    """The example JSONL blocks of the course text, as stored (mojibake included)."""
    text = (SEED / "000_388937f3881d5a4b.txt").read_text(encoding="utf-8")
    blocks: list[list[str]] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("```"):
            inside = not inside
            if inside:
                blocks.append([])
        elif inside and line.startswith('{"messages"'):
            blocks[-1].append(line)
    found = {}
    for block in blocks:
        joined = "\n".join(block)
        if "iPhone 15 en stock" in joined:
            found["techstore"] = block
        elif "pasta" in joined and "delivery" in joined:
            found["restaurante"] = block
    return found


@pytest.mark.parametrize("name,count", [("techstore", 3), ("restaurante", 4)])
def test_course_examples_validate_clean_after_fix(tmp_path: Path, name: str, count: int) -> None:
    lines = _course_blocks()[name]
    assert len(lines) == count
    src = tmp_path / f"{name}.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = validate(src, ValidateOptions(task="chat", min_examples=1))
    assert {f.code for f in before.findings} == {"mojibake", "too_few_examples"}
    out = tmp_path / f"{name}.fixed.jsonl"
    fix_file(src, out)
    after = validate(out, ValidateOptions(task="chat", min_examples=1))
    assert after.valid and [f.code for f in after.findings] == ["too_few_examples"]
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])["messages"][0]["content"]
    assert first in ("¿Qué laptop me recomiendas para programar?", "¿Qué platos tienen de pasta?")
