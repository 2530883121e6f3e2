"""Data from Python: ``validate``, ``fix``, ``convert``, ``estimate`` — ``afinar data`` without a shell.

Each returns the same result the command prints, wrapped so that a notebook draws it as a table
(``_repr_html_``) and ``print`` writes it as text, in the user's language; the wrapped object is
``.result`` (``.report`` for ``validate``) and its fields are reachable directly.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afinar import i18n
from afinar.api.show import Shown, table_html, table_text


class _View(Shown, ABC):
    """Shared display: a caption and rows of cells, as HTML and text; unknown attributes are the result's."""

    result: Any

    @abstractmethod
    def caption(self) -> str:
        """The table's title line."""

    @abstractmethod
    def rows(self) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        """The header and the rows of cells."""

    def _repr_html_(self) -> str:
        header, rows = self.rows()
        return table_html(header, rows, caption=self.caption())

    def __str__(self) -> str:
        header, rows = self.rows()
        return table_text(header, rows, caption=self.caption())

    def __getattr__(self, name: str) -> Any:
        if name == "result":
            raise AttributeError(name)
        return getattr(self.result, name)


@dataclass(repr=False)
class DataReport(_View):
    """What ``validate`` found: ``valid`` (no errors), ``examples``, ``errors``, ``warnings``,
    ``findings`` (each with ``line``, ``code``, ``message()`` and ``hint()``), ``to_dict()``.
    The table shows ``shown_per_code`` findings of each kind (as the command; ``None``: all)."""

    result: Any
    shown_per_code: int | None = 10  # None: every finding (the command's --all)

    @property
    def report(self) -> Any:
        return self.result

    def caption(self) -> str:
        r = self.result
        if r.valid:
            key = "data.validate.summary_ok" if not r.warnings else "data.validate.summary_ok_warnings"
        else:
            key = "data.validate.summary_bad"
        return i18n.t(key, file=r.file, examples=r.examples, errors=len(r.errors), warnings=len(r.warnings),
                      task=r.task)

    def rows(self) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        header = tuple(i18n.t(f"api.findings.{k}") for k in ("line", "severity", "code", "message", "hint"))
        rows: list[tuple[Any, ...]] = []
        seen: dict[str, int] = {}
        for f in self.result.sorted_findings():
            seen[f.code] = seen.get(f.code, 0) + 1
            if self.shown_per_code is None or seen[f.code] <= self.shown_per_code:
                rows.append((f.line or "", i18n.t(f"data.severity.{f.severity}"), f.code, f.message(), f.hint()))
        hidden = {code: n - self.shown_per_code for code, n in seen.items()
                  if self.shown_per_code is not None and n > self.shown_per_code}
        rows += [("", "", code, i18n.t("api.findings.more", count=n, code=code), "") for code, n in sorted(hidden.items())]
        rows += [("", "", code, i18n.t("data.validate.suppressed", count=n, code=code), "")
                 for code, n in sorted(self.result.suppressed.items())]
        return header, rows


@dataclass(repr=False)
class FixReport(_View):
    """What ``fix`` changed (``changes``) and what it left for you (``unfixed``), line by line."""

    result: Any

    def caption(self) -> str:
        return i18n.t("api.fix.caption", output=self.result.output, changes=len(self.result.changes),
                      unfixed=len(self.result.unfixed))

    def rows(self) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        header = (i18n.t("api.findings.line"), i18n.t("api.fix.what"))
        rows = [(c.line or "", i18n.t(f"data.fix.change.{c.code}", line=c.line, **c.params))
                for c in self.result.changes]
        for c in self.result.unfixed:
            key = f"data.fix.unfixed.{c.code}"
            rows.append((c.line or "", "✗ " + (i18n.t(key, **c.params) if i18n.has(key) else c.code)))
        return header, rows


@dataclass(repr=False)
class ConvertReport(_View):
    """What ``convert`` wrote: ``output``, ``written``, the ``columns`` it used, skipped lines."""

    result: Any

    def caption(self) -> str:
        r = self.result
        return i18n.t("convert.done", count=r.written, task=r.task, path=r.output, source=r.source, format=r.format)

    def rows(self) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        r = self.result
        rows = [(role, column) for role, column in r.columns.items()]
        rows += [(i18n.t("api.convert.skipped_empty"), ", ".join(map(str, r.skipped_empty)))] if r.skipped_empty else []
        rows += [(i18n.t("api.convert.skipped_roles"), ", ".join(map(str, r.skipped_roles)))] if r.skipped_roles else []
        return (i18n.t("api.run.field"), i18n.t("api.run.value")), rows


@dataclass(repr=False)
class EstimateReport(_View):
    """``estimate``'s numbers: ``examples``, ``tokens_per_epoch``, ``epochs`` (and why, ``recipe``),
    ``local_seconds`` on this machine and ``openai_cost_usd``."""

    result: Any

    def caption(self) -> str:
        return i18n.t("data.estimate.title", file=self.result.file, model=self.result.model)

    def rows(self) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        e = self.result
        rows: list[tuple[Any, ...]] = [(k, getattr(e, k)) for k in (
            "examples", "tokens_per_epoch", "epochs", "batch_size", "learning_rate", "trained_tokens")]
        rows.append(("local_seconds", None if e.local_seconds is None else round(e.local_seconds)))
        rows += [(f"openai_cost_usd[{model}]", cost) for model, cost in e.openai_cost_usd.items()]
        rows += [(i18n.t("api.estimate.why"), i18n.t(item["key"], **item["params"])) for item in e.recipe]
        return (i18n.t("api.run.field"), i18n.t("api.run.value")), rows


def validate(path: str | Path, task: str | None = None, *, min_examples: int = 10, max_tokens: int | None = None,
             tokenizer: str | None = None) -> DataReport:
    """Check a dataset and return every problem with its line and how to fix it (``afinar data
    validate``). ``task``: chat, preference, text-classification or image-classification;
    inferred from the file when omitted. ``report.valid`` is False when there are errors."""
    from afinar.data.validate import ValidateOptions
    from afinar.data.validate import validate as run_validate

    options = ValidateOptions(task=task, min_examples=min_examples, max_tokens=max_tokens, tokenizer=tokenizer)
    return DataReport(run_validate(Path(path), options))


def fix(source: str | Path, output: str | Path) -> FixReport:
    """Repair encoding, BOM, line endings, mojibake, pretty-printed JSON, JSON arrays, trailing
    commas and blank lines into ``output`` (never the input), without guessing content."""
    from afinar.data.fix import fix_file

    return FixReport(fix_file(Path(source), Path(output)))


def convert(source: str | Path, output: str | Path, to: str = "chat", **columns: str | None) -> ConvertReport:
    """Convert CSV/TSV, Excel, JSON(L), Parquet, Alpaca or ShareGPT data into a training file
    (``to``: chat, text-classification or preference). ``columns``: ``user_col``, ``assistant_col``,
    ``system``, ``text_col``, ``label_col``, ``chosen_col``, ``rejected_col``, ``sheet`` — as the
    command's flags; recognized by name when omitted."""
    from afinar.data.convert import ConvertOptions, convert_file

    return ConvertReport(convert_file(Path(source), Path(output), ConvertOptions(to=to, **columns)))


def estimate(path: str | Path, model: str = "smollm2-135m-instruct", epochs: int | None = None, *,
             tokenizer: str | None = None) -> EstimateReport:
    """Tokens, the ``auto`` recipe (epochs, batch size, learning rate, and why), the time on this
    machine (assumed from a reference measurement) and what OpenAI would charge for fine-tuning on
    ``path`` (``afinar data estimate --no-measure``). ``tokenizer``: count tokens exactly with it."""
    from afinar.data.estimate import estimate as run_estimate
    from afinar.data.tokens import load_tokenizer

    counter = load_tokenizer(tokenizer) if tokenizer else None
    return EstimateReport(run_estimate(Path(path), model, epochs, counter))


def example_cats_dogs(folder: str | Path, *, per_class: int = 1000, valid_fraction: float = 0.2, seed: int = 42,
                      force: bool = False) -> Path:
    """Cat and dog silhouettes (animal-shape-mnist, MIT; example data) as PNG files in the course's
    layout: ``folder/train/{cat,dog}/`` and ``folder/validation/{cat,dog}/`` (``afinar examples
    cats-dogs``). The package is installed on first use and converted once."""
    from afinar.tasks.image_classification.example_data import write_cats_dogs

    write_cats_dogs(Path(folder), per_class=per_class, valid_fraction=valid_fraction, seed=seed, force=force)
    return Path(folder)
