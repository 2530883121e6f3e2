"""QLoRA's pieces on bitsandbytes' CPU backend: a 4-bit NF4 base, LoRA adapters in float32, a few
packed training steps that lower the loss, and the adapter used on the unquantized base as `afinar
chat` does. (`afinar train chat --method qlora` itself still needs an NVIDIA GPU.)"""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("bitsandbytes")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    # bitsandbytes' CPU kernels need widths that are multiples of its 64-value blocks
    cfg = LlamaConfig(vocab_size=256, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256)
    path = tmp_path_factory.mktemp("q") / "base"
    LlamaForCausalLM(cfg).save_pretrained(path)
    return path


def test_qlora_trains_on_a_4bit_base(base: Path, tmp_path: Path) -> None:
    import bitsandbytes as bnb
    from peft import PeftModel

    from afinar.engine import checkpoint
    from afinar.tasks.chat import modeling
    from afinar.tasks.chat.data import IGNORE, Tokenized, collate

    model = modeling.load_model_4bit(base, torch.bfloat16, torch.device("cpu"), gradient_checkpointing=True)
    model = modeling.add_lora(model, 8, 16, 0.0)
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    modeling.causal_lm(model).enable_input_require_grads()
    layer = modeling.causal_lm(model).model.layers[0].self_attn.q_proj
    assert isinstance(layer.base_layer, bnb.nn.Linear4bit)
    assert layer.base_layer.weight.quant_state.quant_type == "nf4"
    trainable = {name: p for name, p in model.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in name and p.dtype == torch.float32 for name, p in trainable.items())

    rows = [Tokenized(list(range(5, 60)), [IGNORE] * 15 + list(range(21, 61)), 40, False),
            Tokenized(list(range(70, 100)), [IGNORE] * 10 + list(range(81, 101)), 20, False)]
    optimizer = torch.optim.AdamW(list(trainable.values()), lr=3e-3)
    losses = []
    for _ in range(6):
        loss, n, _ = modeling.packed_loss(model, collate(rows, torch.device("cpu")))
        (loss / n).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(float(loss) / n)
    assert losses[-1] < losses[0] - 0.1, losses
    assert checkpoint.trainable_state(model).keys() == trainable.keys()

    model.save_pretrained(tmp_path / "adapter")
    plain = modeling.load_model(base, torch.float32, torch.device("cpu"))
    merged = PeftModel.from_pretrained(plain, str(tmp_path / "adapter")).merge_and_unload()
    before = modeling.load_model(base, torch.float32, torch.device("cpu"))
    ids = torch.tensor([list(range(5, 60))])
    with torch.no_grad():
        assert not torch.allclose(merged(ids).logits, before(ids).logits)  # the adapter changed the model
