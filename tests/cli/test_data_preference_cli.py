"""`afinar data` on preference data (OpenAI's DPO format), as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TECHSTORE = REPO / "examples" / "techstore"
FIXTURE = REPO / "tests" / "fixtures" / "preference" / "findings.jsonl"

pytestmark = pytest.mark.cli


def test_validate_the_example_pairs(run_cli) -> None:
    code, out, _ = run_cli("data", "validate", TECHSTORE / "preferencias.jsonl")
    assert code == 0
    assert "valid preference data" in " ".join(out.split()) and "24" in out


def test_broken_pairs_in_spanish(run_cli) -> None:
    code, out, _ = run_cli("data", "validate", FIXTURE, "--lang", "es")
    text = " ".join(out.split()).replace("\\", "/")
    assert code == 1
    assert "tests/fixtures/preference/findings.jsonl:9" in text
    assert "Las respuestas preferida y no preferida son idénticas" in text
    assert "El último mensaje de \"input\" es de \"assistant\"" in text
    assert "Corrige los errores" in text


def test_json_report_and_stats(run_cli) -> None:
    code, out, _ = run_cli("data", "validate", FIXTURE, "--json")
    payload = json.loads(out)
    assert code == 1 and payload["task"] == "preference"
    assert {e["code"] for e in payload["errors"]} >= {"identical_outputs", "missing_output", "empty_output"}
    code, out, _ = run_cli("data", "stats", TECHSTORE / "preferencias.jsonl", "--json")
    stats = json.loads(out)
    assert code == 0 and stats["task"] == "preference" and stats["examples"] == 24
    assert set(stats) >= {"prompt_tokens", "preferred_tokens", "non_preferred_tokens", "pair_tokens"}


def test_convert_then_validate(run_cli, tmp_path: Path) -> None:
    out_file = tmp_path / "pares.jsonl"
    code, out, _ = run_cli("data", "convert", TECHSTORE / "preferencias.csv", "-o", out_file,
                           "--to", "preference")
    assert code == 0 and "6" in out
    code, out, _ = run_cli("data", "validate", out_file, "--min-examples", "6")
    assert code == 0 and "preference" in out
