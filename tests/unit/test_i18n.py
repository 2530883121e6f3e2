"""Every message exists in Spanish and English with the same placeholders; every code is explained."""

from __future__ import annotations

import string

import pytest

from afinar import i18n
from afinar.data.findings import SEVERITY
from afinar.i18n.messages import CATALOG


def _fields(text: str) -> set[str]:
    # "{problem[es]}" and "{problem[en]}" name the same parameter
    return {name.split("[")[0].split(".")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_both_languages_same_placeholders(key: str) -> None:
    entry = CATALOG[key]
    assert set(entry) == {"es", "en"}, key
    assert entry["es"].strip() and entry["en"].strip()
    assert _fields(entry["es"]) == _fields(entry["en"]), key


@pytest.mark.parametrize("code", sorted(SEVERITY))
def test_every_code_has_message_and_hint(code: str) -> None:
    assert f"finding.{code}" in CATALOG and f"finding.{code}.hint" in CATALOG


def test_language_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AFINAR_LANG", "es")
    assert i18n.get_lang() == "es"
    monkeypatch.delenv("AFINAR_LANG")
    monkeypatch.setenv("LANG", "es_MX.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert i18n.detect_lang() == "es"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert i18n.detect_lang() == "en"
    i18n.set_lang("es")
    assert i18n.get_lang() == "es"
    assert i18n.t("finding.blank_line") == "Línea en blanco."
    with pytest.raises(ValueError):
        i18n.set_lang("fr")
