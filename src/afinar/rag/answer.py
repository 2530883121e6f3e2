"""Grounded answers: retrieve (hybrid, ``afinar.rag.retrieval``), decide from the question's words
whether the chunks can answer it (``afinar.rag.grounding``; when they cannot, no model runs and the
answer is a fixed "I don't know"), number the chunks [1], [2], ... and answer in one of three modes:

- ``extractive``: the chunks' sentences that best match the question, quoted with their ``[n]``;
  no chat model needed;
- ``generative``: the reply of any chat model the inference core loads (a catalog base, a folder,
  a run, an ``ft:`` id), streamed as it is written, from a prompt that asks it to answer only from
  the chunks and cite them;
- ``auto`` (default): the chat model's draft is checked before it is shown: if every fact it
  states (numbers, names, prices) is in a cited chunk, and it gives a number when one is asked, it
  is the answer; otherwise the extractive answer replaces it (a whole quote: finish reason "stop"). The text comes once the draft is checked (not streamed token by token).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afinar import i18n
from afinar.errors import AfinarError
from afinar.rag import grounding
from afinar.rag.retrieval import Hit, retrieve
from afinar.rag.store import KnowledgeBase

MODES = ("auto", "extractive", "generative")

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
    now (a server does, so a refusal comes before its response starts). :attr:`evidence` says why
    it answered or abstained; :attr:`mode` is the mode that produced the text (``extractive`` when
    ``auto`` replaced an unfaithful draft, ``none`` when it did not know)."""

    def __init__(self, question: str, citations: list[Citation], messages: list[dict] | None,
                 start: Start | None, unknown_text: str, evidence: grounding.Evidence | None = None,
                 mode: str = "generative", fixed_text: str | None = None, lang_code: str = "es"):
        self.question = question
        self.citations = citations
        self.messages = messages
        self.evidence = evidence
        self.known = start is not None or fixed_text is not None
        self.mode = mode if self.known else "none"
        self.lang_code = lang_code
        self._start = start
        self._run: Any = None
        self._text = fixed_text if fixed_text is not None else None if self.known else unknown_text
        self.result: dict[str, Any] = {"prompt_tokens": 0, "completion_tokens": 0, "finish_reason": "stop"}
        if fixed_text is not None:
            self._mark_cited()

    def begin(self) -> None:
        if self._run is None and self._start is not None and self._text is None:
            self._run = self._start(self.messages)

    def cancel(self) -> None:
        """Stop a generation still running (its reader went away)."""
        if self._run is not None and hasattr(self._run, "cancel"):
            self._run.cancel()

    def stream(self) -> Iterator[str]:
        if self._text is not None:  # extractive, the no-answer path, or already generated
            yield self._text
            return
        self.begin()
        yield from self._run
        self._finish(self._run.result)

    __iter__ = stream

    def _finish(self, result: dict) -> None:
        self._text = str(result.get("text", "")).strip()
        self.mode = result.get("mode", self.mode)
        self.result = {k: result.get(k, 0) for k in ("prompt_tokens", "completion_tokens")}
        self.result["finish_reason"] = result.get("finish_reason", "stop")
        self._mark_cited()

    def _mark_cited(self) -> None:
        """Cited: the chunks the text names as [n]; without any marker, those holding its facts."""
        cited = set(cited_numbers(self._text or "", len(self.citations)))
        if not _CITE.search(self._text or "") and self._text:
            facts = grounding.facts_of(self._text, self.lang_code)
            cited = {c.n for c in self.citations
                     if facts and set(facts) & grounding.chunk_terms(c.text, c.source, self.lang_code)}
        for c in self.citations:
            c.cited = c.n in cited

    @property
    def text(self) -> str:
        if self._text is None:
            for _ in self.stream():
                pass
        return self._text or ""

    def as_dict(self, with_text: bool = False) -> dict[str, Any]:
        out = {"answer": self.text, "known": self.known, "mode": self.mode,
               "citations": [c.as_dict(with_text) for c in self.citations]}
        if self.evidence is not None:
            out["evidence"] = self.evidence.as_dict()
        return out


class _Checked:
    """``auto`` mode: the draft of a generation, held back until it is checked; it comes out whole
    if every fact it states is in the chunks (and it states one, and a number when the question asks
    for one), else the extractive text does."""

    def __init__(self, run: Any, question: str, citations: list[Citation], fallback: str, lang_code: str):
        self.run, self.question, self.citations = run, question, citations
        self.fallback, self.lang_code = fallback, lang_code
        self.result: dict[str, Any] | None = None
        self.draft = ""
        self.unsupported: list[str] = []

    def cancel(self) -> None:
        if hasattr(self.run, "cancel"):
            self.run.cancel()

    def __iter__(self) -> Iterator[str]:
        pieces = list(self.run)
        result = dict(self.run.result or {})
        self.draft = str(result.get("text", "".join(pieces))).strip()
        sources = [c.text for c in self.citations]
        self.unsupported = grounding.unsupported(self.draft, sources, self.question, self.lang_code)
        stated = grounding.facts_of(self.draft, self.lang_code)
        vague = grounding.expects_number(self.question) and not grounding.states_a_number(self.draft)
        if self.unsupported or not stated or vague or result.get("finish_reason") == "length":
            result.update(text=self.fallback, mode="extractive", draft=self.draft, finish_reason="stop")
        else:
            result.update(text=self.draft, mode="generative")
        self.result = result
        yield result["text"]


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
           lang: str | None = None, mode: str = "auto", found: Any = None) -> Answer:
    """Answer ``question`` from knowledge base ``name`` (see :class:`Answer` and the module doc).

    ``model``: any chat model id (default: the catalog's default chat base; unused in
    ``extractive`` mode). ``generate`` replaces the chat engine with a plain function
    ``generate(messages, on_text) -> {"text", ...}`` (its text is handed out once it returns);
    ``start(messages)`` replaces it with a streaming generation (an iterable of text deltas with
    ``result`` at the end, as ``afinar.serving`` gives). ``min_score``: the similarity the question's
    best-matching retrieved sentence must reach (default: the knowledge base's). ``found``: a search
    already made for this question (``retrieval.retrieve``), not repeated.
    """
    if mode not in MODES:
        raise AfinarError("rag.ask.bad_mode", mode=mode, choices=", ".join(MODES))
    kb = KnowledgeBase.open(name)
    found = found or retrieve(kb, question, k, mmr=mmr, embedder=embedder)
    hits = found.hits
    evidence = grounding.assess(question, found, kb.min_score if min_score is None else min_score)
    unknown = i18n.t("rag.ask.unknown", lang, name=name)
    code = found.corpus.lang
    if not evidence.known:
        return Answer(question, [], None, None, unknown, evidence, lang_code=code)
    citations = [Citation(n, h.source, h.chunk, h.score, h.text, dict(h.where)) for n, h in enumerate(hits, 1)]
    extractive = grounding.extract(question, hits, found.corpus, similarity=found.similarity)
    if mode == "extractive":
        return Answer(question, citations, None, None, unknown, evidence, "extractive", extractive, code)
    persona = None
    if model and model.startswith("ft:"):
        from afinar.tasks.chat.predict import training_system_prompt

        persona = training_system_prompt(model)
    messages = build_messages(question, hits, history, lang, persona)
    if start is None:
        start = ((lambda msgs: _Called(generate, msgs)) if generate is not None
                 else engine_start(model or default_chat_model(), max_tokens, temperature))
    if mode == "auto":
        draft_start = start

        def start(msgs: list[dict]) -> Any:  # the checked wrapper of the caller's start
            return _Checked(draft_start(msgs), question, citations, extractive, code)

    return Answer(question, citations, messages, start, unknown, evidence, mode, lang_code=code)


def display_source(source: str) -> str:
    """A source path shown relative to the current folder when it lies under it."""
    path = Path(source)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return source
