"""The export row of the Ajuste fino page: a finished job's model as a GGUF file, an Ollama folder
or a merged Hugging Face folder (``afinar export gguf|ollama|hf``, through the service, as the
API's ``GET /v1/fine_tuning/jobs/ID/export`` does), with a progress bar, ready to download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.studio.datasets import error_text
from afinar.studio.texts import Texts, tr

KINDS = ("gguf", "ollama", "hf")
QUANT = "q8_0"  # the CLI's default: nearly lossless at half the size of f16


def export_job(service: Any, job_id: str | None, kind: str, lang: str,
               on_tensor: Any = None) -> tuple[Path | None, str]:
    """(the file to download, the message) for the model of job ``job_id``."""
    if not job_id:
        return None, tr("studio.ft.pick_job", lang)
    try:
        path = service.export_job(job_id, kind, QUANT, on_tensor)
        model = service.get_job(job_id)["fine_tuned_model"]
    except AfinarError as err:
        return None, error_text(err, lang)
    from afinar.tasks.chat.export import ollama_name

    return path, tr(f"studio.ft.exported_{kind}", lang, name=path.name, model=ollama_name(model))


def build_row(T: Texts, service: Any, job: Any, lang_box: Any) -> None:
    import gradio as gr

    with gr.Row():
        buttons = {kind: T.make(gr.Button, f"studio.ft.export_{kind}", attr="value", elem_id=f"ft-export-{kind}")
                   for kind in KINDS}
    message = gr.Markdown(elem_id="ft-export-msg")
    download = T.make(gr.File, "studio.ft.export_file", interactive=False, visible=False, elem_id="ft-export-file")

    for kind, button in buttons.items():
        def run(job_id: str | None, lang: str, progress: Any = gr.Progress(),  # noqa: B008 (Gradio's idiom)
                kind: str = kind) -> tuple[Any, str]:
            def tick(done: int, total: int) -> None:
                progress((done, total), desc=tr("chat.export.progress", lang))

            path, text = export_job(service, job_id, kind, lang, on_tensor=tick)
            return (gr.update(value=str(path), visible=True) if path else gr.update(visible=False)), text

        button.click(run, [job, lang_box], [download, message])
