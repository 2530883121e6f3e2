"""Docs cannot drift: the CLI reference is generated from --help and checked here."""

from __future__ import annotations

from pathlib import Path

from afinar.cli.docgen import render

REPO = Path(__file__).resolve().parents[2]


def test_cli_reference_is_up_to_date() -> None:
    committed = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/cli.md is stale: run `make docs` and commit it"


def test_readme_starts_with_the_two_commands() -> None:
    head = (REPO / "README.md").read_text(encoding="utf-8")[:1500]
    assert "make demo" in head and "make test" in head


def test_every_finding_code_is_documented() -> None:
    from afinar.data.findings import SEVERITY

    text = (REPO / "docs" / "data.md").read_text(encoding="utf-8")
    missing = [code for code in SEVERITY if f"`{code}`" not in text]
    assert not missing, f"document these codes in docs/data.md: {missing}"
