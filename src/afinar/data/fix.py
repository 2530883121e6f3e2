"""Repair what can be repaired without guessing content, and say what changed, line by line.

JSON Lines (and JSON arrays): encoding → UTF-8, BOM, CRLF, mojibake (ftfy's encoding fix only,
nothing else about the text is touched), pretty-printed objects and arrays → one object per line,
trailing commas, blank lines. A line that is still not JSON is kept as it was, for the user to edit,
and reported. Any other text file (the course's Markdown, a CSV) gets the text-level repairs only.
The output is written to a temporary file and renamed; the input is never overwritten.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from afinar.data.records import INVALID, LineTooLongError, iter_records
from afinar.data.textio import (BOM_UTF8, UTF16_BOMS, decode_text, fix_mojibake, may_be_mojibake,
                                may_be_mojibake_text, mojibake_sample)
from afinar.errors import AfinarError

_JSON_SUFFIXES = {".jsonl", ".jsonlines", ".ndjson", ".json"}
# Findings of the reader that fix repairs; anything else it reports as left for the user.
REPAIRED = frozenset({"bom", "not_utf8", "blank_line", "trailing_comma", "multiline_json",
                      "json_array", "mojibake"})


@dataclass(slots=True)
class Change:
    line: int  # line in the input (0: the whole file)
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class FixResult:
    source: str
    output: str
    mode: str  # "jsonl" or "text"
    changes: list[Change] = field(default_factory=list)
    unfixed: list[Change] = field(default_factory=list)  # problems left for the user (e.g. invalid JSON)
    records: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def fix_file(source: str | Path, output: str | Path) -> FixResult:
    src, out = Path(source), Path(output)
    if not src.is_file():
        raise AfinarError("common.file_not_found", path=str(src))
    if out.exists() and out.resolve() == src.resolve():
        raise AfinarError("data.fix.same_file", path=str(src))
    if not out.parent.is_dir():  # a typo in the folder should not quietly create one
        raise AfinarError("common.output_dir_missing", path=str(out.parent))
    with open(src, "rb") as fh:
        mode = "jsonl" if _looks_like_json(src, fh) else "text"
        result = FixResult(str(src), str(out), mode)
        if mode == "text":
            _write_atomically(out, lambda dst: _fix_text(fh, dst, result))
        else:
            drop = _pair_filter(src)
            _write_atomically(out, lambda dst: _fix_jsonl(fh, dst, result, drop))
    return result


def _looks_like_json(path: Path, fh: BinaryIO) -> bool:
    if path.suffix.lower() in _JSON_SUFFIXES:
        return True
    head = fh.peek(4096)[:4096]
    if head.startswith(UTF16_BOMS):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return head.lstrip(BOM_UTF8 + b" \t\r\n")[:1] in (b"{", b"[")


def _write_atomically(out: Path, write: Callable[[BinaryIO], None]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as dst:
            write(dst)
        os.replace(tmp, out)
    except BaseException:
        os.unlink(tmp)
        raise


Dropper = Callable[[Any, int], "tuple[str, dict[str, Any]] | None"]


def _pair_filter(src: Path) -> Dropper | None:
    """For preference data, what drops a repeated pair or one with identical answers; else None."""
    from afinar.data.validate import infer_task

    if infer_task(src) != "preference":
        return None
    from afinar.data.preference import PairDropper

    return PairDropper()


def _fix_jsonl(fh: BinaryIO, dst: BinaryIO, result: FixResult, drop: Dropper | None = None) -> None:
    """``drop(value, line)``: (code, params) when the record is left out (preference pairs)."""

    def add(line: int, code: str, severity: str | None = None, **params: Any) -> None:
        target = result.changes if code in REPAIRED else result.unfixed
        target.append(Change(line, code, params))

    crlf = 0
    try:
        for record in iter_records(fh, add, keep_invalid=True):
            if record.value is INVALID:
                dst.write(record.raw.rstrip(b"\r") + b"\n")
                continue
            raw = record.raw
            clean = raw is not None and not may_be_mojibake(raw)
            value = record.value if clean else _repair_strings(record.value)
            dropped = drop(value, record.line) if drop is not None else None
            if dropped is not None:
                result.changes.append(Change(record.line, *dropped))
                continue
            result.records += 1
            if clean:
                if raw.endswith(b"\r"):
                    crlf += 1
                    raw = raw[:-1]
                dst.write(raw + b"\n")
                continue
            if raw is not None and raw.endswith(b"\r"):
                crlf += 1
            dst.write(json.dumps(value, ensure_ascii=False).encode("utf-8") + b"\n")
    except LineTooLongError as err:
        raise AfinarError("data.fix.line_too_long", line=err.line) from err
    if any(c.code == "invalid_json" for c in result.unfixed) and any(c.code == "json_array" for c in result.changes):
        bad = next(c for c in result.unfixed if c.code == "invalid_json")
        raise AfinarError("data.fix.broken_array", line=bad.line, **bad.params)
    if crlf:
        result.changes.insert(0, Change(0, "crlf", {"count": crlf}))


def _repair_strings(value: Any) -> Any:
    if type(value) is str:
        return (fix_mojibake(value) or value) if may_be_mojibake_text(value) else value
    if type(value) is list:
        return [_repair_strings(v) for v in value]
    if type(value) is dict:
        return {k: _repair_strings(v) for k, v in value.items()}
    return value


def _fix_text(fh: BinaryIO, dst: BinaryIO, result: FixResult) -> None:
    raw = fh.read()
    text, encoding, had_bom = decode_text(raw)
    if had_bom:
        result.changes.append(Change(1, "bom"))
    if encoding not in ("utf-8", "utf-8-sig"):
        result.changes.append(Change(0, "encoding", {"encoding": encoding}))
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    if crlf or lone_cr:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        result.changes.append(Change(0, "crlf", {"count": crlf + lone_cr}))
    fixed = fix_mojibake(text)
    if fixed is not None:
        _record_line_changes(text, fixed, result)
        text = fixed
    dst.write(text.encode("utf-8"))


def _record_line_changes(text: str, fixed: str, result: FixResult) -> None:
    before_lines, after_lines = text.split("\n"), fixed.split("\n")
    if len(before_lines) != len(after_lines):
        result.changes.append(Change(0, "mojibake_file", {}))
        return
    for n, (b, a) in enumerate(zip(before_lines, after_lines), start=1):
        if b != a:
            before, after = mojibake_sample(b, a)
            result.changes.append(Change(n, "mojibake", {"before": before, "after": after}))
