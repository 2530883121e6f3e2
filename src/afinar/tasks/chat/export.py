"""``afinar export gguf|ollama|hf``: a chat fine-tune where people run models.

- ``gguf``: one GGUF file (llama.cpp, LM Studio, Ollama, transformers' GGUF loader), the LoRA
  merged in, with the tokenizer and chat template (``gguf_export``).
- ``ollama``: a folder with that GGUF and a ``Modelfile`` (template, stop tokens, the training
  data's system prompt when every example had the same one, greedy sampling as ``afinar chat``).
- ``hf``: a merged safetensors folder (transformers, vLLM, ``afinar serve``) with tokenizer,
  generation config and model card; ``adapter_only`` writes the PEFT adapter instead.

Nothing is half-written: everything goes to a hidden ``.NAME.partial`` beside the destination and
is renamed into place at the end; an existing destination is replaced only with ``force``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.tasks.chat.weights import Merged, open_merged

Progress = Callable[[int, int], None]


@contextmanager
def _staged(dest: Path, force: bool, is_dir: bool) -> Iterator[Path]:
    """A temporary path beside ``dest``; renamed onto ``dest`` when the block succeeds, removed if not."""
    dest = dest.expanduser()
    if dest.exists() and not force and (not is_dir or any(dest.iterdir())):
        raise AfinarError("chat.export.exists", path=str(dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.partial")
    _remove(tmp)
    if is_dir:
        tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        _remove(tmp)
        raise
    old = dest.with_name(f".{dest.name}.old")
    if dest.exists():
        _remove(old)
        dest.rename(old)
    os.replace(tmp, dest)
    _remove(old)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _tokenizer_folder(merged: Merged, folder: Path) -> Any:
    """Save the tokenizer ``afinar chat`` uses for this model (ChatML fallback included) into ``folder``."""
    from afinar.tasks.chat.modeling import load_tokenizer

    source = merged.run.final_dir if merged.step is None else Path(merged.meta["base_path"])
    tokenizer, _ = load_tokenizer(source)
    tokenizer.save_pretrained(str(folder))
    return tokenizer


def export_gguf(spec: str, output: Path, quant: str = "q8_0", force: bool = False,
                on_tensor: Progress | None = None) -> dict[str, Any]:
    """Write the fine-tune ``spec`` as the GGUF file ``output``; returns facts for the report."""
    from afinar.tasks.chat import gguf_export

    quant = gguf_export.check_quant(quant)
    merged = open_merged(spec)
    gguf_export.arch_of(merged)  # refuse an architecture before anything is written
    with _staged(output, force, is_dir=False) as tmp, tempfile.TemporaryDirectory() as tok:
        _tokenizer_folder(merged, Path(tok))
        facts = gguf_export.write(merged, tmp, quant, Path(tok), on_tensor)
    return {**facts, "path": str(output), "model": merged.model_id}


# ---- Ollama ----------------------------------------------------------------------------------
# ChatML in Ollama's Go template syntax. Ollama puts system messages both in .System and (since
# 2024) in .Messages: the system turn is written once from .System and skipped in the loop, as
# Ollama's own library templates (qwen2.5) do.
CHATML_GO = ("{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
             "{{- range .Messages }}{{- if ne .Role \"system\" }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n"
             "{{ end }}{{- end }}<|im_start|>assistant\n")


def ollama_name(model_id: str) -> str:
    """An Ollama model name from an ``ft:`` id: ``ft:base:afinar:suffix:abc`` -> ``base-suffix-abc``."""
    parts = [p for p in model_id.split(":") if p and p not in ("ft", "afinar")]
    name = "-".join(parts).lower()
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip("-.") or "afinar-model"


def common_system_prompt(train_file: Path) -> str | None:
    """The system message every training example starts with, when they all share one."""
    if not train_file.is_file():
        return None
    found: set[str] = set()
    with train_file.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            messages = json.loads(line).get("messages") or []
            first = messages[0] if messages else {}
            if first.get("role") not in ("system", "developer"):
                return None
            found.add(str(first.get("content") or ""))
            if len(found) > 1:
                return None
    return found.pop() if found else None


def default_system(tokenizer: Any) -> str | None:
    """The system message a ChatML chat template writes by itself when a conversation has none
    (SmolLM2's: "You are a helpful AI assistant named SmolLM, …"): training and ``afinar chat`` saw
    it, a Go template cannot compute it, so the Modelfile states it as ``SYSTEM``."""
    head = "<|im_start|>system\n"
    text = tokenizer.apply_chat_template([{"role": "user", "content": "?"}], tokenize=False,
                                         add_generation_prompt=True)
    if not text.startswith(head) or "<|im_end|>" not in text:
        return None
    return text[len(head):text.index("<|im_end|>")] or None


def modelfile(tokenizer: Any, gguf_name: str, system: str | None) -> str:
    """The Modelfile: the GGUF, its template in Ollama's Go syntax (ChatML; other templates are read
    by Ollama from the GGUF's own chat template), stop tokens and ``afinar chat``'s greedy sampling.
    ``system``: the training data's shared system prompt; else the template's own default, if any."""
    template = tokenizer.chat_template or ""
    lines = [f"FROM ./{gguf_name}", ""]
    stops = []
    if "<|im_start|>" in template:
        lines += [f'TEMPLATE """{CHATML_GO}"""', ""]
        stops.append("<|im_end|>")
        system = system or default_system(tokenizer)
    if tokenizer.eos_token and tokenizer.eos_token not in stops:
        stops.append(tokenizer.eos_token)
    if system:
        lines += [f'SYSTEM """{system.replace(chr(34) * 3, chr(39) * 3)}"""', ""]
    lines += [f'PARAMETER stop "{s}"' for s in stops]
    lines += ["PARAMETER temperature 0", "PARAMETER repeat_penalty 1.0", ""]
    return "\n".join(lines)


def export_ollama(spec: str, output: Path, quant: str = "q8_0", force: bool = False,
                  on_tensor: Progress | None = None) -> dict[str, Any]:
    from afinar.tasks.chat import gguf_export

    quant = gguf_export.check_quant(quant)
    merged = open_merged(spec)
    gguf_export.arch_of(merged)
    name = ollama_name(merged.model_id)
    with _staged(output, force, is_dir=True) as tmp, tempfile.TemporaryDirectory() as tok:
        tokenizer = _tokenizer_folder(merged, Path(tok))
        facts = gguf_export.write(merged, tmp / "model.gguf", quant, Path(tok), on_tensor)
        system = common_system_prompt(merged.run.path / "data" / "train.jsonl")
        (tmp / "Modelfile").write_text(modelfile(tokenizer, "model.gguf", system), encoding="utf-8")
    return {**facts, "path": str(output), "model": merged.model_id, "ollama_name": name,
            "system": bool(system)}


# ---- merged Hugging Face folder --------------------------------------------------------------
def export_hf(spec: str, output: Path, adapter_only: bool = False, force: bool = False,
              on_tensor: Progress | None = None) -> dict[str, Any]:
    from afinar.tasks.chat import hf_export

    merged = open_merged(spec)
    if adapter_only and not merged.adapter:
        raise AfinarError("chat.export.no_adapter", model=spec, method=merged.cfg.get("method"))
    with _staged(output, force, is_dir=True) as tmp:
        _tokenizer_folder(merged, tmp)
        if adapter_only:
            hf_export.write_adapter(merged, tmp)
        else:
            hf_export.write_merged(merged, tmp, on_tensor)
        hf_export.write_card(merged, tmp, adapter_only)
    return {"path": str(output), "model": merged.model_id, "adapter_only": adapter_only}


# ---- one downloadable file (the studio and the API) -------------------------------------------
KINDS = ("gguf", "ollama", "hf")


def export_download(spec: str, kind: str, folder: Path, quant: str = "q8_0",
                    on_tensor: Progress | None = None) -> Path:
    """The export of ``spec`` as one file in ``folder``: the GGUF itself, or the Ollama / merged HF
    folder zipped. A file already there from an earlier download of the same export is reused."""
    from afinar.tasks.chat import gguf_export

    name = ollama_name(spec)
    if kind != "hf":
        quant = gguf_export.check_quant(quant)
    target = folder / (f"{name}-{quant}.gguf" if kind == "gguf" else
                       f"{name}-ollama-{quant}.zip" if kind == "ollama" else f"{name}-hf.zip")
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "gguf":
        export_gguf(spec, target, quant=quant, on_tensor=on_tensor)
        return target
    with tempfile.TemporaryDirectory(dir=folder) as work:
        inside = Path(work) / name
        if kind == "ollama":
            export_ollama(spec, inside, quant=quant, on_tensor=on_tensor)
        else:
            export_hf(spec, inside, on_tensor=on_tensor)
        archive = shutil.make_archive(str(Path(work) / "archive"), "zip", inside)
        os.replace(archive, target)
    return target
