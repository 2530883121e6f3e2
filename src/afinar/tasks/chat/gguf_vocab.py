"""The tokenizer part of an exported GGUF: tokens with their types, merges, special ids, the
pre-tokenizer name and the chat template, from a saved Hugging Face tokenizer folder.

Byte-level BPE tokenizers (SmolLM2, Qwen2, GPT-2 style) are written as llama.cpp's ``gpt2``
model. Merges, special ids, add-BOS/EOS flags and the chat template are read by ``gguf``'s own
``SpecialVocab``. The pre-tokenizer name (how llama.cpp splits text before BPE) cannot be read
from a tokenizer.json reliably; it is taken from the base's own GGUF file when the base was
converted from one (the packaged bases and ``afinar models import``), else from the architecture.

Other tokenizers (SentencePiece-style, like Gemma's) are copied field by field from the base's own
GGUF file, when there is one; only the chat template is the run's.
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
    rows = _embedding_rows(merged)
    source = _source_gguf(Path(merged.meta.get("base_path") or merged.weights_dir))
    if model.get("type") != "BPE" or model.get("byte_fallback") or decoder != "ByteLevel":
        if source is None:
            raise AfinarError("chat.export.tokenizer_unsupported", model=merged.spec,
                              kind=f"{model.get('type')}/{decoder}")
        _copy_tokenizer(writer, source, rows, merged.spec)
        template = _chat_template(folder)
        if template:
            writer.add_chat_template(template)
        return
    tokens, types = _tokens(model["vocab"], data.get("added_tokens") or [], rows)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(_pre_tokenizer(source) or default_pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    special = gguf.SpecialVocab(folder, load_merges=True, n_vocab=len(tokens))
    special.add_to_gguf(writer, quiet=True)


def _copy_tokenizer(writer: Any, source: Path, rows: int, spec: str) -> None:
    """Every ``tokenizer.ggml.*`` field of the base's own GGUF, as it is (tokens, scores, types,
    special ids, flags): fine-tuning does not change the tokenizer, and a SentencePiece vocabulary's
    scores are not in a tokenizer.json."""
    from gguf import GGUFReader, GGUFValueType

    reader = GGUFReader(str(source))
    tokens = reader.fields.get("tokenizer.ggml.tokens")
    if tokens is None or len(tokens.data) != rows:
        raise AfinarError("chat.export.tokenizer_mismatch", model=spec, path=str(source),
                          found=len(tokens.data) if tokens is not None else 0, rows=rows)
    for key, field in reader.fields.items():
        if not key.startswith("tokenizer.ggml."):
            continue
        kind = field.types[0]
        sub = field.types[-1] if kind == GGUFValueType.ARRAY else None
        writer.add_key_value(key, field.contents(), kind, sub_type=sub)


def _chat_template(folder: Path) -> str | None:
    jinja = folder / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    config = folder / "tokenizer_config.json"
    if config.is_file():
        return json.loads(config.read_text(encoding="utf-8")).get("chat_template")
    return None


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


def _pre_tokenizer(source: Path | None) -> str | None:
    """``tokenizer.ggml.pre`` of the GGUF file the base was converted from, if there is one."""
    return None if source is None else read_string_field(source, "tokenizer.ggml.pre")


def read_string_field(path: Path, key: str) -> str | None:
    """One string field of a GGUF file's header, read by walking the header with plain reads
    (``GGUFReader`` builds an array for every token and merge first: 130 MB for SmolLM2's)."""
    import struct

    from gguf import GGUF_MAGIC, GGUFValueType

    sizes = {GGUFValueType.UINT8: 1, GGUFValueType.INT8: 1, GGUFValueType.BOOL: 1, GGUFValueType.UINT16: 2,
             GGUFValueType.INT16: 2, GGUFValueType.UINT32: 4, GGUFValueType.INT32: 4, GGUFValueType.FLOAT32: 4,
             GGUFValueType.UINT64: 8, GGUFValueType.INT64: 8, GGUFValueType.FLOAT64: 8}
    with path.open("rb") as fh:
        def number(fmt: str) -> int:
            return struct.unpack(fmt, fh.read(struct.calcsize(fmt)))[0]

        def skip(kind: int, count: int = 1) -> None:
            if kind == GGUFValueType.STRING:
                for _ in range(count):
                    fh.seek(number("<Q"), 1)
            elif kind == GGUFValueType.ARRAY:
                for _ in range(count):
                    inner = number("<I")
                    skip(inner, number("<Q"))
            else:
                fh.seek(sizes[GGUFValueType(kind)] * count, 1)

        if number("<I") != GGUF_MAGIC or number("<I") not in (2, 3):  # big-endian or unknown: the full reader
            from gguf import GGUFReader

            field = GGUFReader(str(path)).fields.get(key)
            return field.contents() if field is not None else None
        number("<Q")  # tensor count
        for _ in range(number("<Q")):
            name = fh.read(number("<Q")).decode("utf-8")
            kind = number("<I")
            if name == key and kind == GGUFValueType.STRING:
                return fh.read(number("<Q")).decode("utf-8")
            skip(kind)
    return None


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
