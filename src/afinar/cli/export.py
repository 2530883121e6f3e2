"""`afinar export ...`: package a finished run for somewhere else. Classifier runs become a Space
(each task's ``export`` module, found through the task registry from the run's ``meta.json``);
chat fine-tunes become a GGUF file, an Ollama folder or a merged Hugging Face folder."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from afinar import i18n
from afinar.cli.options import lang_option


@click.group()
@lang_option
def export() -> None:
    """Package a trained run: a Hugging Face Space (classifiers), GGUF, Ollama or a merged HF folder (chat)."""


@export.command("space")
@click.argument("run_dir", metavar="RUN", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="Folder to create: app.py, requirements.txt, README.md and model/.")
@click.option("--title", help="Title of the Space (default: from the labels).")
@click.option("--force", is_flag=True, help="Replace the contents of a non-empty output folder.")
@lang_option
def space(run_dir: Path, output: Path, title: str | None, force: bool) -> None:
    """Write a Hugging Face Space (Gradio app) for a trained classifier; `python app.py` runs it locally."""
    from afinar.api.export import export_space

    export_space(run_dir, output, title=title, force=force)
    click.echo(i18n.t("export.done", path=str(output)))


MODEL_HELP = "ft: model id (…:ckpt-step-N for a checkpoint), chat run folder or RUN/checkpoints/checkpoint-N."
QUANT_HELP = ("Tensor type: f16, bf16, f32, q8_0, q5_1, q5_0, q4_1, q4_0 (what the gguf package writes). "
              "For q4_k_m and other k-quants run llama.cpp's llama-quantize on an f16 file.")


def _progress() -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A tensor progress bar on stderr (drawn only on a terminal) and the function that ends it."""
    state: dict = {}

    def update(done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if "bar" not in state:
            state["bar"] = click.progressbar(length=total, label=i18n.t("chat.export.progress"), file=sys.stderr)
            state["bar"].__enter__()
        state["bar"].update(1)

    def close() -> None:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)

    return update, close


@export.command("gguf")
@click.argument("model", metavar="MODEL")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="The .gguf file to write.")
@click.option("--quant", default="q8_0", show_default=True, help=QUANT_HELP)
@click.option("--force", is_flag=True, help="Replace an existing file.")
@lang_option
def gguf(model: str, output: Path, quant: str, force: bool) -> None:
    """Write a chat fine-tune as one GGUF file (LoRA merged in, tokenizer and chat template inside)
    for llama.cpp, LM Studio, Ollama and transformers."""
    from afinar.tasks.chat.export import export_gguf

    update, close = _progress()
    try:
        facts = export_gguf(model, output, quant=quant, force=force, on_tensor=update)
    finally:
        close()
    click.echo(i18n.t("chat.export.gguf_done", path=str(output), quant=facts["quant"],
                      size=f"{facts['bytes'] / 1e6:.2f}", tensors=facts["tensors"]))


@export.command("ollama")
@click.argument("model", metavar="MODEL")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="Folder to create: model.gguf and Modelfile.")
@click.option("--quant", default="q8_0", show_default=True, help=QUANT_HELP)
@click.option("--force", is_flag=True, help="Replace the contents of a non-empty output folder.")
@lang_option
def ollama(model: str, output: Path, quant: str, force: bool) -> None:
    """Write a folder Ollama imports: the GGUF and a Modelfile (template, stop tokens, the training
    data's system prompt, greedy sampling); prints the two commands that run it."""
    from afinar.tasks.chat.export import export_ollama

    update, close = _progress()
    try:
        facts = export_ollama(model, output, quant=quant, force=force, on_tensor=update)
    finally:
        close()
    modelfile = output / "Modelfile"
    click.echo(i18n.t("chat.export.ollama_done", path=str(output), quant=facts["quant"]))
    click.echo(f"  ollama create {facts['ollama_name']} -f {modelfile}")
    click.echo(f"  ollama run {facts['ollama_name']}")


@export.command("hf")
@click.argument("model", metavar="MODEL")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="Folder to create: safetensors, config, tokenizer, generation config and README.md.")
@click.option("--adapter-only", is_flag=True, help="Write the PEFT (LoRA) adapter instead of merged weights.")
@click.option("--force", is_flag=True, help="Replace the contents of a non-empty output folder.")
@lang_option
def hf(model: str, output: Path, adapter_only: bool, force: bool) -> None:
    """Write a Hugging Face folder with the LoRA merged into the base, which transformers, vLLM and
    `afinar serve` load (or, with --adapter-only, the adapter for PEFT)."""
    from afinar.tasks.chat.export import export_hf

    update, close = _progress()
    try:
        export_hf(model, output, adapter_only=adapter_only, force=force, on_tensor=update)
    finally:
        close()
    key = "chat.export.adapter_done" if adapter_only else "chat.export.hf_done"
    click.echo(i18n.t(key, path=str(output)))
