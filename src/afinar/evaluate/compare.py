"""Before/after: the same prompts to a base model and a fine-tuned one, with expected facts scored.

A prompts file is plain text (one prompt per line) or JSONL lines
``{"prompt": "...", "expected": ["fact", "regex|alternative"], "case": "optional label"}``.
Each expected fact is a case-insensitive regular expression; a fact counts when the answer
contains a match.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError


@dataclass
class PromptCase:
    prompt: str
    expected: list[str] = field(default_factory=list)
    case: str | None = None


@dataclass
class Row:
    case: PromptCase
    answers: dict[str, str]  # model label -> answer
    facts: dict[str, list[bool]]  # model label -> found per expected fact


def read_prompts(path: str | Path) -> list[PromptCase]:
    path = Path(path)
    if not path.is_file():
        raise AfinarError("common.file_not_found", path=str(path))
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            cases.append(_parse_line(path, n, line))
        else:
            cases.append(PromptCase(line.strip()))
    if not cases:
        raise AfinarError("compare.no_prompts", path=str(path))
    return cases


def _parse_line(path: Path, n: int, line: str) -> PromptCase:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as err:
        raise AfinarError("compare.bad_line", path=str(path), line=n, detail=err.msg) from err
    prompt, expected = item.get("prompt"), item.get("expected", [])
    if not isinstance(prompt, str) or not prompt.strip():
        raise AfinarError("compare.bad_line", path=str(path), line=n, detail='"prompt" must be a text')
    if not isinstance(expected, list) or not all(isinstance(e, str) for e in expected):
        raise AfinarError("compare.bad_line", path=str(path), line=n, detail='"expected" must be a list of texts')
    for pattern in expected:
        try:
            re.compile(pattern)
        except re.error as err:
            raise AfinarError("compare.bad_line", path=str(path), line=n,
                              detail=f"invalid regular expression {pattern!r}: {err}") from err
    return PromptCase(prompt.strip(), expected, item.get("case"))


def score(answer: str, expected: list[str]) -> list[bool]:
    return [re.search(p, answer, flags=re.IGNORECASE) is not None for p in expected]


def run_comparison(cases: list[PromptCase], models: dict[str, str],
                   answer: Callable[[str, list[str]], list[str]]) -> list[Row]:
    """``answer(model, prompts) -> answers`` is called once per model (each loaded once)."""
    answers = {label: answer(spec, [c.prompt for c in cases]) for label, spec in models.items()}
    return [Row(case, {label: answers[label][i] for label in models},
                {label: score(answers[label][i], case.expected) for label in models})
            for i, case in enumerate(cases)]


def totals(rows: list[Row]) -> dict[str, Any]:
    out: dict[str, Any] = {"total": sum(len(r.case.expected) for r in rows)}
    for label in rows[0].answers if rows else []:
        out[label] = sum(sum(r.facts[label]) for r in rows)
    return out


def to_markdown(rows: list[Row], title: str, summary: list[str] = ()) -> str:
    lines = [f"# {title}", "", *(f"- {line}" for line in summary), ""]
    for row in rows:
        lines.append(f"## {row.case.case or row.case.prompt}")
        lines.append(f"**Prompt:** {row.case.prompt}")
        for label, text in row.answers.items():
            facts = row.facts[label]
            lines.append(f"- **{label}** ({sum(facts)}/{len(facts)}): {text}")
        lines.append("")
    return "\n".join(lines)


def to_html(rows: list[Row], title: str, labels: dict[str, str], summary: list[str] = (), *,
            document: bool = True) -> str:
    """The comparison as a page (``document``) or as a fragment a notebook draws inline (styles on
    the cells, none that would change the rest of the notebook)."""
    cell = "border:1px solid #ccc;padding:.5em;vertical-align:top;text-align:left"
    head = "".join(f"<th style='{cell}'>{html.escape(labels.get(k, k))}</th>" for k in rows[0].answers) if rows else ""
    body = []
    for row in rows:
        cells = []
        for label, text in row.answers.items():
            facts = row.facts[label]
            marks = " ".join(("✓ " if ok else "✗ ") + html.escape(p) for p, ok in zip(row.case.expected, facts))
            cells.append(f"<td style='{cell}'><p>{html.escape(text)}</p><p style='color:#555'>{marks}</p></td>")
        body.append(f"<tr><td style='{cell}'><b>{html.escape(row.case.prompt)}</b></td>{''.join(cells)}</tr>")
    fragment = (f"<h3>{html.escape(title)}</h3>" + "".join(f"<p>{html.escape(line)}</p>" for line in summary)
                + f"<table style='border-collapse:collapse'><tr><th style='{cell}'></th>{head}</tr>"
                + "".join(body) + "</table>")
    if not document:
        return fragment
    return ("<!doctype html><meta charset=utf-8><title>" + html.escape(title) + "</title>"
            "<style>body{font-family:sans-serif;margin:2em}</style>" + fragment)
