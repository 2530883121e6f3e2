"""Every notebook under examples/notebooks runs top to bottom (nbclient, a real Jupyter kernel) with
tiny random models: AFINAR_NOTEBOOK_TEST tells them which, and their final check cell holds. The
slow tier runs them with the real bases (tests/slow/test_notebooks_slow.py)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tiny_chat
from fixtures.models.tiny_bert import write_tiny_bert
from fixtures.models.tiny_images import write_base
from fixtures.rag.tiny_embedder import write_lexical_embedder

pytestmark = pytest.mark.cli
REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "examples" / "notebooks"
EXAMPLES = REPO / "examples"
ARTIFACTS = REPO / "tests" / "artifacts" / "notebooks"  # executed copies, to look at (ignored by git)


def execute(notebook: Path, settings: dict, output: Path, monkeypatch: pytest.MonkeyPatch, timeout: int = 600,
            keep: str = "tiny"):
    """Run ``notebook`` in a fresh kernel (which inherits this process's AFINAR_HOME); a failing cell
    raises nbclient's CellExecutionError with the cell's traceback. Returns the executed notebook,
    also written to ``ARTIFACTS/keep``."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("AFINAR_NOTEBOOK_TEST", json.dumps(settings))
    monkeypatch.setenv("AFINAR_NOTEBOOK_OUTPUT", str(output))
    monkeypatch.setenv("AFINAR_LANG", "es")
    nb = nbformat.read(notebook, as_version=4)
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(notebook.parent)}}).execute()
    finally:
        (ARTIFACTS / keep).mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, ARTIFACTS / keep / notebook.name)
    return nb


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts += [str(v) for k, v in out.get("data", {}).items() if k in ("text/plain", "text/html")]
    return "\n".join(parts)


def test_every_notebook_is_committed_without_outputs_and_is_tested() -> None:
    import nbformat

    names = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert names == ["01-datos", "02-chat", "03-clasificador-texto", "04-imagenes", "05-rag"]
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), f"{path.name} has outputs"
        assert "Tiempo aquí" in nb.cells[0].source and "English:" in nb.cells[0].source
        assert "pip" in code[0].source, f"{path.name}: the first cell installs Afinar (Colab)"
        assert "Comprobación final" in nb.cells[-2].source


def test_data_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = execute(NOTEBOOKS / "01-datos.ipynb", {"tiny": True}, tmp_path, monkeypatch)
    text = outputs_text(nb)
    assert "✓ Datos listos" in text
    assert "mojibake" in text and "cómo arreglarlo" in text  # the report drawn as a table, in Spanish
    assert (tmp_path / "01-datos" / "techstore.jsonl").is_file()


def test_chat_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tiny_chat.build(tmp_path / "tiny-chat")
    nb = execute(NOTEBOOKS / "02-chat.ipynb", {"chat_base": str(base), "chat_options": {"epochs": 1}},
                 tmp_path / "out", monkeypatch)
    text = outputs_text(nb)
    assert "✓ ft:tiny-chat:afinar:techstore:" in text
    assert (tmp_path / "out" / "02-chat" / "comparacion.html").is_file()
    assert "image/png" in json.dumps([c.get("outputs") for c in nb.cells])  # the loss curve was drawn


def test_text_classifier_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = []
    for name in ("train.csv", "valid.csv", "comentarios.csv"):
        with open(EXAMPLES / "restaurante" / name, encoding="utf-8") as fh:
            texts += [" ".join(r.values()) for r in csv.DictReader(fh)]
    base = write_tiny_bert(tmp_path / "tiny-bert", texts, hidden=32)
    options = {"epochs": 2, "lr": 5e-3, "head_lr": 5e-3, "batch_size": 8, "patience": 0}
    nb = execute(NOTEBOOKS / "03-clasificador-texto.ipynb", {"text_base": str(base), "text_options": options},
                 tmp_path / "out", monkeypatch)
    assert "✓ F1" in outputs_text(nb)
    classified = (tmp_path / "out" / "03-clasificador-texto" / "comentarios-clasificados.csv").read_text()
    assert classified.splitlines()[0] == "fecha,comentario,label,confidence"


def test_image_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = write_base(tmp_path / "tiny-images")
    options = {"image_size": 32, "batch_size": 8, "stage1_epochs": 1, "stage2_epochs": 1, "fine_tune_at": 140,
               "stage1_lr": 1e-2, "patience": 0}
    nb = execute(NOTEBOOKS / "04-imagenes.ipynb", {"image_base": str(base), "per_class": 10, "image_options": options},
                 tmp_path / "out", monkeypatch)
    assert "✓ Precisión: etapa 1" in outputs_text(nb)


def test_rag_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = EXAMPLES / "techstore-catalog"
    texts = [p.read_text(encoding="utf-8") for p in (catalog / "docs").rglob("*") if p.is_file()]
    texts += [json.loads(line)["question"] for line in (catalog / "qa.jsonl").read_text(encoding="utf-8").splitlines()]
    embedder = write_lexical_embedder(tmp_path / "embedder", texts)
    settings = {"rag_settings": {"embedding_model": str(embedder), "min_score": 0.3}, "rag_mode": "extractive"}
    nb = execute(NOTEBOOKS / "05-rag.ipynb", settings, tmp_path / "out", monkeypatch)
    assert "✓ recall@4" in outputs_text(nb)
