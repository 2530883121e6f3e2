"""The E5S1 importer: Q4_0 de-quantization, the layout of e5.c, and a BertModel that computes the same thing."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from afinar.errors import AfinarError
from afinar.models import e5s1
from afinar.models.progress import QuietReporter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures.models.tiny_models import quantize_q4_0, write_tiny_e5s1  # noqa: E402

pytestmark = pytest.mark.unit


def _dequant_reference(raw: bytes, n: int) -> list[float]:
    """Literal transcription of e5.c's deq_row, one block at a time."""
    out = [0.0] * n
    for b in range(n // 32):
        block = raw[b * 18 : (b + 1) * 18]
        (d,) = struct.unpack("<e", block[:2])
        for j in range(16):
            out[b * 32 + j] = ((block[2 + j] & 0x0F) - 8) * d
            out[b * 32 + j + 16] = ((block[2 + j] >> 4) - 8) * d
    return out


def test_q4_0_dequantization_matches_e5c() -> None:
    values = np.random.default_rng(1).standard_normal(32 * 6).astype(np.float32)
    raw = quantize_q4_0(values)
    ours = e5s1.dequantize_q4_0(raw, values.size)
    assert ours.tolist() == pytest.approx(_dequant_reference(raw, values.size), abs=0)
    scale = np.abs(values.reshape(-1, 32)).max(axis=1) / 8
    assert (np.abs(ours - values).reshape(-1, 32) <= scale[:, None] + 1e-6).all()


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + 1e-12) * w + b


def _numpy_bert(t: dict[str, np.ndarray], ids: list[int], layers: int, heads: int) -> np.ndarray:
    """e5.c's forward pass in numpy on the de-quantized tensors: returns the mean-pooled embedding."""
    from math import erf, sqrt

    x = t["emb.word"][ids] + t["emb.pos"][: len(ids)] + t["emb.type"][0]
    x = _layer_norm(x, t["emb.ln.w"], t["emb.ln.b"])
    hd = x.shape[1] // heads
    gelu = np.vectorize(lambda v: 0.5 * v * (1 + erf(v / sqrt(2))))
    for i in range(layers):
        q, k, v = (x @ t[f"l{i}.{n}.w"].T + t[f"l{i}.{n}.b"] for n in ("q", "k", "v"))
        ctx = np.zeros_like(x)
        for h in range(heads):
            s = slice(h * hd, (h + 1) * hd)
            a = q[:, s] @ k[:, s].T / np.sqrt(hd)
            a = np.exp(a - a.max(-1, keepdims=True))
            ctx[:, s] = (a / a.sum(-1, keepdims=True)) @ v[:, s]
        x = _layer_norm(x + ctx @ t[f"l{i}.ao.w"].T + t[f"l{i}.ao.b"], t[f"l{i}.aln.w"], t[f"l{i}.aln.b"])
        mid = gelu(x @ t[f"l{i}.fi.w"].T + t[f"l{i}.fi.b"])
        x = _layer_norm(x + mid @ t[f"l{i}.fo.w"].T + t[f"l{i}.fo.b"], t[f"l{i}.oln.w"], t[f"l{i}.oln.b"])
    return x.mean(0)


def test_tiny_e5s1_converts_to_a_bert_folder_with_the_same_embeddings(tmp_path: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    model_file, tokenizer_file, _ = write_tiny_e5s1(tmp_path)
    parsed = e5s1.read(model_file)
    assert (parsed.hidden, parsed.layers, parsed.heads, parsed.vocab) == (64, 2, 4, 32)
    shapes = e5s1._expected_shapes(parsed)
    dense = {}
    for name, (dtype, n, raw) in parsed.tensors.items():
        flat = e5s1.dequantize_q4_0(raw, n) if dtype == 1 else np.frombuffer(raw, "<f4", count=n)
        dense[name] = flat.reshape(shapes[name])

    out = tmp_path / "out"
    facts = e5s1.convert_e5s1(model_file, tokenizer_file, out, QuietReporter())
    assert facts["layers"] == 2
    tokenizer = AutoTokenizer.from_pretrained(out)
    model = AutoModel.from_pretrained(out).eval()
    batch = tokenizer(["hola mundo", "hello world"], padding=True, return_tensors="pt")
    assert batch["input_ids"][0].tolist()[:4] == [0, 4, 5, 2]
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    for row in range(2):
        mask = batch["attention_mask"][row].bool()
        ours = hidden[row][mask].mean(0).numpy()
        ids = batch["input_ids"][row][mask].tolist()
        expected = _numpy_bert(dense, ids, layers=2, heads=4)
        cosine = float(ours @ expected / np.linalg.norm(ours) / np.linalg.norm(expected))
        assert cosine > 0.99999


def test_broken_e5s1_files_are_user_errors(tmp_path: Path) -> None:
    model_file, _, _ = write_tiny_e5s1(tmp_path)
    data = model_file.read_bytes()
    bad_magic = tmp_path / "bad.bin"
    bad_magic.write_bytes(b"XXXX" + data[4:])
    truncated = tmp_path / "short.bin"
    truncated.write_bytes(data[: len(data) // 2])
    for path in (bad_magic, truncated):
        with pytest.raises(AfinarError) as err:
            e5s1.dense_tensors(e5s1.read(path), path)
        assert err.value.key == "models.e5s1_bad"
        assert str(path) in err.value.message()
