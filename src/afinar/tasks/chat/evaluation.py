"""Did it learn? Facts recalled and non-word rate of a chat model's answers to check questions.

Checks are ``PromptCase``s (a question and the facts a right answer contains, as regular
expressions; ``afinar compare``'s prompts format). Where they come from, best first:

1. ``eval_prompts``: the learner's own paraphrased questions (a JSONL file given to the job);
2. the held-out validation examples: their questions, and the numbers their answers state;
3. the training questions themselves, when every example was needed for training (sets under 50):
   then the report says it measured recall of trained questions, not generalisation.

Facts taken from an answer are its numbers (prices, hours, phone numbers, sizes): the facts a
learner checks first, and ones a model cannot state by chance.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from afinar.evaluate.compare import PromptCase, read_prompts, score
from afinar.evaluate.fluency import language_of, nonword_rate, words_of

MAX_CHECKS = 8  # generation is the slow part: a few dozen seconds on 2 CPU cores
MAX_FACTS_PER_CHECK = 3
CHECK_MAX_TOKENS = 80
NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")


@dataclass
class Evaluation:
    source: str  # "eval_prompts", "validation" or "training"
    checks: int
    facts_total: int
    facts_recalled: int
    nonword_rate: float | None  # None: no dictionary for the language on this machine
    language: str
    system_prompt: str | None
    unknown_words: list[str] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.facts_recalled / self.facts_total if self.facts_total else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "recall": self.recall}


def shared_system_prompt(examples: list[dict]) -> str | None:
    """The system message every example starts with, when they all share one (else None)."""
    prompts = set()
    for example in examples:
        messages = example.get("messages") or []
        first = messages[0] if messages else {}
        if first.get("role") != "system" or not isinstance(first.get("content"), str):
            return None
        prompts.add(first["content"])
        if len(prompts) > 1:
            return None
    return prompts.pop() if prompts else None


def facts_of(answer: str) -> list[str]:
    """The numbers an answer states, as patterns (``$1,999`` → ``1,999``), at most a few, in order."""
    seen: list[str] = []
    for number in NUMBER.findall(answer):
        if number not in seen:
            seen.append(number)
    return [rf"(?<![\d.,:]){re.escape(n)}(?![\d]|[.,:]\d)" for n in seen[:MAX_FACTS_PER_CHECK]]


def checks_from_examples(examples: list[dict]) -> list[PromptCase]:
    """One check per single-question example whose answer states at least one number."""
    cases = []
    for example in examples:
        messages = example.get("messages") or []
        users = [m for m in messages if m.get("role") == "user" and isinstance(m.get("content"), str)]
        replies = [m for m in messages if m.get("role") == "assistant" and isinstance(m.get("content"), str)]
        if len(users) != 1 or not replies:  # a later turn's question needs its conversation
            continue
        facts = facts_of(replies[-1]["content"])
        if facts:
            cases.append(PromptCase(users[-1]["content"], facts))
    return cases[:MAX_CHECKS]


def pick_checks(eval_prompts: Path | None, valid: list[dict], train: list[dict]) -> tuple[str, list[PromptCase]]:
    if eval_prompts is not None:
        return "eval_prompts", read_prompts(eval_prompts)
    held_out = checks_from_examples(valid)
    if held_out:
        return "validation", held_out
    return "training", checks_from_examples(train)


def known_words(examples: list[dict]) -> set[str]:
    """Every word of the training data: names and the business's own spelling are not errors."""
    texts = [m["content"] for ex in examples for m in ex.get("messages") or []
             if isinstance(m.get("content"), str)]
    return {w.lower() for w in words_of(texts)}


def evaluate_model(answer: Any, source: str, cases: list[PromptCase], system: str | None,
                   train: list[dict]) -> Evaluation:
    """``answer(messages) -> text`` answers one conversation (greedy)."""
    prefix = [{"role": "system", "content": system}] if system else []
    answers = [answer([*prefix, {"role": "user", "content": case.prompt}]) for case in cases]
    found = [score(text, case.expected) for text, case in zip(answers, cases)]
    replies = [m["content"] for ex in train for m in ex.get("messages") or []
               if m.get("role") == "assistant" and isinstance(m.get("content"), str)]
    lang = language_of(replies)
    fluency = nonword_rate(answers, lang, known_words(train))
    return Evaluation(source=source, checks=len(cases), facts_total=sum(len(c.expected) for c in cases),
                      facts_recalled=sum(sum(f) for f in found), nonword_rate=fluency.rate, language=lang,
                      system_prompt=system, unknown_words=fluency.examples,
                      answers=[{"prompt": c.prompt, "answer": a, "found": f}
                               for c, a, f in zip(cases, answers, found)])
