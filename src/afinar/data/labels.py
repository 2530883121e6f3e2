"""Finding label spellings that are probably one label: "positivo", "Positivo ", "positvo".

Two steps, both explained in ``merge_labels``:
1. spellings equal after ``label_key`` (case, spaces and accents ignored) are one label, written
   as its most frequent spelling;
2. a label one edit away (insert, delete, replace or swap two neighbours) from a label at least
   ``TYPO_RATIO`` times more frequent is a typo of it. Short labels ("pos"/"neg", "1"/"2") and
   labels that differ in a digit ("clase1"/"clase2") are never merged: they are usually distinct.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TYPO_RATIO = 3
TYPO_MIN_LENGTH = 4
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Variant:
    spelling: str  # as written in the file
    canonical: str  # the spelling it is probably meant to be
    count: int
    first_line: int
    typo: bool  # True: one edit away; False: differs only in case, spaces or accents


def label_key(label: str) -> str:
    """``" Positívo "`` → ``"positivo"``: what is left when case, spaces and accents are ignored."""
    text = unicodedata.normalize("NFKD", label)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text.casefold()).strip()


def one_edit_apart(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by exactly one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] \
            and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


def _digit_change(a: str, b: str) -> bool:
    return any(ch.isdigit() for ch in set(a) ^ set(b)) or sorted(filter(str.isdigit, a)) != \
        sorted(filter(str.isdigit, b))


def _is_typo(rare: str, frequent: str) -> bool:
    return (min(len(rare), len(frequent)) >= TYPO_MIN_LENGTH and one_edit_apart(rare, frequent)
            and not _digit_change(rare, frequent))


def merge_labels(counts: dict[str, int], first_lines: dict[str, int]) -> tuple[dict[str, str], list[Variant]]:
    """Map every spelling in ``counts`` to its canonical label; list the spellings that were merged."""
    groups: dict[str, list[str]] = {}
    for spelling in counts:
        groups.setdefault(label_key(spelling), []).append(spelling)
    key_count = {key: sum(counts[s] for s in spellings) for key, spellings in groups.items()}
    # Most frequent spelling first; ties go to the one seen first in the file.
    canonical = {key: min(spellings, key=lambda s: (-counts[s], first_lines[s]))
                 for key, spellings in groups.items()}
    ordered = sorted(key_count, key=lambda k: (-key_count[k], first_lines[canonical[k]]))
    target: dict[str, str] = {}
    for i, key in enumerate(ordered):
        for bigger in ordered[:i]:
            if bigger not in target and key_count[bigger] >= TYPO_RATIO * key_count[key] \
                    and _is_typo(key, bigger):
                target[key] = bigger
                break
    mapping: dict[str, str] = {}
    variants: list[Variant] = []
    for key, spellings in groups.items():
        final_key = target.get(key, key)
        for spelling in spellings:
            mapping[spelling] = canonical[final_key]
            if spelling != canonical[final_key]:
                variants.append(Variant(spelling, canonical[final_key], counts[spelling],
                                        first_lines[spelling], typo=key in target))
    variants.sort(key=lambda v: v.first_line)
    return mapping, variants
