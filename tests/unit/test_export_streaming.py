"""The pieces that let `afinar export` stream: a safetensors file written tensor by tensor is
byte-identical to `save_file`'s, and one GGUF header field is read without loading the vocabulary."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

pytestmark = pytest.mark.unit


def test_safetensors_stream_writes_save_files_bytes(tmp_path: Path) -> None:
    import torch
    from safetensors.torch import save_file

    from afinar.tasks.chat.safetensors_stream import SafetensorsStream

    torch.manual_seed(0)
    tensors = {"model.norm.weight": torch.randn(8), "lm_head.weight": torch.randn(5, 8).to(torch.bfloat16),
               "a.half": torch.randn(3, 2).to(torch.float16), "b.ids": torch.arange(6).reshape(2, 3),
               "c.flag": torch.tensor([True, False, True]), "d.scalar": torch.tensor(1.5),
               "é.byte": torch.arange(7, dtype=torch.uint8), "z.empty": torch.zeros(0, 4)}
    save_file(tensors, str(tmp_path / "reference.safetensors"), metadata={"format": "pt"})
    kinds = {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16", torch.int64: "I64",
             torch.bool: "BOOL", torch.uint8: "U8"}
    announced = {name: (tuple(t.shape), kinds[t.dtype]) for name, t in tensors.items()}
    with SafetensorsStream(tmp_path / "streamed.safetensors", announced, {"format": "pt"}) as out:
        assert out.order[:2] == ["b.ids", "d.scalar"]  # I64 sorts before F32, then names
        for name in out.order:
            out.write(name, tensors[name])
    reference = (tmp_path / "reference.safetensors").read_bytes()
    assert (tmp_path / "streamed.safetensors").read_bytes() == reference


def test_safetensors_stream_refuses_a_wrong_tensor_or_a_missing_one(tmp_path: Path) -> None:
    import torch

    from afinar.tasks.chat.safetensors_stream import SafetensorsStream

    announced = {"a": ((2,), "F32"), "b": ((2,), "F32")}
    with pytest.raises(ValueError, match="got b"), SafetensorsStream(tmp_path / "x", announced) as out:
        out.write("b", torch.zeros(2))
    with pytest.raises(ValueError, match="got a \\(4 bytes\\)"), SafetensorsStream(tmp_path / "x", announced) as out:
        out.write("a", torch.zeros(1))
    with pytest.raises(ValueError, match="1 tensors were not written"), \
            SafetensorsStream(tmp_path / "x", announced) as out:
        out.write("a", torch.zeros(2))


def test_one_gguf_string_field_equals_the_full_readers(tmp_path: Path) -> None:
    import gguf
    from fixtures.models.tiny_models import write_tiny_gemma3_gguf

    from afinar.tasks.chat.gguf_vocab import read_string_field

    path = write_tiny_gemma3_gguf(tmp_path / "tiny.gguf")
    fields = gguf.GGUFReader(str(path)).fields
    strings = [k for k, f in fields.items() if f.types == [gguf.GGUFValueType.STRING]]
    assert "tokenizer.chat_template" in strings and "tokenizer.ggml.model" in strings
    last_array = max(i for i, f in enumerate(fields.values()) if f.types[0] == gguf.GGUFValueType.ARRAY)
    assert any(list(fields).index(k) > last_array for k in strings)  # a field after the token arrays
    for key in strings:
        assert read_string_field(path, key) == fields[key].contents(), key
    assert read_string_field(path, "tokenizer.ggml.nothing") is None
    assert read_string_field(path, "tokenizer.ggml.tokens") is None  # an array, not a string
