"""The Datos page: upload, validation report with line numbers, one-click repair and conversion,
statistics with a token-length histogram, and the estimate (epochs, tokens, time, OpenAI's price)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.studio import datasets
from afinar.studio.texts import Texts, tr
from afinar.studio.workspace import display_name, keep_upload

TASK_CHOICES = [("studio.task.auto", ""), ("studio.task.chat", "chat"), ("studio.task.preference", "preference"),
                ("studio.task.text-classification", "text-classification")]
# What the job queue fine-tunes: conversations (supervised) and preference pairs (DPO); the estimate
# covers both (afinar.data.estimate).
FINE_TUNE_TASKS = ("chat", "preference")
CONVERT_CHOICES = [("studio.task.chat", "chat"), ("studio.task.text-classification", "text-classification")]
UPLOAD_TYPES = [".jsonl", ".json", ".csv", ".tsv", ".xlsx", ".xls", ".parquet", ".txt"]


def _frame(rows: list[list[Any]], lang: str):
    import pandas as pd

    return pd.DataFrame(rows, columns=datasets.finding_headers(lang))


def _report(state: dict, lang: str) -> tuple[str, Any]:
    summary, rows, valid, task = datasets.validate_file(Path(state["path"]), state["name"], state.get("task_choice"),
                                                        lang)
    state["task"], state["valid"] = task, valid
    return summary, _frame(rows, lang)


def on_upload(file: str | None, task: str, lang: str) -> tuple[dict, str, Any, Any]:
    import gradio as gr

    if not file:
        return {}, "", _frame([], lang), gr.update(value=None, visible=False)
    state = {"path": str(keep_upload(file)), "name": display_name(file), "task_choice": task}
    summary, table = _report(state, lang)
    return state, summary, table, gr.update(value=None, visible=False)


def on_revalidate(state: dict, task: str, lang: str) -> tuple[dict, str, Any]:
    if not state.get("path"):
        return state, "", _frame([], lang)
    state = {**state, "task_choice": task}
    summary, table = _report(state, lang)
    return state, summary, table


def on_fix(state: dict, lang: str) -> tuple[dict, str, Any, Any, str]:
    import gradio as gr

    if not state.get("path"):
        return state, "", _frame([], lang), gr.update(), tr("studio.data.need_file", lang)
    try:
        output, notes = datasets.repair(Path(state["path"]), state["name"])
    except AfinarError as err:
        return state, gr.update(), gr.update(), gr.update(), datasets.error_text(err, lang)
    state = {**state, "path": str(output), "name": output.name, "notes": notes}
    summary, table = _report(state, lang)
    return state, summary, table, gr.update(value=str(output), visible=True), notes(lang)


def on_convert(state: dict, target: str, lang: str) -> tuple[dict, str, Any, Any, str]:
    import gradio as gr

    if not state.get("path"):
        return state, "", _frame([], lang), gr.update(), tr("studio.data.need_file", lang)
    try:
        output, notes = datasets.convert(Path(state["path"]), state["name"], target)
    except AfinarError as err:
        return state, gr.update(), gr.update(), gr.update(), datasets.error_text(err, lang)
    state = {**state, "path": str(output), "name": output.name, "task_choice": target, "notes": notes}
    summary, table = _report(state, lang)
    return state, summary, table, gr.update(value=str(output), visible=True), notes(lang)


def on_stats(state: dict, lang: str) -> tuple[str, Any]:
    import gradio as gr
    import pandas as pd

    if not state.get("path"):
        return tr("studio.data.need_file", lang), gr.update()
    try:
        text, bins = datasets.stats(Path(state["path"]), state["name"], state.get("task") or "chat", lang)
    except AfinarError as err:
        return datasets.error_text(err, lang), gr.update()
    frame = pd.DataFrame(bins, columns=["tokens", "n"])
    return text, gr.update(value=frame, sort=[label for label, _ in bins], x_title=tr("studio.data.hist_x", lang),
                           y_title=tr("studio.data.hist_y", lang))


def on_lang(state: dict, task: str, stats_text: str, estimate_text: str, model: str, epochs: str,
            lang: str) -> tuple[Any, ...]:
    """The report, the notes of the last repair or conversion, and the statistics and estimate if
    shown, again in the new language."""
    import gradio as gr

    notes = state.get("notes")
    state, summary, table = on_revalidate(state, task, lang)
    stats = on_stats(state, lang) if stats_text else (gr.update(), gr.update())
    estimate = on_estimate(state, model, epochs, lang) if estimate_text else gr.update()
    return state, summary, table, *stats, estimate, notes(lang) if notes else ""


def on_estimate(state: dict, model: str, epochs: str, lang: str) -> str:
    if not state.get("path"):
        return tr("studio.data.need_file", lang)
    if state.get("task") not in FINE_TUNE_TASKS:
        return tr("studio.data.estimate_chat_only", lang)
    epochs = (epochs or "auto").strip().lower()
    if epochs != "auto" and not (epochs.isdigit() and 1 <= int(epochs) <= 50):
        return tr("studio.data.bad_epochs", lang, value=epochs)
    try:
        return datasets.estimate_text(Path(state["path"]), model, None if epochs == "auto" else int(epochs), lang,
                                      state.get("name"))
    except AfinarError as err:
        return datasets.error_text(err, lang)


def on_send(service: Any, state: dict, lang: str) -> tuple[str, dict]:
    """Hand the page's file (e.g. just repaired) to the job service as a fine-tune file; (what
    happened, the file record: the message is written again when the language changes)."""
    if not state.get("path"):
        return tr("studio.data.need_file", lang), {}
    if state.get("task") not in FINE_TUNE_TASKS or not state.get("valid"):
        return tr("studio.data.send_invalid", lang), {}
    try:
        record = service.upload_file(Path(state["path"]), state["name"], purpose="fine-tune")
    except AfinarError as err:
        return datasets.error_text(err, lang), {}
    return sent_text(record, lang), record


def sent_text(record: dict, lang: str) -> str:
    return tr("studio.data.sent", lang, name=record["filename"], id=record["id"]) if record else ""


def chat_bases() -> list[str]:
    from afinar.models import catalog

    return [e.name for e in catalog.entries("chat")]


def build(T: Texts, lang_box: Any, service: Any = None) -> list[tuple[Any, ...]]:
    """The page's components inside the current Blocks context; nothing to reload when it opens."""
    import gradio as gr

    state = gr.State({})
    T.make(gr.Markdown, "studio.data.intro", attr="value")
    with gr.Row():
        upload = T.make(gr.File, "studio.data.file", file_types=UPLOAD_TYPES, type="filepath",
                        elem_id="data-file", scale=3)
        task = T.make(gr.Dropdown, "studio.data.task", tchoices=TASK_CHOICES, value="", elem_id="data-task", scale=1)
    summary = gr.Markdown(elem_id="data-summary")
    table = T.make(gr.Dataframe, "studio.data.report", value=_frame([], T.lang), interactive=False, wrap=True, column_widths=datasets.FINDING_WIDTHS,
                   elem_id="data-report")
    with gr.Row():
        fix_btn = T.make(gr.Button, "studio.data.fix", attr="value", variant="primary", elem_id="data-fix")
        target = T.make(gr.Radio, "studio.data.convert_to", tchoices=CONVERT_CHOICES, value="chat",
                        elem_id="data-convert-to")
        convert_btn = T.make(gr.Button, "studio.data.convert", attr="value", elem_id="data-convert")
    result = gr.Markdown(elem_id="data-result")
    download = T.make(gr.File, "studio.data.download", interactive=False, visible=False, elem_id="data-download")
    if service is not None:
        with gr.Row():
            send_btn = T.make(gr.Button, "studio.data.send", attr="value", elem_id="data-send", scale=1)
            sent = gr.Markdown(elem_id="data-sent")
        sent_record = gr.State({})
        send_btn.click(lambda st, lang: on_send(service, st, lang), [state, lang_box], [sent, sent_record])
        lang_box.change(lambda record, lang: sent_text(record, lang) or gr.update(), [sent_record, lang_box], sent)
    with T.make(gr.Accordion, "studio.data.stats", open=True):
        stats_btn = T.make(gr.Button, "studio.data.stats_button", attr="value", elem_id="data-stats")
        with gr.Row():
            stats_md = gr.Markdown(elem_id="data-stats-table")
            hist = T.make(gr.BarPlot, "studio.data.histogram", x="tokens", y="n", sort=None, elem_id="data-hist",
                          texts={"x_title": "studio.data.hist_x", "y_title": "studio.data.hist_y"})
    with T.make(gr.Accordion, "studio.data.estimate", open=True):
        with gr.Row():
            bases = chat_bases()
            model = T.make(gr.Dropdown, "studio.data.model", choices=bases, value=bases[0] if bases else None,
                           allow_custom_value=True, elem_id="data-model")
            epochs = T.make(gr.Textbox, "studio.data.epochs", value="auto", info="studio.data.epochs_info",
                            elem_id="data-epochs")
            estimate_btn = T.make(gr.Button, "studio.data.estimate_button", attr="value", elem_id="data-estimate")
        estimate_md = gr.Markdown(elem_id="data-estimate-result")

    upload.upload(on_upload, [upload, task, lang_box], [state, summary, table, download])
    upload.clear(on_upload, [upload, task, lang_box], [state, summary, table, download])
    task.input(on_revalidate, [state, task, lang_box], [state, summary, table])
    fix_btn.click(on_fix, [state, lang_box], [state, summary, table, download, result])
    convert_btn.click(on_convert, [state, target, lang_box], [state, summary, table, download, result])
    stats_btn.click(on_stats, [state, lang_box], [stats_md, hist])
    estimate_btn.click(on_estimate, [state, model, epochs, lang_box], estimate_md)
    lang_box.change(on_lang, [state, task, stats_md, estimate_md, model, epochs, lang_box],
                    [state, summary, table, stats_md, hist, estimate_md, result])
    return []
