"""Validation entry point: find the task of a file, run that task's validator, return a Report.

Each task registers its validator with ``@register_validator("task")``; there is no if/elif on
task names. Whatever the input (missing path, folder, empty or random bytes), the answer is a
Report with findings, never an exception.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from afinar.data.findings import Report

TASKS = ("chat", "text-classification", "image-classification", "preference")
# The module that registers each task's validator when imported (only the one a file needs is
# imported: the others cost start-up time to every validation).
_VALIDATOR_MODULES = {"chat": "afinar.data.chat_validate",
                      "text-classification": "afinar.data.textcls_validate",
                      "image-classification": "afinar.data.images_validate",
                      "preference": "afinar.data.preference_validate"}

Validator = Callable[[Path, "ValidateOptions", Report], None]
_VALIDATORS: dict[str, Validator] = {}


@dataclass
class ValidateOptions:
    task: str | None = None
    # Fewer examples than this is an error (OpenAI's minimum is 10).
    min_examples: int = 10
    # Fewer than this is a warning (the course recommends at least 50).
    recommended_examples: int = 50
    # Per-example token limit; checked with the tokenizer when given, else with the approximation.
    max_tokens: int | None = None
    tokenizer: str | None = None


def check_example_count(report: Report, options: ValidateOptions, examples: int) -> None:
    """Too few examples: an error under ``min_examples``, a warning under ``recommended_examples``."""
    from afinar.data.findings import ERROR, WARNING

    if examples < options.min_examples:
        report.add(0, "too_few_examples", ERROR, count=examples, minimum=options.min_examples)
    elif examples < options.recommended_examples:
        report.add(0, "too_few_examples", WARNING, count=examples, minimum=options.recommended_examples)


def register_validator(task: str) -> Callable[[Validator], Validator]:
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; known: {TASKS}")

    def deco(fn: Validator) -> Validator:
        if task in _VALIDATORS:
            raise ValueError(f"a validator for {task!r} is already registered")
        _VALIDATORS[task] = fn
        return fn

    return deco


def _validator(task: str) -> Validator:
    import_module(_VALIDATOR_MODULES[task])
    return _VALIDATORS[task]


# Spreadsheets and Parquet go to the text-classification validator, which says to convert them.
_TABULAR = {".csv", ".tsv", ".tab", ".xlsx", ".xls", ".parquet"}
_DELIMITED = {".csv", ".tsv", ".tab"}
_JSON = {".jsonl", ".jsonlines", ".ndjson", ".json"}


def infer_task(path: Path) -> str:
    """Guess the task from the path and, for JSON files, from the first record's keys."""
    if path.is_dir():
        return "image-classification"
    suffix = path.suffix.lower()
    head = _read_head(path)
    if suffix in _TABULAR:
        return "preference" if suffix in _DELIMITED and _has_pair_columns(head) else "text-classification"
    if suffix in _JSON or head.lstrip()[:1] in (b"{", b"["):
        text = head.decode("utf-8", "replace")
        # before "messages": a DPO pair has messages inside its "input"
        if ('"preferred_output"' in text and '"non_preferred_output"' in text) or \
                ('"chosen"' in text and '"rejected"' in text):
            return "preference"
        if '"messages"' in text or "'messages'" in text:
            return "chat"
        if '"text"' in text and '"label"' in text:
            return "text-classification"
        return "chat"
    return "text-classification" if b"," in head or b";" in head or b"\t" in head else "chat"


def _has_pair_columns(head: bytes) -> bool:
    """Whether the header row of a CSV/TSV names a chosen and a rejected column."""
    from afinar.data.columns import find_column

    first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff")
    columns = [c.strip().strip('"') for c in first.replace("\t", ",").replace(";", ",").split(",")]
    return find_column(columns, "chosen") is not None and find_column(columns, "rejected") is not None


def _read_head(path: Path, size: int = 65536) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def validate(path: str | Path, options: ValidateOptions | None = None) -> Report:
    options = options or ValidateOptions()
    path = Path(path)
    if not path.exists():
        report = Report(file=str(path), task=options.task or "chat")
        report.add(0, "file_not_found", path=str(path))
        return report
    task = options.task or infer_task(path)
    report = Report(file=str(path), task=task)
    if task != "image-classification" and not path.is_file():
        report.add(0, "not_a_file", path=str(path))
        return report
    _validator(task)(path, options, report)
    return report
