"""The export row of the Ajuste fino page: a finished job's model as a GGUF file, an Ollama folder
or a merged Hugging Face folder (``afinar export gguf|ollama|hf``), with a progress bar, ready to
download (folders zipped)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.studio.datasets import error_text
from afinar.studio.texts import Texts, tr
from afinar.studio.workspace import new_dir

KINDS = ("gguf", "ollama", "hf")
QUANT = "q8_0"  # the CLI's default: nearly lossless at half the size of f16


def export_job(service: Any, job_id: str | None, kind: str, lang: str,
               on_tensor: Any = None) -> tuple[Path | None, str]:
    """(the file to download, the message) for the model of job ``job_id``."""
    from afinar.tasks.chat import export as chat_export

    if not job_id:
        return None, tr("studio.ft.pick_job", lang)
    try:
        job = service.get_job(job_id)
        if job["status"] != "succeeded" or not job.get("fine_tuned_model"):
            status = tr(f"studio.status.{job['status']}", lang)
            return None, tr("studio.ft.export_not_done", lang, job=job_id, status=status)
        model = job["fine_tuned_model"]
        name = chat_export.ollama_name(model)
        folder = new_dir("export")
        if kind == "gguf":
            path = folder / f"{name}-{QUANT}.gguf"
            chat_export.export_gguf(model, path, quant=QUANT, on_tensor=on_tensor)
        else:
            target = folder / name
            if kind == "ollama":
                chat_export.export_ollama(model, target, quant=QUANT, on_tensor=on_tensor)
            else:
                chat_export.export_hf(model, target, on_tensor=on_tensor)
            path = Path(shutil.make_archive(str(folder / f"{name}-{kind}"), "zip", target))
    except AfinarError as err:
        return None, error_text(err, lang)
    return path, tr(f"studio.ft.exported_{kind}", lang, name=path.name, model=name)


def build_row(T: Texts, service: Any, job: Any, lang_box: Any) -> None:
    import gradio as gr

    with gr.Row():
        buttons = {kind: T.make(gr.Button, f"studio.ft.export_{kind}", attr="value", elem_id=f"ft-export-{kind}")
                   for kind in KINDS}
    message = gr.Markdown(elem_id="ft-export-msg")
    download = T.make(gr.File, "studio.ft.export_file", interactive=False, visible=False, elem_id="ft-export-file")

    for kind, button in buttons.items():
        def run(job_id: str | None, lang: str, progress: Any = gr.Progress(), kind: str = kind) -> tuple[Any, str]:
            def tick(done: int, total: int) -> None:
                progress((done, total), desc=tr("chat.export.progress", lang))

            path, text = export_job(service, job_id, kind, lang, on_tensor=tick)
            return (gr.update(value=str(path), visible=True) if path else gr.update(visible=False)), text

        button.click(run, [job, lang_box], [download, message])
