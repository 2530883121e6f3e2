"""``afinar data split``: train and validation files, stratified, with duplicates kept together.

The file is read twice and never held in memory: the first pass computes, for every example, a
group key and a label; ``assign_valid`` picks the validation groups; the second pass writes each
example to ``<stem>_train<suffix>`` or ``<stem>_valid<suffix>``, keeping the input order.

- Group key: examples equal after ignoring case and runs of spaces (chat: the whole JSON object;
  classification: the text alone, so a text with conflicting labels also stays on one side;
  preference pairs: the conversation, ``input`` — or TRL's ``prompt`` — so the pairs of one
  conversation with different answers are validated on a conversation never trained on) share a
  group, and a group never straddles the split.
- Stratified: for classification each label (case, spaces and accents ignored) gets its own
  ``round(n × valid)`` share; chat data and tables without recognized columns form one stratum.
- Deterministic: the same file, ``valid`` and ``seed`` always give the same split.
CSV output is UTF-8 with the input's delimiter and header; JSONL lines are copied unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from afinar.data.columns import find_column
from afinar.data.csvread import SAMPLE_BYTES, CsvRow, iter_rows, open_csv, sniff_encoding
from afinar.data.labels import label_key
from afinar.data.textcls_checks import text_key
from afinar.data.textcls_validate import LOOKAHEAD_ROWS, resolve_columns
from afinar.data.textio import iter_lines
from afinar.errors import AfinarError

JSON_SUFFIXES = {".jsonl", ".jsonlines", ".ndjson", ".json"}


@dataclass(slots=True)
class Unit:
    """One example as split sees it."""

    key: bytes  # group key: equal keys go to the same side
    label: str | None  # stratum (None: not stratified)
    text: str  # what is written out, line break included


@dataclass
class SplitResult:
    source: Path
    train_path: Path
    valid_path: Path
    task: str  # "chat", "preference", "text-classification" or "table"
    train: int = 0
    valid: int = 0
    by_label: dict[str, list[int]] = field(default_factory=dict)  # label → [train, valid]
    grouped: int = 0  # examples that share their group with another one


def split_file(path: str | Path, valid: float = 0.1, seed: int = 42,
               outdir: str | Path | None = None) -> SplitResult:
    """Split ``path`` (JSONL or CSV) into train and valid files; see the module docstring."""
    path = Path(path)
    if not path.is_file():
        raise AfinarError("split.unsupported" if path.is_dir() else "common.file_not_found",
                          path=str(path))
    if not 0 < valid < 1:
        raise ValueError(f"valid must be between 0 and 1, got {valid}")
    source = _source(path)
    units = [(u.key, u.label) for u in source.units()]
    groups = len({key for key, _ in units})
    if groups < 2:
        raise AfinarError("split.too_few", path=str(path), count=groups)
    chosen = assign_valid(units, valid, seed)
    folder = Path(outdir) if outdir is not None else path.parent
    result = SplitResult(path, folder / f"{path.stem}_train{path.suffix}",
                         folder / f"{path.stem}_valid{path.suffix}", source.task)
    if path.resolve() in (result.train_path.resolve(), result.valid_path.resolve()):
        raise AfinarError("convert.same_file", path=str(path))
    _write(source, chosen, result)
    sizes: dict[bytes, int] = {}
    for key, _ in units:
        sizes[key] = sizes.get(key, 0) + 1
    result.grouped = sum(n for n in sizes.values() if n > 1)
    return result


def assign_valid(units: list[tuple[bytes, str | None]], valid: float, seed: int) -> set[bytes]:
    """The group keys that go to validation: per stratum, whole groups in a seeded random order
    until ``round(n × valid)`` examples; at least one group on each side."""
    size: dict[bytes, int] = {}
    strata: dict[str, list[bytes]] = {}
    for key, label in units:
        if key not in size:
            strata.setdefault(label_key(label) if label is not None else "", []).append(key)
        size[key] = size.get(key, 0) + 1
    rng = random.Random(seed)
    chosen: set[bytes] = set()
    for stratum in sorted(strata):
        keys = list(strata[stratum])
        rng.shuffle(keys)
        target = int(sum(size[k] for k in keys) * valid + 0.5)
        taken = 0
        for key in keys:
            if taken + size[key] <= target:
                chosen.add(key)
                taken += size[key]
    ordered = [k for stratum in sorted(strata) for k in strata[stratum]]
    if not chosen:
        chosen.add(min(ordered, key=lambda k: (size[k], rng.random())))
    if len(chosen) == len(ordered):
        chosen.discard(max(ordered, key=lambda k: (size[k], rng.random())))
    return chosen


def _write(source: _JsonlSource | _CsvSource, chosen: set[bytes], result: SplitResult) -> None:
    """Second pass: stream every example to its side (the header, known from the first pass, to both)."""
    paths = (result.train_path, result.valid_path)
    parts = [p.with_name(p.name + ".part") for p in paths]
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    counts = [0, 0]
    try:
        with open(parts[0], "w", encoding="utf-8", newline="") as train, \
                open(parts[1], "w", encoding="utf-8", newline="") as valid:
            files = (train, valid)
            for fh in files:
                fh.write(source.header)
            for unit in source.units():
                side = 1 if unit.key in chosen else 0
                files[side].write(unit.text)
                counts[side] += 1
                if unit.label is not None:
                    result.by_label.setdefault(unit.label.strip(), [0, 0])[side] += 1
        for part, path in zip(parts, paths):
            os.replace(part, path)
    finally:
        for part in parts:
            if part.exists():
                part.unlink()
    result.train, result.valid = counts


def _source(path: Path) -> _JsonlSource | _CsvSource:
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if path.suffix.lower() in JSON_SUFFIXES or sample.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        return _JsonlSource(path, sniff_encoding(sample))
    return _CsvSource(path, sample)


def _group_key(text: str) -> bytes:
    norm = " ".join(text.casefold().split())
    return hashlib.blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def _is_preference(value: dict) -> bool:
    """A pair in OpenAI's DPO format, or a TRL prompt/chosen/rejected record."""
    return ("input" in value and ("preferred_output" in value or "non_preferred_output" in value)) or \
        ("chosen" in value and "rejected" in value)


class _JsonlSource:
    header = ""

    def __init__(self, path: Path, encoding: str):
        self.path, self.encoding = path, encoding
        self.task = "chat"
        self.keys: tuple[str | None, str | None] | None = None

    def units(self) -> Iterator[Unit]:
        with open(self.path, "rb") as fh:
            for lineno, _, raw in iter_lines(fh):
                if raw is None:
                    raise AfinarError("split.bad_line", path=str(self.path), line=lineno, detail="> 64 MB")
                text = raw.decode(self.encoding, errors="replace").lstrip("\ufeff").rstrip("\r")
                if text.strip():
                    yield self._unit(lineno, text)

    def _unit(self, lineno: int, text: str) -> Unit:
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as err:
            raise AfinarError("split.bad_line", path=str(self.path), line=lineno, detail=str(err)) from err
        if not isinstance(value, dict):
            raise AfinarError("split.bad_line", path=str(self.path), line=lineno,
                              detail=type(value).__name__)
        if self.keys is None:
            self.keys = (find_column(list(value), "text"), find_column(list(value), "label"))
            if _is_preference(value):
                self.task = "preference"
            elif None not in self.keys and "messages" not in value:
                self.task = "text-classification"
        if self.task == "preference":
            conversation = value.get("input", value.get("prompt", value))
            return Unit(_group_key(json.dumps(conversation, sort_keys=True, ensure_ascii=False)), None, text + "\n")
        if self.task == "text-classification":
            text_value, label = str(value.get(self.keys[0], "")), str(value.get(self.keys[1], ""))
            return Unit(text_key(text_value), label, text + "\n")
        canonical = json.dumps(value, sort_keys=True, ensure_ascii=False)
        return Unit(_group_key(canonical), None, text + "\n")


class _CsvSource:
    def __init__(self, path: Path, sample: bytes):
        self.path, self.sample = path, sample
        self.header = ""
        self.task = "table"
        self.columns: tuple[int, int, bool] | None = None

    def units(self) -> Iterator[Unit]:
        source = open_csv(self.path, self.sample)
        out = io.StringIO()
        writer = csv.writer(out, delimiter=source.delimiter, lineterminator="\n")
        try:
            rows = (r for r in iter_rows(source)
                    if r.error or r.too_long or any(c.strip() for c in r.cells))
            first = next(rows, None)
            if first is None:
                return
            ahead = [r for _, r in zip(range(LOOKAHEAD_ROWS), rows)]
            self._columns(first, ahead, writer, out)
            data = ahead if self.columns is None or self.columns[2] else [first, *ahead]
            for row in _chain(data, rows):
                yield self._unit(row, len(first.cells), writer, out)
        finally:
            source.close()

    def _columns(self, first: CsvRow, ahead: list[CsvRow], writer, out: io.StringIO) -> None:
        self.columns = resolve_columns(first.cells, [r.cells for r in ahead])
        if self.columns is not None:
            self.task = "text-classification"
        if self.columns is None or self.columns[2]:
            self.header = _csv_line(writer, out, first.cells)

    def _unit(self, row: CsvRow, width: int, writer, out: io.StringIO) -> Unit:
        if row.unclosed_quote or row.error or row.too_long or len(row.cells) > width:
            raise AfinarError("convert.bad_csv_row", path=str(self.path), line=row.line)
        text = _csv_line(writer, out, row.cells)
        if self.columns is None:
            return Unit(_group_key("\x1f".join(row.cells)), None, text)
        cells = row.cells + [""] * (width - len(row.cells))
        return Unit(text_key(cells[self.columns[0]]), cells[self.columns[1]], text)


def _csv_line(writer, out: io.StringIO, cells: list[str]) -> str:
    out.seek(0)
    out.truncate()
    writer.writerow(cells)
    return out.getvalue()


def _chain(first: list[CsvRow], rest: Iterator[CsvRow]) -> Iterator[CsvRow]:
    yield from first
    yield from rest
