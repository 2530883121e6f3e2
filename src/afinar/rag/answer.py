"""Grounded answers: retrieve, keep the chunks above the relevance threshold, number them [1], [2],
... in a prompt that asks the model to answer only from them and cite them, and stream the reply
from any chat model the chat engine loads (a catalog base, a local folder, a run folder, an ``ft:``
id). When no chunk reaches the threshold, no model runs: the answer is a fixed "I don't know".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afinar import i18n
from afinar.rag.retrieval import Hit, search
from afinar.rag.store import KnowledgeBase

Generate = Callable[[list[dict], Callable[[str], None]], dict]
Start = Callable[[list[dict]], Any]  # messages -> an iterable of text deltas with ``result`` once done
_CITE = re.compile(r"\[(\d{1,3})\]")


@dataclass
class Citation:
    """Context chunk number ``n`` of the prompt: where it comes from and whether the answer cites it."""

    n: int
    source: str
    chunk: int
    score: float
    text: str
    where: dict[str, int] = field(default_factory=dict)
    cited: bool = False

    def as_dict(self, with_text: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"n": self.n, "source": self.source, "chunk": self.chunk,
                               "score": round(self.score, 4), "cited": self.cited, **self.where}
        if with_text:
            out["text"] = self.text
        return out


def build_messages(question: str, hits: list[Hit], history: list[dict] | None = None,
                   lang: str | None = None, persona: str | None = None) -> list[dict]:
    """The grounded chat prompt: a system rule (after the fine-tuned model's training system prompt,
    ``persona``, when it has one), earlier turns, then the numbered chunks and the question."""
    context = "\n\n".join(f"[{n}] ({hit.name}) {hit.text}" for n, hit in enumerate(hits, 1))
    rule = i18n.t("rag.prompt.system", lang)
    return [{"role": "system", "content": f"{persona}\n\n{rule}" if persona else rule}, *(history or []),
            {"role": "user", "content": i18n.t("rag.prompt.user", lang, context=context, question=question)}]


def cited_numbers(text: str, count: int) -> list[int]:
    """The distinct citation numbers in ``text`` that name one of the ``count`` context chunks."""
    seen = dict.fromkeys(int(m) for m in _CITE.findall(text) if 1 <= int(m) <= count)
    return list(seen)


class Answer:
    """A grounded answer. Iterate it (or call :meth:`stream`) for the text as it is generated;
    :attr:`text` waits for the whole reply. :attr:`citations` are known before generation starts;
    their ``cited`` flags are set once the reply is complete. :meth:`begin` starts the generation
    now (a server does, so a refusal comes before its response starts)."""

    def __init__(self, question: str, citations: list[Citation], messages: list[dict] | None,
                 start: Start | None, unknown_text: str):
        self.question = question
        self.citations = citations
        self.messages = messages
        self.known = start is not None
        self._start = start
        self._run: Any = None
        self._text = None if self.known else unknown_text
        self.result: dict[str, Any] = {"prompt_tokens": 0, "completion_tokens": 0, "finish_reason": "stop"}

    def begin(self) -> None:
        if self._run is None and self._start is not None and self._text is None:
            self._run = self._start(self.messages)

    def cancel(self) -> None:
        """Stop a generation still running (its reader went away)."""
        if self._run is not None and hasattr(self._run, "cancel"):
            self._run.cancel()

    def stream(self) -> Iterator[str]:
        if self._text is not None:  # the no-answer path, or already generated
            yield self._text
            return
        self.begin()
        yield from self._run
        self._finish(self._run.result)

    __iter__ = stream

    def _finish(self, result: dict) -> None:
        self._text = str(result.get("text", "")).strip()
        self.result = {k: result.get(k, 0) for k in ("prompt_tokens", "completion_tokens")}
        self.result["finish_reason"] = result.get("finish_reason", "stop")
        cited = set(cited_numbers(self._text, len(self.citations)))
        for c in self.citations:
            c.cited = c.n in cited

    @property
    def text(self) -> str:
        if self._text is None:
            for _ in self.stream():
                pass
        return self._text or ""

    def as_dict(self, with_text: bool = False) -> dict[str, Any]:
        return {"answer": self.text, "known": self.known,
                "citations": [c.as_dict(with_text) for c in self.citations]}


def engine_start(model: str, max_tokens: int = 256, temperature: float = 0.0) -> Start:
    """A ``Start`` on the inference core's shared pool (the model is loaded once and kept)."""
    from afinar.serving import default_pool

    def start(messages: list[dict]) -> Any:
        return default_pool().submit(model, messages, max_tokens=max_tokens, temperature=temperature)

    return start


class _Called:
    """A plain ``generate(messages, on_text) -> result`` function as a ``Start``: it runs when
    iterated, and its text is handed out once it has returned."""

    def __init__(self, generate: Generate, messages: list[dict]):
        self.generate, self.messages = generate, messages
        self.result: dict[str, Any] | None = None

    def __iter__(self) -> Iterator[str]:
        pieces: list[str] = []
        self.result = self.generate(self.messages, pieces.append)
        text = "".join(pieces)
        yield text if text else str(self.result.get("text", ""))


def default_chat_model() -> str:
    from afinar.models import catalog

    return catalog.default_for("chat").name


def answer(name: str, question: str, model: str | None = None, *, k: int = 4, min_score: float | None = None,
           mmr: bool = False, max_tokens: int = 256, temperature: float = 0.0, history: list[dict] | None = None,
           generate: Generate | None = None, start: Start | None = None, embedder: Any = None,
           lang: str | None = None) -> Answer:
    """Answer ``question`` from knowledge base ``name`` (see :class:`Answer`).

    ``model``: any chat model id (default: the catalog's default chat base). ``generate`` replaces the
    chat engine with a plain function ``generate(messages, on_text) -> {"text", ...}`` (its text is
    handed out once it returns); ``start(messages)`` replaces it with a streaming generation (an
    iterable of text deltas with ``result`` at the end, as ``afinar.serving`` gives).
    ``min_score``: relevance threshold (default: the knowledge base's).
    """
    kb = KnowledgeBase.open(name)
    threshold = kb.min_score if min_score is None else min_score
    hits = [h for h in search(name, question, k, mmr=mmr, embedder=embedder, kb=kb) if h.score >= threshold]
    citations = [Citation(n, h.source, h.chunk, h.score, h.text, dict(h.where)) for n, h in enumerate(hits, 1)]
    unknown = i18n.t("rag.ask.unknown", lang, name=name)
    if not hits:
        return Answer(question, [], None, None, unknown)
    persona = None
    if model and model.startswith("ft:"):
        from afinar.tasks.chat.predict import training_system_prompt

        persona = training_system_prompt(model)
    messages = build_messages(question, hits, history, lang, persona)
    if start is None:
        start = ((lambda msgs: _Called(generate, msgs)) if generate is not None
                 else engine_start(model or default_chat_model(), max_tokens, temperature))
    return Answer(question, citations, messages, start, unknown)


def display_source(source: str) -> str:
    """A source path shown relative to the current folder when it lies under it."""
    path = Path(source)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return source
