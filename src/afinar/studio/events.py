"""Job events in the page's language.

Jobs log their events in OpenAI's English wording ("Step 12/12: training loss=0.4321"), and the API
returns them so. The studio recognises each message by its English template in the catalog
(``studio.event.*``, and the recipe and check messages a chat job logs with ``i18n.t(key, "en")``),
takes the values out of it and writes the message again in the page's language, numbers in that
language's format. The words a job puts inside a message ("exit code 1", "training") are
catalog entries too, ``studio.event_value.<placeholder>.<name>``, translated where that placeholder
stands. A message no template matches is shown as the job wrote it.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache

from afinar import i18n
from afinar.i18n.messages import CATALOG
from afinar.studio.texts import tr

# Catalog entries that jobs log in English.
EVENT_PREFIXES = ("studio.event.", "recipe.", "chat.eval.")
# The words a job puts in one placeholder of its messages: studio.event_value.<placeholder>.<name>.
VALUE_PREFIX = "studio.event_value."
_NUMBER = re.compile(r"-?\d+(?:\.(\d+))?")
_PERCENT = re.compile(r"(-?\d+(?:\.(\d+))?)%")


@lru_cache(maxsize=1)
def _templates() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """(key, literal start, pattern) per event template, those without placeholders first (an exact
    message such as "Validating training file: ok" wins over "Validating training file: {file}"),
    then the longest wording first (DPO's "Step {step}/{total}: training loss={loss}, reward
    accuracy=..." wins over "Step {step}/{total}: training loss={loss}", whose last value would take
    the rest of the message)."""
    # a value is one of the fixed phrases when it can be (they may hold ": " themselves), else anything
    value = "(?:" + "|".join(re.escape(p) for p in sorted(_phrases(), key=len, reverse=True)) + "|.+?)"
    found = []
    for key, entry in CATALOG.items():
        if not key.startswith(EVENT_PREFIXES):
            continue
        pattern, fields = _pattern(entry["en"], value)
        parsed = list(string.Formatter().parse(entry["en"]))
        literal = sum(len(text) for text, *_ in parsed)
        found.append(((bool(fields), -literal), key, parsed[0][0], pattern))
    found.sort(key=lambda item: item[0])
    return tuple((key, start, pattern) for _, key, start, pattern in found)


def _pattern(template: str, value: str) -> tuple[re.Pattern[str], set[str]]:
    """A regular expression for the English ``template``, each placeholder a group matching ``value``."""
    parts, seen = [], set()
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(f"(?P={field})" if field in seen else f"(?P<{field}>{value})")
            seen.add(field)
    return re.compile("".join(parts), re.DOTALL), seen


@lru_cache(maxsize=1)
def _value_templates() -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    """placeholder -> (key, pattern) of each wording a job puts in it."""
    found: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for key, entry in CATALOG.items():
        if key.startswith(VALUE_PREFIX):
            field = key[len(VALUE_PREFIX):].split(".")[0]
            found.setdefault(field, []).append((key, _pattern(entry["en"], ".+?")[0]))
    return {field: tuple(items) for field, items in found.items()}


@lru_cache(maxsize=1)
def _phrases() -> dict[str, str]:
    """English text -> catalog key of the fixed phrases a job puts inside its messages ("training questions (...)")."""
    return {entry["en"]: key for key, entry in CATALOG.items()
            if key.startswith(EVENT_PREFIXES) and "{" not in entry["en"]}


def _value(text: str, lang: str, field: str = "") -> str:
    """A value taken from an English message (from its placeholder ``field``): the wording of that
    placeholder (``studio.event_value.<field>.*``) or a fixed phrase of the catalog in ``lang`` (the
    studio's own wording, ``studio.<key>``, where the catalog's names a command-line option), a number
    in ``lang``'s format keeping its decimals, anything else as it is."""
    for key, pattern in _value_templates().get(field, ()):
        match = pattern.fullmatch(text)
        if match is not None:
            return tr(key, lang, **{k: _value(v, lang) for k, v in match.groupdict().items()})
    key = _phrases().get(text)
    if key is not None:
        return tr(f"studio.{key}" if i18n.has(f"studio.{key}") else key, lang)
    percent = _PERCENT.fullmatch(text)
    if percent is not None:
        return i18n.number(float(percent.group(1)), lang, len(percent.group(2) or ""), exact=True) + \
            ("\u00a0%" if lang == "es" else "%")
    match = _NUMBER.fullmatch(text)
    if match is None:
        return text
    return i18n.number(float(text), lang, len(match.group(1) or ""), exact=True)


def translate(message: str, lang: str) -> str:
    """``message`` (a job event, in English) in ``lang``."""
    if lang == "en":
        return message
    for key, start, pattern in _templates():
        if not message.startswith(start):
            continue
        match = pattern.fullmatch(message)
        if match is not None:
            params = {name: _value(value, lang, name) for name, value in match.groupdict().items()}
            if "task" in params and i18n.has(f"studio.task.{params['task']}"):
                params["task"] = tr(f"studio.task.{params['task']}", lang)
            try:
                return tr(key, lang, **params)
            except (ValueError, TypeError):  # a format spec (":.3f") in the template needs the number itself
                return tr(key, lang, **{k: _number_or_text(v) for k, v in match.groupdict().items()})
    return message


def _number_or_text(value: str) -> float | str:
    return float(value) if _NUMBER.fullmatch(value) else value


def level(name: str, lang: str) -> str:
    """An event's level (info, warning, error) in ``lang``."""
    key = f"studio.event.level.{name}"
    return tr(key, lang) if i18n.has(key) else name
