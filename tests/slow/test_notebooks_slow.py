"""The course notebooks with the real bases, as a learner runs them (no AFINAR_NOTEBOOK_TEST): each
runs top to bottom and its final check cell holds (e.g. the tuned chat model states the trained
price, the text classifier beats TF-IDF, both image stages reach 0.8, RAG retrieves and abstains)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cli.test_notebooks import NOTEBOOKS, execute, outputs_text

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["01-datos", "02-chat", "03-clasificador-texto", "04-imagenes", "05-rag"])
def test_notebook_with_the_real_bases(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AFINAR_NOTEBOOK_TEST", raising=False)
    start = time.monotonic()
    nb = execute(NOTEBOOKS / f"{name}.ipynb", {}, tmp_path, monkeypatch, timeout=1800, keep="real")
    print(f"\n{name}: {time.monotonic() - start:.0f} s", file=sys.stderr)
    assert "✓" in outputs_text(nb)
