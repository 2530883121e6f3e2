"""The Python API's public names (a rename is a visible change), its import cost, and how its
objects and errors show in a notebook and in a terminal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PUBLIC = [
    "AfinarError", "Comparison", "Run", "chat", "compare", "convert", "estimate", "example_cats_dogs", "export_gguf",
    "export_hf", "export_ollama", "export_space", "fix", "open_run", "predict", "predict_file", "pull_model", "rag_ask",
    "rag_eval", "rag_index", "rag_search", "set_language", "show", "train_chat", "train_image_classifier",
    "train_text_classifier", "validate",
]


def test_public_names_are_pinned() -> None:
    import afinar
    from afinar import api

    assert sorted(api.__all__) == PUBLIC
    assert afinar.API_NAMES == frozenset(PUBLIC)
    for name in PUBLIC:
        assert getattr(afinar, name) is getattr(api, name)
        assert getattr(api, name).__doc__, f"{name} has no docstring"
    assert set(PUBLIC) <= set(dir(afinar))
    with pytest.raises(AttributeError):
        afinar.no_such_name  # noqa: B018


def test_import_afinar_loads_neither_torch_nor_the_api() -> None:
    code = ("import sys, afinar, afinar.i18n, afinar.errors; "
            "print(json.dumps(['torch' in sys.modules, 'afinar.api' in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [False, False]
    code = "import sys, afinar; afinar.validate; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_errors_show_in_the_users_language_without_a_traceback() -> None:
    import afinar
    from afinar import i18n

    afinar.set_language("es")
    try:
        with pytest.raises(afinar.AfinarError) as err:
            afinar.fix("/no/existe.jsonl", "/tmp/afinar-never-written.jsonl")
        lines = err.value._render_traceback_()  # what Jupyter prints instead of the traceback
        assert lines[0].startswith("Error: ") and "/no/existe.jsonl" in lines[0]
        assert str(err.value) == err.value.message("es")
        with pytest.raises(afinar.AfinarError) as bad:
            afinar.set_language("fr")
        assert "Idioma desconocido" in str(bad.value)
    finally:
        i18n.set_lang(None)
    assert i18n.get_lang() == "en"


def test_reports_draw_as_escaped_tables(tmp_path: Path) -> None:
    import afinar

    path = tmp_path / "datos.jsonl"
    evil = "<script>alert(1)</script>"
    path.write_text(json.dumps({"messages": [{"role": "user", "content": evil}]}) + "\n", encoding="utf-8")
    report = afinar.validate(path, min_examples=1)
    assert not report.valid and report.errors  # the wrapped report's own fields
    html = report._repr_html_()
    assert "<table>" in html and "<script>" not in html
    assert "assistant" in str(report)
    from IPython.lib.pretty import pretty

    assert pretty(report) == str(report)  # a console or a notebook's text view prints the table


def test_a_run_folder_draws_its_figures_without_pyplot(tmp_path: Path) -> None:
    import afinar
    from afinar.engine.rundir import RunDir

    run = RunDir.create(tmp_path / "run")
    run.update_meta(task="text-classification", status="succeeded", model_id="run")
    history = [{"epoch": e, "train_loss": 1 / e, "valid_loss": 1.2 / e, "accuracy": 0.5 + e / 10, "f1": 0.4 + e / 10}
               for e in (1, 2)]
    report = {"labels": ["a", "b"], "valid_examples": 4, "history": history,
              "final": {"accuracy": 0.75, "f1": 0.7, "confusion_matrix": [[2, 0], [1, 1]]},
              "baselines": {"majority": {"accuracy": 0.5}, "tfidf_logreg": {"accuracy": 0.6}}}
    (run.path / "report.json").write_text(json.dumps(report), encoding="utf-8")
    (run.path / "valid_predictions.csv").write_text(
        "text,label,predicted,confidence\nbien,a,a,0.9\nmal,b,a,0.8\nregular,b,a,0.6\n", encoding="utf-8")
    opened = afinar.open_run(run.path)
    assert opened.model == str(run.path)  # a classifier is used by its folder
    assert opened.summary()["baselines"] == {"majority": 0.5, "tfidf_logreg": 0.6}
    for picture in (opened.curves(), opened.confusion_matrix()):
        assert picture._repr_png_()[:4] == b"\x89PNG"
    mistakes = opened.mistakes()
    assert [r["text"] for r in mistakes.rows] == ["mal", "regular"]  # most confident first
    assert "sys" in sys.modules and "matplotlib.pyplot" not in sys.modules
    assert "<table>" in opened._repr_html_()


def test_a_chat_run_has_no_confusion_matrix(tmp_path: Path) -> None:
    import afinar
    from afinar.engine.rundir import RunDir

    run = RunDir.create(tmp_path / "chat")
    run.update_meta(task="chat", status="succeeded", model_id="ft:base:afinar:x:ftjob-1")
    run.log_metrics(step=1, epoch=1, train_loss=2.0)
    run.log_metrics(step=2, epoch=1, train_loss=1.5, valid_loss=1.7)
    opened = afinar.open_run(run.path)
    assert opened.model == "ft:base:afinar:x:ftjob-1" and opened.summary()["train_loss"] == 1.5
    assert opened.curves()._repr_png_()[:4] == b"\x89PNG"
    with pytest.raises(afinar.AfinarError, match="only classifiers"):
        opened.confusion_matrix()
    with pytest.raises(afinar.AfinarError):
        afinar.open_run(tmp_path / "nothing")


def test_the_progress_bar_follows_metrics_records() -> None:
    from afinar.api.progress import ProgressBar

    bar = ProgressBar("x", total=None)
    bar({"kind": "start", "total_steps": 4})
    bar({"kind": "step", "step": 1, "loss": 0.9})
    bar({"step": 3, "train_loss": 0.5})
    assert bar.bar.total == 4 and bar.bar.n == 3
    bar.close(completed=True)
    assert bar.bar.n == 4
    quiet = ProgressBar("x", enabled=False)
    quiet({"step": 1})
    assert quiet.bar is None


def test_compare_accepts_a_list_of_prompts_and_refuses_nonsense() -> None:
    from afinar.api.chat import _cases

    cases = _cases(["hola", {"prompt": "¿Precio?", "expected": ["999"]}])
    assert [c.prompt for c in cases] == ["hola", "¿Precio?"] and cases[1].expected == ["999"]
    import afinar

    with pytest.raises(afinar.AfinarError, match="must be a text"):
        _cases([42])


def test_a_long_report_shows_ten_findings_of_a_kind_and_counts_the_rest(tmp_path: Path) -> None:
    import afinar

    path = tmp_path / "many.jsonl"
    path.write_text("{broken\n" * 25, encoding="utf-8")
    report = afinar.validate(path)
    text = str(report)
    assert text.count("Invalid JSON at") == 10 and "and 15 more [invalid_json]" in text
    report.shown_per_code = None
    assert str(report).count("Invalid JSON at") == 25
