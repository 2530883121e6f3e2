"""What the validator reports: findings with a stable code, a 1-based line and a translated text.

A finding's message and hint live in the catalog as ``finding.<code>`` and ``finding.<code>.hint``;
the finding itself only stores the parameters, so one report can be rendered in either language.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from afinar import i18n

ERROR = "error"
WARNING = "warning"

# Default severity of every code. A code missing here is a bug (tests check the catalog too).
SEVERITY: dict[str, str] = {
    # file and text level
    "file_not_found": ERROR,
    "not_a_file": ERROR,
    "empty_file": ERROR,
    "unsupported_format": ERROR,
    "not_utf8": ERROR,
    "bom": WARNING,
    "mojibake": WARNING,
    "blank_line": WARNING,
    "line_too_long": ERROR,
    "invalid_json": ERROR,
    "multiline_json": ERROR,
    "trailing_comma": ERROR,
    "json_array": ERROR,
    # chat schema (the OpenAI cookbook's names, plus ours)
    "data_type": ERROR,
    "missing_messages_list": ERROR,
    "message_not_object": ERROR,
    "message_missing_key": ERROR,
    "message_unrecognized_key": ERROR,
    "unrecognized_role": ERROR,
    "missing_content": ERROR,
    "example_missing_assistant_message": ERROR,
    "empty_content": WARNING,
    "invalid_weight": ERROR,
    "invalid_tool_calls": ERROR,
    "invalid_tools": ERROR,
    "example_unrecognized_key": WARNING,
    # dataset level
    "too_few_examples": ERROR,
    "duplicate_example": WARNING,
    "too_many_tokens": ERROR,
    "inconsistent_structure": WARNING,
    # preference pairs (OpenAI's DPO format)
    "not_preference_pair": ERROR,
    "preference_chat_example": ERROR,
    "preference_columns": ERROR,
    "preference_unrecognized_key": WARNING,
    "missing_input_messages": ERROR,
    "input_last_not_user": ERROR,
    "missing_output": ERROR,
    "output_not_one_message": ERROR,
    "output_not_assistant": ERROR,
    "empty_output": ERROR,
    "identical_outputs": ERROR,
    # text classification
    "invalid_csv": ERROR,
    "unknown_columns": ERROR,
    "missing_text": ERROR,
    "missing_label": ERROR,
    "rare_label": WARNING,
    "label_variants": WARNING,
    "conflicting_labels": WARNING,
    "class_imbalance": WARNING,
    # image folders
    "not_an_image": WARNING,
    "corrupt_image": ERROR,
    "empty_class": ERROR,
    "tiny_image": WARNING,
    "missing_validation_split": WARNING,
    "not_a_folder": ERROR,
    "too_few_classes": ERROR,
}

# A pathological file (every line broken) must not grow memory without bound: beyond this many
# findings of one code, the rest are counted, not stored. The count is reported.
MAX_FINDINGS_PER_CODE = 10_000


@dataclass(slots=True)
class Finding:
    line: int
    code: str
    severity: str
    field: str | None = None
    params: dict[str, Any] = dc_field(default_factory=dict)

    def message(self, lang: str | None = None) -> str:
        return i18n.t(f"finding.{self.code}", lang, line=self.line, field=self.field, **self.params)

    def hint(self, lang: str | None = None) -> str:
        return i18n.t(f"finding.{self.code}.hint", lang, line=self.line, field=self.field, **self.params)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "line": self.line,
            "code": self.code,
            "severity": self.severity,
            "message": self.message(lang),
            "hint": self.hint(lang),
            "field": self.field,
        }


@dataclass
class Report:
    """Everything ``validate`` found in one file. ``valid`` means: no errors (warnings allowed)."""

    file: str
    task: str
    examples: int = 0
    findings: list[Finding] = dc_field(default_factory=list)
    stats: dict[str, Any] = dc_field(default_factory=dict)
    suppressed: dict[str, int] = dc_field(default_factory=dict)
    _per_code: dict[str, int] = dc_field(default_factory=dict, repr=False)

    def add(self, line: int, code: str, severity: str | None = None, field: str | None = None,
            **params: Any) -> None:
        count = self._per_code.get(code, 0) + 1
        self._per_code[code] = count
        if count > MAX_FINDINGS_PER_CODE:
            self.suppressed[code] = self.suppressed.get(code, 0) + 1
            return
        self.findings.append(Finding(line, code, severity or SEVERITY[code], field, params))

    def count(self, code: str) -> int:
        return self._per_code.get(code, 0)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors and not any(SEVERITY.get(c) == ERROR for c in self.suppressed)

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (f.line, f.severity != ERROR, f.code))

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        ordered = self.sorted_findings()
        out: dict[str, Any] = {
            "file": self.file,
            "task": self.task,
            "valid": self.valid,
            "examples": self.examples,
            "errors": [f.to_dict(lang) for f in ordered if f.severity == ERROR],
            "warnings": [f.to_dict(lang) for f in ordered if f.severity == WARNING],
            "stats": self.stats,
        }
        if self.suppressed:
            out["suppressed"] = dict(self.suppressed)
        return out


def summary(errors: list[Any], filename: str, lang: str | None, limit: int = 5) -> str:
    """"N errors: line 3: <message> (<code>) — <hint>; ..." from Finding objects or their dicts."""
    items = [f if isinstance(f, Finding) else Finding(f["line"], f["code"], f["severity"], f.get("field"),
                                                      f.get("params") or {}) for f in errors]
    items = [f for f in items if f.severity == "error"]
    parts = [i18n.t("server.file.finding", lang, line=f.line, message=f.message(lang), code=f.code,
                    hint=f.hint(lang)) for f in items[:limit]]
    more = len(items) - limit
    head = i18n.t("server.file.invalid", lang, file=filename, errors=len(items))
    tail = " " + i18n.t("server.file.more_errors", lang, count=more) if more > 0 else ""
    return head + " " + " ".join(parts) + tail
