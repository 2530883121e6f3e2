"""Every event a job logs has its template in the studio's catalog (``studio_events.py``).

The messages are read from the code itself: each ``log_event(...)`` and ``add_event(...)`` call of
the runner, the trainings and the indexing job, its f-string filled with sample values (every
branch of a conditional phrase taken in turn), must be recognised by ``afinar.studio.events`` and
shown in Spanish. A new message without a template fails here.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest

from afinar.studio.events import EVENT_PREFIXES, translate

SRC = Path(__file__).resolve().parents[2] / "src" / "afinar"
# Arguments that are not an English template: an error in the catalog's words, a file's indexing
# failure (the Conocimiento page lists those from the run's report, in the page's language), and the
# relay of a training's events into its job.
NOT_TEMPLATES = {
    ("jobs/runner.py", "message"),  # fail(): the catalog's error, already in a language
    ("tasks/chat/train.py", "message"),  # describe(err): the training's error
    ("rag/index_job.py", "f\"{Path(source).name}: {err.message('en')}\""),
    ("jobs/child.py", "event['message']"),  # the training's events, recorded as they were logged
}

# Values that are words of a fixed set, not samples: (file, name) -> the words.
WORDS = {("rag/index_job.py", "status"): ["added", "updated", "unchanged", "failed"]}


def _alternatives(node: ast.AST, scope: ast.AST, rel: str) -> list[str] | None:
    """Every text ``node`` (a message or a part of one) can be, with sample values for what is not
    a fixed phrase; None when it is not built from literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append([value.value])
            else:
                parts.append(_alternatives(value.value, scope, rel) or [_sample(value)])
        return ["".join(p) for p in itertools.product(*parts)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _alternatives(node.left, scope, rel), _alternatives(node.right, scope, rel)
        return None if left is None or right is None else [a + b for a in left for b in right]
    if isinstance(node, ast.IfExp):
        body, orelse = _alternatives(node.body, scope, rel), _alternatives(node.orelse, scope, rel)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.Name) and (rel, node.id) in WORDS:
        return WORDS[rel, node.id]
    if isinstance(node, ast.Name):  # a phrase chosen a few lines above: `where = ("..." if ... else "...")`
        for assign in ast.walk(scope):
            if isinstance(assign, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id
                                                      for t in assign.targets):
                return _alternatives(assign.value, scope, rel)
    return None


def _sample(value: ast.FormattedValue) -> str:
    spec = "".join(v.value for v in getattr(value.format_spec, "values", []) if isinstance(v, ast.Constant))
    return format(0.75, spec) if spec.endswith(("f", "%")) else "7"


def _emitted() -> list[tuple[str, int, str]]:
    """(file, line, sample message) for every event the jobs log."""
    found: dict[tuple[str, int, str], None] = {}  # a nested function's calls are walked twice
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("studio/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for scope in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            for call in (n for n in ast.walk(scope) if isinstance(n, ast.Call)):
                name = getattr(call.func, "attr", None)
                index = {"log_event": 0, "add_event": 1}.get(name or "")
                if index is None or len(call.args) <= index:
                    continue
                node = call.args[index]
                if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "t":
                    key = node.args[0]  # i18n.t(key, "en"): a catalog text the studio knows by its key
                    assert not isinstance(key, ast.Constant) or key.value.startswith(EVENT_PREFIXES), \
                        f"{rel}:{call.lineno}: {key.value} is not an event template"
                    continue
                texts = _alternatives(node, scope, rel)
                label = ast.unparse(node)
                if (rel, label) in NOT_TEMPLATES:
                    continue
                assert texts, f"{rel}:{call.lineno}: an event that is not built from literals: {label}"
                found.update(dict.fromkeys((rel, call.lineno, text) for text in texts))
    return list(found)


EMITTED = _emitted()


def test_the_code_logs_events() -> None:
    files = {rel for rel, _line, _text in EMITTED}
    assert {"jobs/runner.py", "tasks/chat/train.py", "tasks/chat/dpo.py", "tasks/image_classification/train.py",
            "tasks/text_classification/train.py", "rag/index_job.py", "server/service.py"} <= files
    assert len(EMITTED) > 40


@pytest.mark.parametrize("rel,line,message", EMITTED, ids=[f"{r}:{n}" for r, n, _ in EMITTED])
def test_every_event_has_a_template(rel: str, line: int, message: str) -> None:
    shown = translate(message, "es")
    assert shown != message, f"{rel}:{line} logs {message!r}: add its template to studio_events.py"
    # and the whole of it is translated: no two English words of it are left (a shorter template whose
    # last value takes the rest of a longer message leaves them)
    words = re.findall(r"[A-Za-z]{2,}(?: [A-Za-z]{2,})+", message)
    left = [w for w in words if w in shown]
    assert not left, f"{rel}:{line}: {message!r} is shown as {shown!r}"


@pytest.mark.parametrize("code,how", [(1, "código de salida 1"), (-9, "señal 9"), (None, "el proceso ya no existe")])
def test_a_restart_in_spanish_down_to_its_words(code: int | None, how: str) -> None:
    from afinar.jobs.runner import _how
    from afinar.tasks import job_tasks

    processes = {entry.process for entry in job_tasks().values()}
    assert processes == {"training", "indexing"}
    message = f"The training process stopped unexpectedly ({_how(code)}); restarting from its checkpoint at step 12 " \
              "(attempt 1 of 3)"
    assert translate(message, "es") == f"El proceso de entrenamiento se detuvo de forma inesperada ({how}); se " \
                                       "reinicia desde su punto de control del paso 12 (intento 1 de 3)"
    assert translate("The indexing process stopped unexpectedly (exit code 1); running it again, skipping what it "
                     "finished (attempt 2 of 3)", "es").startswith("El proceso de indexación se detuvo")


def test_a_value_is_translated_only_where_its_placeholder_stands() -> None:
    # "training" is a process's name in a restart, but a knowledge base may be called so too
    assert translate("Indexing 3 file(s) into the knowledge base training", "es") == \
        "Indexando 3 archivo(s) en la base de conocimiento training"
    assert translate("Resumed after stage 1, epoch 3 (step 24).", "es") == "Reanudado después de la etapa 1, época 3 (paso 24)."
    assert translate("Reference log-probabilities of 12 pairs computed (adapters off) in 1.5 s", "es") == \
        "Log-probabilidades de referencia de 12 pares calculadas (adaptadores desactivados) en 1,5 s"
    assert translate("File 1/3 added: a.md (4 chunks)", "es") == "Archivo 1/3 añadido: a.md (4 fragmentos)"
