"""The dataset-level checks of text classification, fed one ``Example`` at a time.

Per example: ``missing_text``, ``missing_label``. At the end (``finish``): ``label_variants``
(see ``labels.merge_labels``), ``duplicate_example`` and ``conflicting_labels`` (same text after
ignoring case and spaces; same label or not, once variants are merged), ``rare_label``,
``too_few_classes``, ``class_imbalance`` and ``too_few_examples``. Memory grows with the number of
distinct texts (8 bytes each), not with their length.
"""

from __future__ import annotations

import hashlib
from array import array
import statistics
from dataclasses import dataclass, field

from afinar import i18n
from afinar.data.findings import WARNING, Report
from afinar.data.labels import label_key, merge_labels
from afinar.data.validate import ValidateOptions

# A label with fewer examples than this cannot be learned (nor split into train and valid).
RARE_LABEL_MIN = 5
# Largest class / smallest class at or above this ratio is an imbalance worth a warning.
IMBALANCE_RATIO = 5.0


@dataclass(slots=True)
class Example:
    line: int
    text: str
    label: str


def problem(key: str, **params: object) -> dict[str, str]:
    """A finding parameter in every language; catalog texts use it as ``{problem[en]}``."""
    return {lang: i18n.t(key, lang, **params) for lang in i18n.LANGS}


def text_key(text: str) -> bytes:
    """Texts equal after ignoring case and runs of spaces share this 8-byte key."""
    norm = " ".join(text.casefold().split())
    return hashlib.blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=8).digest()


@dataclass
class ExampleChecker:
    options: ValidateOptions
    report: Report
    fields: tuple[str | None, str | None] = ("text", "label")
    complete: int = 0
    label_counts: dict[str, int] = field(default_factory=dict)
    label_first: dict[str, int] = field(default_factory=dict)
    seen: dict[bytes, tuple[int, str]] = field(default_factory=dict)
    repeats: list[tuple[int, int, str, str]] = field(default_factory=list)
    lengths: array = field(default_factory=lambda: array("I"))  # characters per text, 4 bytes each

    def add(self, example: Example) -> None:
        self.report.examples += 1
        has_text, has_label = bool(example.text.strip()), bool(example.label.strip())
        if not has_text:
            self.report.add(example.line, "missing_text", field=self.fields[0])
        if not has_label:
            self.report.add(example.line, "missing_label", field=self.fields[1])
        if not (has_text and has_label):
            return
        self.complete += 1
        label = example.label
        self.label_counts[label] = self.label_counts.get(label, 0) + 1
        self.label_first.setdefault(label, example.line)
        self.lengths.append(min(len(example.text), 0xFFFFFFFF))
        key = text_key(example.text)
        first = self.seen.get(key)
        if first is None:
            self.seen[key] = (example.line, label)
        else:
            self.repeats.append((example.line, first[0], label, first[1]))

    def finish(self) -> None:
        mapping, variants = merge_labels(self.label_counts, self.label_first)
        for v in variants:
            self.report.add(v.first_line, "label_variants", field=self.fields[1], variant=v.spelling,
                            canonical=v.canonical, count=v.count)
        counts: dict[str, int] = {}
        for spelling, n in self.label_counts.items():
            counts[mapping[spelling]] = counts.get(mapping[spelling], 0) + n
        self._repeats(mapping)
        self._classes(counts, mapping)
        self._size()
        self._stats(counts, len(variants))

    def _repeats(self, mapping: dict[str, str]) -> None:
        for line, first_line, label, first_label in self.repeats:
            if label_key(mapping[label]) == label_key(mapping[first_label]):
                self.report.add(line, "duplicate_example", first_line=first_line)
            else:
                self.report.add(line, "conflicting_labels", field=self.fields[1], first_line=first_line,
                                label=label.strip(), other_label=first_label.strip())

    def _classes(self, counts: dict[str, int], mapping: dict[str, str]) -> None:
        if self.complete and len(counts) < 2:
            self.report.add(0, "too_few_classes", count=len(counts), minimum=2)
            return
        first_line = {mapping[s]: line for s, line in sorted(self.label_first.items(),
                                                              key=lambda kv: -kv[1])}
        for label, n in counts.items():
            if n < RARE_LABEL_MIN:
                self.report.add(first_line[label], "rare_label", field=self.fields[1], label=label,
                                count=n, minimum=RARE_LABEL_MIN)
        learnable = {label: n for label, n in counts.items() if n >= RARE_LABEL_MIN}
        if len(learnable) >= 2:
            largest = max(learnable, key=learnable.__getitem__)
            smallest = min(learnable, key=learnable.__getitem__)
            ratio = learnable[largest] / learnable[smallest]
            if ratio >= IMBALANCE_RATIO:
                self.report.add(0, "class_imbalance", largest=largest, largest_count=learnable[largest],
                                smallest=smallest, smallest_count=learnable[smallest],
                                ratio=f"{ratio:.1f}")

    def _size(self) -> None:
        options, n = self.options, self.complete
        if n < options.min_examples:
            self.report.add(0, "too_few_examples", count=n, minimum=options.min_examples)
        elif n < options.recommended_examples:
            self.report.add(0, "too_few_examples", WARNING, count=n, minimum=options.recommended_examples)

    def _stats(self, counts: dict[str, int], variants: int) -> None:
        ordered = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        lengths = self.lengths
        self.report.stats.update(
            complete_examples=self.complete,
            labels=ordered,
            classes=len(ordered),
            label_variants=variants,
            duplicates=self.report.count("duplicate_example"),
            conflicts=self.report.count("conflicting_labels"),
            text_chars={"min": min(lengths), "p50": int(statistics.median(lengths)), "max": max(lengths)}
            if lengths else None,
        )
