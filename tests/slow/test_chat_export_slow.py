"""Slow: the demo's SmolLM2 fine-tune exported as GGUF answers the TechStore question with the
trained price when loaded back with transformers' GGUF loader, like `afinar chat` does."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
QUESTION = "¿Cuánto cuesta el iPhone 15 Pro?"


def test_smollm2_fine_tune_as_gguf_answers_with_the_trained_price(run_cli, tmp_path: Path) -> None:
    import gguf
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from afinar.tasks.chat.predict import generate, load

    run = tmp_path / "run"
    code, _, err = run_cli("train", "chat", REPO / "examples" / "techstore" / "train.jsonl",
                           "--model", "smollm2-135m-instruct", "--epochs", "9", "--output", run)
    assert code == 0, err
    messages = [{"role": "user", "content": QUESTION}]
    tuned, tokenizer, _ = load(str(run))
    expected = generate(tuned, tokenizer, messages, max_new_tokens=60)["text"]
    assert "$999" in expected, expected
    ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                        return_dict=True)["input_ids"]
    with torch.no_grad():
        reference = tuned(ids).logits[0]

    out = tmp_path / "out"
    for quant in ("f16", "q8_0"):
        code, _, err = run_cli("export", "gguf", run, "-o", out / f"techstore-{quant}.gguf", "--quant", quant)
        assert code == 0, err
    reader = gguf.GGUFReader(str(out / "techstore-q8_0.gguf"))
    assert reader.fields["tokenizer.ggml.pre"].contents() == "smollm"  # from the packaged base's own GGUF
    assert "output.weight" not in {t.name for t in reader.tensors}  # SmolLM2 ties its output layer
    for quant, tolerance in (("f16", 0.1), ("q8_0", 0.5)):
        name = f"techstore-{quant}.gguf"
        model = AutoModelForCausalLM.from_pretrained(str(out), gguf_file=name, dtype=torch.float32).eval()
        gguf_tokenizer = AutoTokenizer.from_pretrained(str(out), gguf_file=name)
        answer = generate(model, gguf_tokenizer, messages, max_new_tokens=60)["text"]
        assert "$999" in answer, (quant, answer)
        with torch.no_grad():
            delta = (model(ids).logits[0] - reference).abs().max().item()
        assert delta < tolerance, (quant, delta)
        if quant == "f16":
            assert answer == expected
