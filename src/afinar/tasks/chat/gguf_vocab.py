"""The tokenizer part of an exported GGUF: tokens with their types, merges, special ids, the
pre-tokenizer name and the chat template, from a saved Hugging Face tokenizer folder.

Byte-level BPE tokenizers (SmolLM2, Qwen2, GPT-2 style) are written as llama.cpp's ``gpt2``
model. Merges, special ids, add-BOS/EOS flags and the chat template are read by ``gguf``'s own
``SpecialVocab``. The pre-tokenizer name (how llama.cpp splits text before BPE) cannot be read
from a tokenizer.json reliably; it is taken from the base's own GGUF file when the base was
converted from one (the packaged bases and ``afinar models import``), else from the architecture.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.tasks.chat.weights import Merged


def add_tokenizer(writer: Any, folder: Path, merged: Merged, default_pre: str) -> None:
    import gguf

    data = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    model = data.get("model") or {}
    decoder = (data.get("decoder") or {}).get("type")
    if model.get("type") != "BPE" or model.get("byte_fallback") or decoder != "ByteLevel":
        raise AfinarError("chat.export.tokenizer_unsupported", model=merged.spec,
                          kind=f"{model.get('type')}/{decoder}")
    rows = _embedding_rows(merged)
    tokens, types = _tokens(model["vocab"], data.get("added_tokens") or [], rows)
    writer.add_tokenizer_model("gpt2")
    base = Path(merged.meta.get("base_path") or merged.weights_dir)
    writer.add_tokenizer_pre(source_pre_tokenizer(base) or default_pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    special = gguf.SpecialVocab(folder, load_merges=True, n_vocab=len(tokens))
    special.add_to_gguf(writer, quiet=True)


def _tokens(vocab: dict[str, int], added: list[dict], rows: int) -> tuple[list[str], list[int]]:
    """Every token by id with llama.cpp's type: special added tokens are CONTROL (never produced
    from plain text), other added ones USER_DEFINED; padding rows of the embedding get UNUSED
    placeholders so the token count equals the model's vocabulary size."""
    from gguf import TokenType

    by_id: dict[int, tuple[str, int]] = {i: (text, TokenType.NORMAL) for text, i in vocab.items()}
    for token in added:
        kind = TokenType.CONTROL if token.get("special") else TokenType.USER_DEFINED
        by_id[int(token["id"])] = (token["content"], kind)
    size = max(rows, max(by_id) + 1)
    tokens, types = [], []
    for i in range(size):
        text, kind = by_id.get(i, (f"[PAD{i}]", TokenType.UNUSED))
        tokens.append(text)
        types.append(int(kind))
    return tokens, types


def _embedding_rows(merged: Merged) -> int:
    return int(merged.config.get("vocab_size") or 0)


def source_pre_tokenizer(base_dir: Path) -> str | None:
    """``tokenizer.ggml.pre`` of the GGUF file the base was converted from, if there is one."""
    path = _source_gguf(base_dir)
    if path is None:
        return None
    from gguf import GGUFReader

    field = GGUFReader(str(path)).fields.get("tokenizer.ggml.pre")
    return field.contents() if field is not None else None


def _source_gguf(base_dir: Path) -> Path | None:
    manifest = base_dir / "afinar-model.json"
    if not manifest.is_file():
        return None
    for source in json.loads(manifest.read_text(encoding="utf-8")).get("source_files") or []:
        path = str(source.get("path", ""))
        if not path.endswith(".gguf"):
            continue
        if source.get("module"):
            spec = importlib.util.find_spec(source["module"])
            if spec is None or spec.origin is None:
                continue
            candidate = Path(spec.origin).parent / path
        else:
            candidate = Path(path)
        if candidate.is_file():
            return candidate
    return None
