"""GGUF -> Hugging Face folder, with transformers' own GGUF loader (needs the ``gguf`` package).

Works for every architecture transformers can read from GGUF (llama, qwen2, gemma, mistral, phi3, ...):
the quantized tensors are de-quantized to dense ones, then saved as safetensors with the tokenizer
(and its chat template, when the GGUF has one). This is also a user feature: fine-tune the GGUF you
already run in Ollama or LM Studio (``afinar models import FILE.gguf --name NAME``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.models.progress import Reporter

CONVERTER_VERSION = 1


def read_header(path: Path) -> dict[str, Any]:
    """Architecture, model name and whether a chat template is present, from the GGUF metadata."""
    from gguf import GGUFReader

    try:
        reader = GGUFReader(str(path))
    except (ValueError, OSError, IndexError) as err:
        raise AfinarError("models.gguf_unreadable", path=str(path), error=str(err)) from err

    def text(key: str) -> str:
        field = reader.fields.get(key)
        return field.contents() if field is not None else ""

    return {
        "architecture": text("general.architecture"),
        "name": text("general.name"),
        "chat_template": bool(text("tokenizer.chat_template")),
    }


def supported_architectures() -> list[str]:
    from transformers.modeling_gguf_pytorch_utils import GGUF_SUPPORTED_ARCHITECTURES

    return sorted(a for a in GGUF_SUPPORTED_ARCHITECTURES if a not in ("general", "tokenizer"))


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Our own progress bar is shown; hide transformers' bars and info logs meanwhile."""
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    level = hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def _dense(model: Any) -> None:
    """The tensors are already de-quantized; drop the quantizer so save_pretrained accepts the model."""
    model.hf_quantizer = None
    for attr in ("is_quantized", "quantization_method"):
        if attr in model.__dict__:
            del model.__dict__[attr]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config


def convert_gguf(path: Path, out_dir: Path, reporter: Reporter, dtype: str = "bfloat16") -> dict[str, Any]:
    """Write a Hugging Face causal-LM folder for the GGUF file ``path`` into ``out_dir``.

    Returns facts for the manifest: architecture, GGUF model name, chat template present or not.
    """
    header = read_header(path)
    arch = header["architecture"]
    if arch not in supported_architectures():
        supported = ", ".join(supported_architectures())
        raise AfinarError("models.gguf_arch_unsupported", path=str(path), arch=arch or "?", supported=supported)
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with quiet_transformers():
        reporter.step("models.step.gguf_tokenizer")
        tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name, trust_remote_code=False)
        reporter.step("models.step.gguf_weights", arch=arch)
        # float32 is transformers' fast path for de-quantizing; the dense weights are then cast once.
        model = AutoModelForCausalLM.from_pretrained(
            str(path.parent), gguf_file=path.name, dtype=torch.float32, trust_remote_code=False
        )
        _dense(model)
        model = model.to(getattr(torch, dtype))
        model.config.dtype = dtype
        reporter.step("models.step.write_safetensors")
        model.save_pretrained(str(out_dir), safe_serialization=True)
        context = getattr(model.config, "max_position_embeddings", None)
        if context and tokenizer.model_max_length > context:
            tokenizer.model_max_length = context  # GGUF tokenizers come without a length limit
        tokenizer.save_pretrained(str(out_dir))
    return {
        "architecture": arch,
        "gguf_name": header["name"],
        "chat_template": bool(getattr(tokenizer, "chat_template", None)),
        "dtype": dtype,
    }
