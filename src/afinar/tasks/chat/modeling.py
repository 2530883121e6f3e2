"""Loading a causal LM for training or chat, adding LoRA, and the loss on packed rows.

The loss never builds the full ``tokens × vocabulary`` logits: it takes the decoder's hidden
states, keeps only positions that have a target (assistant tokens), and computes the output
projection and cross-entropy in chunks, each recomputed during backward (activation
checkpointing), so a 150k vocabulary costs a few MB instead of GBs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from afinar.engine import varlen

LOSS_CHUNK = 1024  # target positions per output-projection chunk


def pick_device() -> tuple[Any, Any]:
    import torch

    if torch.cuda.is_available():
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.device("cuda"), dtype
    return torch.device("cpu"), torch.float32


def load_tokenizer(path: str | Path) -> tuple[Any, bool]:
    """The tokenizer and whether the ChatML fallback template had to be used."""
    from transformers import AutoTokenizer

    from afinar.tasks.chat.data import ensure_chat_template

    tokenizer = AutoTokenizer.from_pretrained(str(path), trust_remote_code=False)
    return tokenizer, ensure_chat_template(tokenizer)


def load_model(path: str | Path, dtype: Any, device: Any) -> Any:
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    model = AutoModelForCausalLM.from_pretrained(str(path), dtype=dtype, trust_remote_code=False,
                                                 use_safetensors=True)
    varlen.enable(model)
    return model.to(device)


def load_model_4bit(path: str | Path, dtype: Any, device: Any, gradient_checkpointing: bool) -> Any:
    """QLoRA's base: the weights quantized to 4-bit NF4 (double quantization) by bitsandbytes on
    ``device`` (an NVIDIA GPU in training; bitsandbytes' CPU backend runs the tests), computing in
    ``dtype``; norms kept in float32 for stable training."""
    import os

    import torch
    from peft import prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    place = (torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0"))) if torch.device(device).type == "cuda"
             else torch.device(device))
    quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                               bnb_4bit_compute_dtype=dtype)
    model = AutoModelForCausalLM.from_pretrained(str(path), quantization_config=quant, dtype=dtype,
                                                 device_map={"": place},
                                                 trust_remote_code=False, use_safetensors=True)
    varlen.enable(model)
    return prepare_model_for_kbit_training(model, use_gradient_checkpointing=gradient_checkpointing)


def qlora_problem() -> str | None:
    """The message key saying why QLoRA cannot run here, or None when it can (an NVIDIA GPU and
    bitsandbytes). ``AFINAR_QLORA_CPU=1`` accepts bitsandbytes' CPU backend instead of a GPU: far
    slower than LoRA, so only the tests use it."""
    import importlib.util
    import os

    import torch

    if not torch.cuda.is_available() and os.environ.get("AFINAR_QLORA_CPU") != "1":
        return "chat.train.qlora_no_gpu"
    if importlib.util.find_spec("bitsandbytes") is None:
        return "chat.train.qlora_no_bitsandbytes"
    return None


def add_lora(model: Any, r: int, alpha: int, dropout: float) -> Any:
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules="all-linear",
                        task_type="CAUSAL_LM", bias="none")
    return get_peft_model(model, config)


def add_neftune(model: Any, alpha: float) -> Any:
    """NEFTune (Jain et al., 2023; TRL's ``neftune_noise_alpha``): while training, add uniform noise
    of scale ``alpha / sqrt(L · d)`` to the input embeddings, L being the packed row's length.
    Returns the hook handle (``.remove()`` turns it off)."""
    import math

    import torch

    def noisy(module: Any, args: Any, output: Any) -> Any:
        if not module.training:
            return output
        scale = alpha / math.sqrt(output.shape[-2] * output.shape[-1])
        return output + torch.empty_like(output).uniform_(-scale, scale)

    return causal_lm(model).get_input_embeddings().register_forward_hook(noisy)


def causal_lm(model: Any) -> Any:
    """The transformers CausalLM inside ``model`` (unwrapping PEFT)."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def _chunk_loss(hidden: Any, weight: Any, bias: Any, targets: Any) -> tuple[Any, Any]:
    import torch.nn.functional as F

    logits = F.linear(hidden, weight, bias).float()
    loss = F.cross_entropy(logits, targets, reduction="sum")
    correct = (logits.argmax(-1) == targets).sum()
    return loss, correct


def target_states(model: Any, batch: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """(output head, the decoder's hidden states at the positions that have a target, those
    targets, the positions) of one packed row: what the chunked losses project."""
    lm = causal_lm(model)
    targets = batch["targets"][0]
    keep = (targets != -100).nonzero(as_tuple=True)[0]
    inputs = {k: v for k, v in batch.items() if k != "targets"}
    hidden = lm.model(**inputs, use_cache=False).last_hidden_state[0]
    return lm.get_output_embeddings(), hidden.index_select(0, keep), targets.index_select(0, keep), keep


def packed_loss(model: Any, batch: dict[str, Any]) -> tuple[Any, int, int]:
    """(summed loss, targets counted, correct next-token predictions) for one packed row."""
    from torch.utils.checkpoint import checkpoint

    head, hidden, targets, keep = target_states(model, batch)
    # exactly zero (empty slices, no overflow in fp16), yet connected to every trained tensor the loss
    # can reach: a row with no target at all still gives the head a (zero) gradient, so sharded
    # processes all reduce the same gradients
    total = (hidden[:0].sum() + sum(p[:0].sum() for p in (head.weight, head.bias)
                                    if p is not None and p.requires_grad)).float()
    correct = 0
    for start in range(0, len(keep), LOSS_CHUNK):
        h, t = hidden[start:start + LOSS_CHUNK], targets[start:start + LOSS_CHUNK]
        loss, right = checkpoint(_chunk_loss, h, head.weight, head.bias, t, use_reentrant=False)
        total = total + loss
        correct = correct + right  # stays on the device: one sync at the end, not one per chunk
    return total, len(keep), int(correct)
