"""Chat models from Python: ``chat`` (one answer) and ``compare`` (base and fine-tuned side by side).

Answers come from the inference core (``afinar.serving``), the same as ``afinar chat``, the API
and the studio; a model is loaded once per process and kept for the next call.
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afinar import i18n
from afinar.api.show import Shown
from afinar.errors import AfinarError

TRAINING_DEFAULT = "training"  # ``system=`` value: the one the tuned model's training data shared


def chat(model: Any, prompt: str | list[dict[str, Any]], *, system: str | None = TRAINING_DEFAULT,
         max_tokens: int = 256, temperature: float = 0.0) -> str:
    """``model``'s answer to ``prompt`` (a text, or a list of OpenAI-format messages).

    ``model``: a catalog name, hub id, model folder, run folder, ``ft:`` id or a ``Run``.
    ``system``: the conversation's system message; by default the one a fine-tuned model's
    training data shared (as ``afinar chat``), ``None`` for none. ``temperature`` 0 is greedy.
    """
    from afinar.serving import default_pool
    from afinar.tasks.chat.predict import locate

    spec = _spec(model)
    target = locate(spec)  # a catalog base not pulled yet is pulled here, its license shown
    if system == TRAINING_DEFAULT:
        system = target.system_prompt
    if isinstance(prompt, str):
        messages = [{"role": "user", "content": prompt}]
    else:
        messages = list(prompt)
    if system and not (messages and messages[0].get("role") == "system"):
        messages = [{"role": "system", "content": system}, *messages]
    reply = default_pool().get(spec).submit(messages, max_tokens=max_tokens, temperature=temperature,
                                            stream=False).run()
    return reply["text"]


def answer_all(spec: str, prompts: list[str], max_tokens: int, system: str | None) -> list[str]:
    """Greedy answers to every prompt, decoded together by the inference core; the model is
    unloaded afterwards (the other one of a comparison is loaded next)."""
    from afinar.serving import default_pool
    from afinar.tasks.chat.predict import locate

    locate(spec)  # a catalog base not pulled yet is pulled here, its license shown (as `afinar chat`)
    prefix = [{"role": "system", "content": system}] if system else []
    pool = default_pool()
    results = pool.answer_all(spec, [[*prefix, {"role": "user", "content": p}] for p in prompts],
                              max_tokens=max_tokens, temperature=0.0)
    pool.evict(spec)
    gc.collect()
    return [r["text"] for r in results]


@dataclass(repr=False)
class Comparison(Shown):
    """Base and tuned answers to the same prompts: ``rows`` (each with its answers and the
    expected facts found), ``score`` (facts per model), ``nonwords`` (rates, when hunspell's
    dictionary is installed), ``system`` (the system message both got)."""

    base: str
    tuned: str
    rows: list[Any]
    score: dict[str, Any]
    nonwords: dict[str, str] | None
    system: str | None
    summary: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return i18n.t("compare.title", base=self.base, tuned=self.tuned)

    def _repr_html_(self) -> str:
        from afinar.evaluate.compare import to_html

        return to_html(self.rows, self.title, {"base": self.base, "tuned": self.tuned}, self.summary, document=False)

    def __str__(self) -> str:
        from afinar.evaluate.compare import to_markdown

        return to_markdown(self.rows, self.title, self.summary)

    def save(self, path: str | Path) -> Path:
        """An ``.html`` page or a Markdown (``.md``) report."""
        from afinar.evaluate.compare import to_html, to_markdown

        path = Path(path)
        text = (to_html(self.rows, self.title, {"base": self.base, "tuned": self.tuned}, self.summary)
                if path.suffix.lower() in (".html", ".htm") else to_markdown(self.rows, self.title, self.summary))
        path.write_text(text, encoding="utf-8")
        return path


def compare(base: Any, tuned: Any, prompts: str | Path | list[Any], *, system: str | None = TRAINING_DEFAULT,
            max_tokens: int = 160) -> Comparison:
    """Ask ``base`` and ``tuned`` the same prompts and score the expected facts in each answer
    (``afinar compare``). ``prompts``: a file (one prompt per line, or JSONL with ``prompt`` and
    ``expected``), or a list of texts or ``{"prompt", "expected"}`` dicts. ``system``: by
    default the one ``tuned``'s training data shared."""
    from afinar.evaluate.compare import read_prompts, run_comparison, totals
    from afinar.tasks.chat.predict import training_system_prompt

    base, tuned = _spec(base), _spec(tuned)
    cases = read_prompts(prompts) if isinstance(prompts, (str, Path)) else _cases(prompts)
    if system == TRAINING_DEFAULT:
        system = training_system_prompt(tuned)
    rows = run_comparison(cases, {"base": base, "tuned": tuned},
                          lambda spec, ps: answer_all(spec, ps, max_tokens, system or None))
    score = totals(rows)
    fluency = nonwords(rows, tuned)
    summary = [i18n.t("compare.total", base_hits=score["base"], tuned_hits=score["tuned"], total=score["total"])]
    if fluency is not None:
        summary.append(i18n.t("compare.nonwords", **fluency))
    if system:
        summary.append(i18n.t("compare.system", system=system))
    return Comparison(base, tuned, rows, score, fluency, system or None, summary)


def _cases(prompts: list[Any]) -> list[Any]:
    from afinar.evaluate.compare import PromptCase

    cases = []
    for item in prompts:
        if isinstance(item, str):
            cases.append(PromptCase(item))
        elif isinstance(item, dict) and isinstance(item.get("prompt"), str):
            cases.append(PromptCase(item["prompt"], list(item.get("expected", [])), item.get("case")))
        else:
            raise AfinarError("api.compare.bad_prompt", item=repr(item)[:80])
    if not cases:
        raise AfinarError("api.compare.bad_prompt", item="[]")
    return cases


def nonwords(rows: list, tuned: str) -> dict[str, str] | None:
    """Each model's non-word rate, with the tuned model's training words counted as known."""
    from afinar.evaluate.fluency import dictionary_available, language_of, nonword_rate

    answers = {k: [r.answers[k] for r in rows] for k in ("base", "tuned")}
    known = _training_words(tuned)
    lang = language_of(answers["tuned"] + [r.case.prompt for r in rows])
    if not dictionary_available(lang):
        return None
    rates = {k: nonword_rate(v, lang, known).rate for k, v in answers.items()}
    return {"lang": lang, **{k: f"{v:.1%}" for k, v in rates.items()}}


def _training_words(tuned: str) -> set[str]:
    from afinar.tasks.chat.evaluation import known_words
    from afinar.tasks.chat.predict import locate

    try:
        target = locate(tuned)
    except AfinarError:
        return set()
    path = target.run_dir / "data" / "train.jsonl" if target.run_dir else None
    if path is None or not path.is_file():
        return set()
    return known_words([json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()])


def _spec(model: Any) -> str:
    """A model as the core names it: a ``Run`` is its model (``ft:`` id or folder)."""
    from afinar.api.runs import Run

    return model.model if isinstance(model, Run) else str(model)
