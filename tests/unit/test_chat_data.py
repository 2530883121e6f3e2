"""The loss mask: exactly the assistant replies (and their end-of-turn), checked token by token."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tiny_chat  # noqa: E402

from afinar.tasks.chat.config import (  # noqa: E402
    ChatTrainConfig,
    auto_batch_size,
    auto_lr_multiplier,
)
from afinar.tasks.chat.data import IGNORE, ensure_chat_template, tokenize_example  # noqa: E402


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory):
    from transformers import AutoTokenizer

    folder = tiny_chat.build(tmp_path_factory.mktemp("tok"), layers=1)
    return AutoTokenizer.from_pretrained(str(folder))


def _trained_text(tok, example) -> str:
    t = tokenize_example(tok, example, 4096)
    labels = [IGNORE] + t.targets[:-1]  # undo the shift: label of each input position
    assert all(l == IGNORE or l == i for l, i in zip(labels, t.input_ids))
    return tok.decode([i for i, l in zip(t.input_ids, labels) if l != IGNORE])


def test_only_assistant_tokens_are_trained(tokenizer) -> None:
    example = {"messages": [
        {"role": "system", "content": "Eres TechStore."},
        {"role": "user", "content": "¿Precio?"},
        {"role": "assistant", "content": "Cuesta $999."},
        {"role": "user", "content": "¿Garantía?"},
        {"role": "assistant", "content": "1 año."},
    ]}
    assert _trained_text(tokenizer, example) == "Cuesta $999.<|im_end|>\n1 año.<|im_end|>\n"


def test_token_by_token_against_the_template(tokenizer) -> None:
    example = {"messages": [{"role": "user", "content": "hola"}, {"role": "assistant", "content": "¡Hola!"}]}
    t = tokenize_example(tokenizer, example, 4096)
    prompt = tokenizer.apply_chat_template(example["messages"][:1], tokenize=False, add_generation_prompt=True)
    n_prompt = len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    labels = [IGNORE] + t.targets[:-1]
    assert labels[:n_prompt] == [IGNORE] * n_prompt
    assert labels[n_prompt:] == t.input_ids[n_prompt:]
    assert t.trained_tokens == len(t.input_ids) - n_prompt


def test_weight_zero_is_not_trained(tokenizer) -> None:
    example = {"messages": [
        {"role": "user", "content": "a"}, {"role": "assistant", "content": "malo", "weight": 0},
        {"role": "user", "content": "b"}, {"role": "assistant", "content": "bueno", "weight": 1},
    ]}
    assert _trained_text(tokenizer, example) == "bueno<|im_end|>\n"


def test_tool_calls_are_kept_and_tool_results_masked(tokenizer) -> None:
    example = {"messages": [
        {"role": "user", "content": "¿Clima?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "1", "type": "function", "function": {"name": "clima", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "1", "content": "22 °C"},
        {"role": "assistant", "content": "Hace 22 °C."},
    ]}
    text = _trained_text(tokenizer, example)
    assert '<tool_call>{"name": "clima", "arguments": {}}</tool_call>' in text
    assert "Hace 22 °C." in text and "22 °C<|im_end|>" not in text.replace("Hace 22 °C.", "")


def test_function_calling_data_trains_the_calls_as_the_server_prompts_for_them(tokenizer) -> None:
    """OpenAI's function-calling fine-tuning format: the tool definitions are rendered into the
    system message (not trained on), the assistant's calls are the targets, and the prompt before a
    call is exactly the one the server builds for the same conversation (afinar.serving)."""
    from afinar.tasks.chat.data import render_spans
    from afinar.tasks.chat.tools import render_prompt

    tools = [{"type": "function", "function": {"name": "stock", "description": "Unidades en tienda",
                                               "parameters": {"type": "object", "properties": {
                                                   "producto": {"type": "string"}}, "required": ["producto"]}}}]
    question = [{"role": "system", "content": "Eres el asistente de TechStore."},
                {"role": "user", "content": "¿Queda el iPhone 15?"}]
    call = {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {
        "name": "stock", "arguments": '{"producto": "iPhone 15"}'}}]}
    example = {"messages": question + [call, {"role": "tool", "tool_call_id": "c1", "content": '{"unidades": 3}'},
                                       {"role": "assistant", "content": "Quedan 3."}], "tools": tools}
    text = _trained_text(tokenizer, example)
    assert text.startswith('<tool_call>{"name": "stock", "arguments": {"producto": "iPhone 15"}}</tool_call>')
    assert "Quedan 3." in text and "Unidades en tienda" not in text and "unidades" not in text
    full, spans = render_spans(tokenizer, example)
    assert full[:spans[0][0]] == render_prompt(tokenizer, question, tools)
    assert "Eres el asistente de TechStore.\n\nYou can call these functions" in full
    legacy = {"messages": question + [{"role": "assistant", "function_call": {
        "name": "stock", "arguments": '{"producto": "iPhone 15"}'}}], "functions": [tools[0]["function"]]}
    assert render_spans(tokenizer, legacy)[0] == render_spans(tokenizer, {**example, "messages": example["messages"][:3]})[0]


def test_chatml_fallback_for_models_without_template(tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    folder = tiny_chat.build(tmp_path / "base", layers=1, with_template=False)
    tok = AutoTokenizer.from_pretrained(str(folder))
    assert ensure_chat_template(tok) is True
    assert ensure_chat_template(tok) is False
    example = {"messages": [{"role": "user", "content": "hola"}, {"role": "assistant", "content": "adiós"}]}
    assert _trained_text(tok, example) == "adiós<|im_end|>\n"


def test_truncation(tokenizer) -> None:
    example = {"messages": [{"role": "user", "content": "hola " * 50}, {"role": "assistant", "content": "x"}]}
    t = tokenize_example(tokenizer, example, 16)
    assert t.truncated and len(t.input_ids) == 16 and len(t.targets) == 16


def test_auto_hyperparameters() -> None:
    assert auto_batch_size(24) == 4 and auto_batch_size(3) == 3 and auto_batch_size(10_000) == 20
    assert auto_lr_multiplier(24, 4) == 5.0 and auto_lr_multiplier(500, 3) == 2.0
    with pytest.raises(ValueError):
        ChatTrainConfig(data=Path("x"), epochs=0)
    with pytest.raises(ValueError):
        ChatTrainConfig(data=Path("x"), suffix="no spaces allowed")
    with pytest.raises(ValueError):
        ChatTrainConfig(data=Path("x"), unknown=1)


def test_packed_attention_equals_separate_sequences(tmp_path: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    from afinar.engine import varlen

    folder = tiny_chat.build(tmp_path / "m")
    model = AutoModelForCausalLM.from_pretrained(str(folder)).eval()
    seqs = [[5, 6, 7, 8, 9], [10, 11, 12], [13, 14, 15, 16, 17, 18, 19]]
    with torch.no_grad():
        separate = torch.cat([model(input_ids=torch.tensor([s])).logits[0] for s in seqs])
        varlen.enable(model)
        packed = model(**varlen.packed_inputs(seqs)).logits[0]
    assert torch.allclose(separate, packed, atol=1e-5)
