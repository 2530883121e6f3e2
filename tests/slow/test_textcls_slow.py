"""The real offline base: multilingual-e5-small fine-tuned on the restaurant example with the default
(course) settings, then used on the course's own test comments and exported as a Space.

Minutes on 2 CPU cores: `pytest -m slow tests/slow/test_textcls_slow.py`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "restaurante"
# The course's test cases (Caso 1-3) and their expected labels.
COURSE_CASES = {
    "Excelente atención al cliente, muy recomendable": "positivo",
    "Pésimo servicio, nunca más vuelvo": "negativo",
    "El restaurante está cerrado los lunes": "neutral",
}


def test_e5_learns_the_restaurant_reviews(run_cli, tmp_path: Path) -> None:
    run = tmp_path / "restaurante"
    code, out, err = run_cli("train", "text-classification", "--data", EXAMPLE / "train.csv",
                             "--valid", EXAMPLE / "valid.csv", "-o", run)
    assert code == 0, err
    report = json.loads((run / "report.json").read_text())
    meta = json.loads((run / "meta.json").read_text())
    config = (run / "config.yaml").read_text()
    assert "freeze_embeddings: 'yes'" in config or "freeze_embeddings: yes" in config
    assert meta["base"] == "multilingual-e5-small" and meta["base_license"]["name"] == "MIT"
    # e5 gets the mean-pooling head (its own sentence vector), started from the linear probe
    assert "head: mean" in config and "text_prefix: 'query: '" in config
    assert (run / "final" / "classifier.safetensors").is_file()
    assert report["final"]["f1"] >= 0.8
    assert report["final"]["f1"] > report["baselines"]["tfidf_logreg"]["f1"]
    assert report["final"]["f1"] > report["baselines"]["majority"]["f1"]
    print(f"\nrestaurant: F1 {report['final']['f1']:.3f} in {report['train_seconds']:.0f} s", file=sys.stderr)

    code, out, _ = run_cli("predict", run, *COURSE_CASES, "--json")
    assert code == 0
    results = json.loads(out)
    right = sum(r["label"] == COURSE_CASES[r["input"]] for r in results)
    assert right >= 2, results

    code, _, _ = run_cli("export", "space", run, "-o", tmp_path / "space")
    assert code == 0
    assert (tmp_path / "space" / "model" / "classifier.safetensors").is_file()
    card = (tmp_path / "space" / "README.md").read_text()
    assert "base_model: intfloat/multilingual-e5-small" in card and "license: mit" in card
