"""Writing a merged chat fine-tune as one GGUF file with the ``gguf`` package (ggml's own writer).

The file holds what llama.cpp (and Ollama, LM Studio, transformers' GGUF loader) need: the
architecture's hyperparameters, the tokenizer (tokens, types, merges, pre-tokenizer, special ids),
the chat template, and the tensors under llama.cpp's names (``gguf``'s own HF → GGUF name map).
The header is written first from the tensors' shapes alone, then the tensors one at a time:
memory stays near one tensor, not the model.

Two layout facts from llama.cpp are applied here (the only hand-written conversion): llama
stores the query/key rows of each head interleaved for its rotary embedding (transformers' GGUF
loader undoes exactly this), and Gemma stores its RMSNorm weights as ``1 + w`` (transformers' Gemma
norm multiplies by ``1 + w``, llama.cpp's by the stored weight).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.tasks.chat.weights import Merged

# --quant names we offer -> gguf's tensor type; kept only when the installed gguf can write it.
OFFERED = ("f16", "bf16", "f32", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0")
# Types llama.cpp has but the gguf package cannot write (its k-quants and i-quants only read).
LLAMA_CPP_ONLY = ("q2_k", "q3_k_s", "q3_k_m", "q3_k_l", "q4_k_s", "q4_k_m", "q5_k_s", "q5_k_m", "q6_k",
                  "iq1_s", "iq1_m", "iq2_xxs", "iq2_xs", "iq2_s", "iq3_xxs", "iq3_s", "iq4_nl", "iq4_xs")
CHUNK_VALUES = 1 << 20  # values quantized at a time (4 MB of float32)
FILE_TYPES = {"f32": "ALL_F32", "f16": "MOSTLY_F16", "bf16": "MOSTLY_BF16", "q8_0": "MOSTLY_Q8_0",
              "q5_1": "MOSTLY_Q5_1", "q5_0": "MOSTLY_Q5_0", "q4_1": "MOSTLY_Q4_1", "q4_0": "MOSTLY_Q4_0"}


@dataclass(frozen=True)
class Arch:
    """How one transformers architecture is laid out in GGUF."""

    gguf_name: str  # general.architecture
    permute_qk: bool  # llama's interleaved rotary layout for q_proj / k_proj rows
    norm_plus_one: bool  # Gemma stores RMSNorm weights as 1 + w
    pre_tokenizer: str  # tokenizer.ggml.pre when the base's own GGUF does not say


ARCHS: dict[str, Arch] = {  # transformers model_type -> layout
    "llama": Arch("llama", permute_qk=True, norm_plus_one=False, pre_tokenizer="gpt2"),
    "qwen2": Arch("qwen2", permute_qk=False, norm_plus_one=False, pre_tokenizer="qwen2"),
    "gemma3_text": Arch("gemma3", permute_qk=False, norm_plus_one=True, pre_tokenizer="default"),
}


def quant_types() -> list[str]:
    """The --quant names the installed gguf package can write (probed, not assumed)."""
    import numpy as np
    from gguf import GGMLQuantizationType, quants

    ok = []
    for name in OFFERED:
        try:
            quants.quantize(np.zeros((1, 256), np.float32), GGMLQuantizationType[name.upper()])
        except (NotImplementedError, KeyError):
            continue
        ok.append(name)
    return ok


def check_quant(quant: str) -> str:
    quant = quant.lower()
    if quant not in quant_types():
        key = "chat.export.quant_llama_cpp" if quant in LLAMA_CPP_ONLY else "chat.export.quant_unknown"
        raise AfinarError(key, quant=quant, choices=", ".join(quant_types()))
    return quant


def arch_of(merged: Merged) -> Arch:
    model_type = merged.config.get("model_type", "?")
    if model_type not in ARCHS:
        raise AfinarError("chat.export.arch_unsupported", model=merged.spec, arch=model_type,
                          supported=", ".join(sorted(ARCHS)))
    cfg = merged.config
    scalar = cfg.get("query_pre_attn_scalar")
    if model_type == "gemma3_text" and scalar not in (None, cfg.get("head_dim")):
        # llama.cpp scales Gemma 3's attention by the head size; another scalar would answer differently
        raise AfinarError("chat.export.arch_unsupported", model=merged.spec, arch=f"{model_type} "
                          f"(query_pre_attn_scalar {scalar})", supported=", ".join(sorted(ARCHS)))
    for rope in _ropes(cfg):
        if rope.get("rope_type", rope.get("type", "default")) != "default":
            raise AfinarError("chat.export.rope_unsupported", model=merged.spec, rope=str(rope.get("rope_type")))
    return ARCHS[model_type]


def _ropes(cfg: dict[str, Any]) -> list[dict[str, Any]]:
    """The rotary settings: one dict, or one per attention kind (Gemma 3: full and sliding)."""
    rope = cfg.get("rope_parameters") or cfg.get("rope_scaling") or {}
    if rope and all(isinstance(v, dict) for v in rope.values()):
        return list(rope.values())
    return [rope]


def _rope_theta(cfg: dict[str, Any]) -> float:
    """The base frequency of the (full-attention) rotary embedding."""
    rope = cfg.get("rope_parameters") or {}
    rope = rope.get("full_attention", rope) if isinstance(rope.get("full_attention"), dict) else rope
    return float(rope.get("rope_theta", cfg.get("rope_theta", 10000.0)))


@dataclass
class Plan:
    """One tensor to write: its GGUF name and type, and how to turn the HF tensor into it."""

    hf_name: str
    name: str
    shape: tuple[int, ...]
    qtype: Any  # GGMLQuantizationType


def plan(merged: Merged, arch: Arch, quant: str) -> list[Plan]:
    """The GGUF name and type of every tensor; refuses a quantization a tensor's rows cannot take."""
    import gguf

    cfg = merged.config
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH[arch.gguf_name.upper()], cfg["num_hidden_layers"])
    target = gguf.GGMLQuantizationType[quant.upper()]
    block = gguf.GGML_QUANT_SIZES[target][0]
    out, refused = [], []
    for hf_name, (shape, _dtype) in merged.shapes().items():
        if hf_name == "lm_head.weight" and cfg.get("tie_word_embeddings"):
            continue  # llama.cpp reads the tied output from token_embd
        name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if name is None:
            raise AfinarError("chat.export.unknown_tensor", model=merged.spec, tensor=hf_name)
        qtype = target
        if len(shape) < 2:
            qtype = gguf.GGMLQuantizationType.F32  # norms and biases stay exact, as llama.cpp keeps them
        elif shape[-1] % block:
            refused.append(f"{hf_name} {list(shape)}")
        out.append(Plan(hf_name, name, tuple(shape), qtype))
    if refused:
        raise AfinarError("chat.export.quant_shape", quant=quant, block=block, tensors="; ".join(refused[:3]))
    return out


def _convert(tensor: Any, item: Plan, arch: Arch, cfg: dict[str, Any]) -> Any:
    """HF tensor (any float dtype) -> the numpy array GGUF stores (layout fixes, then the quantization)."""
    import torch
    from gguf import GGMLQuantizationType

    fix_norm = arch.norm_plus_one and item.hf_name.endswith("norm.weight")
    permute = arch.permute_qk and item.hf_name.endswith(("q_proj.weight", "k_proj.weight"))
    if fix_norm or permute or item.qtype == GGMLQuantizationType.F32:
        tensor = tensor.to(torch.float32)
    if fix_norm:
        tensor = tensor + 1
    if permute:
        heads = cfg["num_attention_heads"] if item.hf_name.endswith("q_proj.weight") else cfg["num_key_value_heads"]
        tensor = tensor.reshape(heads, 2, tensor.shape[0] // heads // 2, *tensor.shape[1:]).swapaxes(1, 2)
        tensor = tensor.reshape(item.shape)
    if item.qtype == GGMLQuantizationType.F32:
        return tensor.contiguous().numpy()
    return _quantize_rows(tensor.contiguous(), item.qtype)


def _quantize_rows(tensor: Any, qtype: Any) -> Any:
    """``quants.quantize`` of the tensor in float32, a block of rows at a time, into one output array:
    the same bytes (every type quantizes each row on its own) without a float32 copy of a bf16
    tensor, nor the whole-tensor temporaries the quantizers make (Q8_0 makes several)."""
    import numpy as np
    import torch
    from gguf import quants

    def part(rows: Any) -> Any:
        return quants.quantize(rows.to(torch.float32).numpy(), qtype)

    step = max(1, CHUNK_VALUES // max(1, tensor.shape[-1]))
    if tensor.ndim != 2 or tensor.shape[0] <= step:
        return part(tensor)
    first = part(tensor[:step])
    out = np.empty((tensor.shape[0], *first.shape[1:]), dtype=first.dtype)
    out[:step] = first
    for start in range(step, tensor.shape[0], step):
        out[start:start + step] = part(tensor[start:start + step])
    return out


def _metadata(writer: Any, merged: Merged, arch: Arch, quant: str) -> None:
    import gguf

    cfg = merged.config
    heads = cfg["num_attention_heads"]
    writer.add_name(merged.model_id)
    base = str(merged.meta.get("base_model") or merged.cfg.get("model") or "")
    writer.add_basename(base.rstrip("/").split("/")[-1])  # a name, never a local path
    writer.add_finetune(merged.model_id)
    if merged.meta.get("base_license"):
        writer.add_license(str(merged.meta["base_license"]))
    writer.add_context_length(cfg["max_position_embeddings"])
    writer.add_embedding_length(cfg["hidden_size"])
    writer.add_block_count(cfg["num_hidden_layers"])
    writer.add_feed_forward_length(cfg["intermediate_size"])
    writer.add_head_count(heads)
    writer.add_head_count_kv(cfg.get("num_key_value_heads") or heads)
    head_dim = cfg.get("head_dim") or cfg["hidden_size"] // heads
    if arch.gguf_name == "gemma3":
        writer.add_key_length(head_dim)
        writer.add_value_length(head_dim)
        writer.add_sliding_window(cfg["sliding_window"])
    else:
        writer.add_rope_dimension_count(head_dim)
    writer.add_rope_freq_base(_rope_theta(cfg))
    writer.add_layer_norm_rms_eps(float(cfg["rms_norm_eps"]))
    writer.add_vocab_size(cfg["vocab_size"])
    writer.add_file_type(gguf.LlamaFileType[FILE_TYPES[quant]])
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)


def write(merged: Merged, path: Path, quant: str, tokenizer_dir: Path,
          on_tensor: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Write the GGUF file ``path`` (the caller renames it into place). Returns facts for the report."""
    import gguf

    from afinar.tasks.chat.gguf_vocab import add_tokenizer

    arch = arch_of(merged)
    quant = check_quant(quant)
    items = plan(merged, arch, quant)
    writer = gguf.GGUFWriter(str(path), arch.gguf_name)
    _metadata(writer, merged, arch, quant)
    add_tokenizer(writer, tokenizer_dir, merged, arch.pre_tokenizer)
    for item in items:
        _add_info(writer, item)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    by_name = {item.hf_name: item for item in items}
    for done, (hf_name, tensor) in enumerate(merged.tensors(by_name, as_stored=True), start=1):
        data = _convert(tensor, by_name[hf_name], arch, merged.config)
        del tensor
        writer.write_tensor_data(data)
        del data
        if on_tensor is not None:
            on_tensor(done, len(items))
    writer.close()
    return {"architecture": arch.gguf_name, "quant": quant, "tensors": len(items), "bytes": os.path.getsize(path)}


def _add_info(writer: Any, item: Plan) -> None:
    """Announce a tensor before any data is written: shape, type and size in bytes."""
    import numpy as np
    from gguf import GGMLQuantizationType, quants

    if item.qtype in (GGMLQuantizationType.F32, GGMLQuantizationType.F16):
        dtype = np.dtype(np.float32 if item.qtype == GGMLQuantizationType.F32 else np.float16)
        writer.add_tensor_info(item.name, item.shape, dtype, int(np.prod(item.shape)) * dtype.itemsize)
        return
    raw = quants.quant_shape_to_byte_shape(item.shape, item.qtype)  # bytes per row for block types
    writer.add_tensor_info(item.name, raw, np.dtype(np.uint8), int(np.prod(raw)), raw_dtype=item.qtype)
