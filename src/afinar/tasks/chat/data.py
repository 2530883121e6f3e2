"""From chat examples to token ids and a loss mask: the model learns only what the assistant says.

Each example is rendered with the model's own chat template (a documented ChatML fallback for a
base model without one), tokenized once with character offsets, and every token whose text lies
inside an assistant message's reply span is trained on — the reply and its end-of-turn marker,
never the system prompt, the user's words, tool results or the role headers. Assistant messages
with ``"weight": 0`` are not trained on.

Worked example (ChatML)::

    <|im_start|>user\\nHola<|im_end|>\\n<|im_start|>assistant\\n¡Hola!<|im_end|>\\n
    ────────────── masked (-100) ─────────────────────────────── trained ───────────

``targets`` are the labels shifted by one inside each example (position t predicts token t+1), so
examples can be packed into one row without any position predicting across a boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

IGNORE = -100

# Used when a tokenizer has no chat template (e.g. a base, non-instruct model such as gemma-3-270m).
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def ensure_chat_template(tokenizer: Any) -> bool:
    """Give ``tokenizer`` the ChatML template if it has none. Returns True when the fallback is used."""
    if getattr(tokenizer, "chat_template", None):
        return False
    tokenizer.chat_template = CHATML_TEMPLATE
    return True


@dataclass
class Tokenized:
    input_ids: list[int]
    targets: list[int]  # next-token labels: IGNORE where nothing is learned
    trained_tokens: int
    truncated: bool


def render_spans(tokenizer: Any, example: dict) -> tuple[str, list[tuple[int, int]]]:
    """The rendered text and the character spans of the assistant replies to train on."""
    from afinar.tasks.chat.tools import render_messages, template_knows_tools, tools_of

    messages, kwargs = render_messages(example["messages"], tools_of(example), template_knows_tools(tokenizer))
    offset = len(messages) - len(example["messages"])  # a system message made for the tool definitions
    full = tokenizer.apply_chat_template(messages, tokenize=False, **kwargs)
    spans = []
    for i, message in enumerate(messages):
        raw = example["messages"][i - offset] if i >= offset else {}
        if message["role"] != "assistant" or raw.get("weight", 1) == 0:
            continue
        before = tokenizer.apply_chat_template(messages[:i], tokenize=False, add_generation_prompt=True,
                                               **kwargs) if i else ""
        upto = tokenizer.apply_chat_template(messages[: i + 1], tokenize=False, **kwargs)
        if not full.startswith(upto) or not upto.startswith(before):
            raise ValueError("the chat template does not render conversations prefix by prefix")
        spans.append((len(before), len(upto)))
    return full, spans


def tokenize_example(tokenizer: Any, example: dict, max_length: int) -> Tokenized:
    text, spans = render_spans(tokenizer, example)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = enc["input_ids"]
    labels = [IGNORE] * len(ids)
    for n, (start, _end) in enumerate(enc["offset_mapping"]):
        if any(s <= start < e for s, e in spans):
            labels[n] = ids[n]
    truncated = len(ids) > max_length
    if truncated:
        ids, labels = ids[:max_length], labels[:max_length]
    targets = labels[1:] + [IGNORE]
    return Tokenized(ids, targets, sum(t != IGNORE for t in targets), truncated)


def collate(examples: list[Tokenized], device: Any) -> dict[str, Any]:
    """One packed row of ``examples`` (no padding, no attention across them) with its targets, on ``device``."""
    import torch

    from afinar.engine.varlen import packed_inputs

    batch = packed_inputs([ex.input_ids for ex in examples])
    batch["targets"] = torch.tensor([[t for ex in examples for t in ex.targets]])
    return {k: v.to(device) if hasattr(v, "to") else v for k, v in batch.items()}
