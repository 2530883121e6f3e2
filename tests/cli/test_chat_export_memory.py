"""`afinar export hf|gguf` stream the model: peak memory does not grow with the number of layers.

A LoRA fine-tune of a tiny random 2-layer Llama is trained; the same run folder, copied with its
base (``meta.json``'s ``base_path``) pointed at a 30-layer Llama of the same width, is the deep
model (the adapter applies to its first two layers: training 30 layers here takes minutes, and the
export reads the same files either way). Both are exported, each in a fresh Python process that
reports how far its peak resident memory rose above where it stood after the imports (Linux:
``/proc/self/clear_refs`` resets the peak, ``VmHWM`` reads it). An export that held the model, a
safetensors mapping of it or a whole shard rises by the 28 extra layers' bytes more for the deep
model (the code before streaming: 64 MB more for GGUF and for the HF folder alike, with 66 MB of
extra layers); a streamed one by about the same for both (measured: 0.2 to 1.8 MB apart).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tiny_chat

pytestmark = [pytest.mark.cli,
              pytest.mark.skipif(not os.access("/proc/self/clear_refs", os.W_OK), reason="needs Linux /proc")]
HIDDEN = 256

CHILD = r"""
import pathlib, sys
import gguf, peft, safetensors, torch, transformers  # noqa: F401 (the floor every export pays)
from afinar.tasks.chat import export, gguf_export, gguf_vocab, hf_export, safetensors_stream  # noqa: F401

def status(key):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith(key + ":"))

kind, run, out = sys.argv[1:4]
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # the peak (VmHWM) restarts from the resident memory now
before = status("VmRSS")
if kind == "hf":
    export.export_hf(run, pathlib.Path(out))
else:
    export.export_gguf(run, pathlib.Path(out), quant=kind)
print(status("VmHWM") - before)
"""


def _train(root: Path) -> Path:
    from afinar.cli import main

    base = tiny_chat.build(root / "base", layers=2, hidden=HIDDEN)
    rows = [{"messages": [{"role": "user", "content": f"¿Precio del producto {i}?"},
                          {"role": "assistant", "content": f"El producto {i} cuesta ${100 + i}."}]} for i in range(4)]
    data = root / "data.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AFINAR_HOME", str(root / "home"))
        with pytest.raises(SystemExit) as exc:
            main(["train", "chat", str(data), "--model", str(base), "--epochs", "1", "--output", str(root / "run")])
    assert exc.value.code == 0
    return root / "run"


def _deeper(run: Path, root: Path, layers: int) -> Path:
    """A copy of ``run`` over a deeper base of the same width."""
    base = tiny_chat.build(root / "base", layers=layers, hidden=HIDDEN)
    shutil.copytree(run, root / "run")
    meta = json.loads((root / "run" / "meta.json").read_text(encoding="utf-8"))
    (root / "run" / "meta.json").write_text(json.dumps({**meta, "base_path": str(base)}), encoding="utf-8")
    shutil.copytree(run.parent / "home", root / "home")
    return root / "run"


def _rise(run: Path, kind: str, out: Path) -> int:
    env = {**os.environ, "AFINAR_HOME": str(run.parent / "home"), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", CHILD, kind, str(run), str(out)], env=env, capture_output=True,
                          check=False, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return int(done.stdout.strip().splitlines()[-1])


def test_export_memory_does_not_grow_with_the_model(tmp_path_factory: pytest.TempPathFactory) -> None:
    shallow = _train(tmp_path_factory.mktemp("shallow"))
    deep = _deeper(shallow, tmp_path_factory.mktemp("deep"), 30)
    size = {run: (run.parent / "base" / "model.safetensors").stat().st_size for run in (shallow, deep)}
    extra = size[deep] - size[shallow]
    largest = 2 * HIDDEN * HIDDEN * 4  # an MLP matrix in float32, the largest tensor of both
    assert extra > 50 * largest  # the deep model is mostly its extra layers
    out = tmp_path_factory.mktemp("out")
    for kind in ("hf", "q8_0", "f16"):
        rises = {run: _rise(run, kind, out / f"{run.parent.name}-{kind}") for run in (shallow, deep)}
        assert rises[deep] - rises[shallow] < extra / 4, (kind, rises, extra)
        assert rises[deep] < 16 * largest + (32 << 20), (kind, rises, largest)
