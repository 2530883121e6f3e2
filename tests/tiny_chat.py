"""A tiny random chat model built in code (config + real tokenizer), for fast tests of the chat engine.

The tokenizer is a real `tokenizers` byte-level BPE trained on a few Spanish sentences, wrapped as a
transformers fast tokenizer with ChatML special tokens and chat template; the model is a 2-layer
Llama with random weights. Saving both gives a standard Hugging Face folder.
"""

from __future__ import annotations

from pathlib import Path

CHATML = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] "
          "+ '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")

CORPUS = [
    "¿Qué laptop me recomiendas para programar? La MacBook Pro M2 cuesta $1,999.",
    "¿Tienen iPhone 15 en stock? Sí, desde $799 en azul, rosa, amarillo, verde y negro.",
    "La garantía es de 1 año, las laptops Windows 2 años y la extendida 3 años por $99.",
    "Hola, ¿en qué puedo ayudarte? Gracias por tu compra. user assistant system",
]


def build(folder: Path, *, layers: int = 2, hidden: int = 32, with_template: bool = True, seed: int = 0,
          arch: str = "llama", context: int = 2048) -> Path:
    """``arch``: "llama" (SmolLM2's architecture) or "qwen2" (biases on q/k/v, tied embeddings)."""
    import torch
    import transformers
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    raw = Tokenizer(models.BPE())
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.decoder = decoders.ByteLevel()
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    raw.train_from_iterator(CORPUS * 5, trainers.BpeTrainer(vocab_size=300, special_tokens=specials,
                                                            initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok = PreTrainedTokenizerFast(tokenizer_object=raw, bos_token=None, eos_token="<|im_end|>",
                                  pad_token="<|endoftext|>", unk_token=None)
    tok.add_special_tokens({"additional_special_tokens": ["<|im_start|>"]})
    if with_template:
        tok.chat_template = CHATML
    tok.save_pretrained(folder)
    torch.manual_seed(seed)
    config_class, model_class = {"llama": ("LlamaConfig", "LlamaForCausalLM"),
                                 "qwen2": ("Qwen2Config", "Qwen2ForCausalLM")}[arch]
    config = getattr(transformers, config_class)(
        vocab_size=len(tok), hidden_size=hidden, intermediate_size=hidden * 2, num_hidden_layers=layers,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=context, eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id, bos_token_id=None, tie_word_embeddings=arch == "qwen2")
    getattr(transformers, model_class)(config).save_pretrained(folder, safe_serialization=True)
    return folder
