"""Exports from Python: a chat fine-tune as GGUF, an Ollama folder or a merged Hugging Face
folder; a classifier as a Hugging Face Space (the same functions as ``afinar export``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def export_gguf(model: Any, output: str | Path, *, quant: str = "q8_0", force: bool = False) -> dict[str, Any]:
    """One GGUF file (LoRA merged in, tokenizer and chat template inside) for llama.cpp, LM Studio,
    Ollama and transformers. ``model``: an ``ft:`` id, a chat run (folder or ``Run``) or a
    checkpoint. Returns what was written (``quant``, ``bytes``, ``tensors``)."""
    from afinar.api.chat import _spec
    from afinar.tasks.chat.export import export_gguf as run

    return run(_spec(model), Path(output), quant=quant, force=force)


def export_ollama(model: Any, output: str | Path, *, quant: str = "q8_0", force: bool = False) -> dict[str, Any]:
    """A folder Ollama imports: the GGUF and a Modelfile (template, stop tokens, the training
    data's system prompt); ``ollama create NAME -f OUTPUT/Modelfile`` then runs it."""
    from afinar.api.chat import _spec
    from afinar.tasks.chat.export import export_ollama as run

    return run(_spec(model), Path(output), quant=quant, force=force)


def export_hf(model: Any, output: str | Path, *, adapter_only: bool = False, force: bool = False) -> dict[str, Any]:
    """A Hugging Face folder with the LoRA merged into the base (or, with ``adapter_only``, the
    PEFT adapter), which transformers, vLLM and ``afinar serve`` load."""
    from afinar.api.chat import _spec
    from afinar.tasks.chat.export import export_hf as run

    return run(_spec(model), Path(output), adapter_only=adapter_only, force=force)


def export_space(run: Any, output: str | Path, *, title: str | None = None, force: bool = False) -> Path:
    """A Hugging Face Space (Gradio app: app.py, requirements.txt, README.md, model/) for a trained
    classifier; ``python app.py`` in it runs it locally."""
    from afinar.tasks import load_run

    folder = Path(getattr(run, "path", run))
    _meta, module = load_run(folder, "export", "export", "export_space")
    module.export_space(folder, Path(output), title=title, force=force)
    return Path(output)
