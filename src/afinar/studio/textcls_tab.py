"""The Clasificador de texto page: train from an uploaded CSV, follow the epochs live, read the
metrics (against the baselines), the confusion matrix and the curves, try the model with a text
box and download the Hugging Face Space folder."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from afinar import i18n
from afinar.errors import AfinarError
from afinar.studio import runs
from afinar.studio.charts import whole_number_axis
from afinar.studio.datasets import (
    FINDING_WIDTHS,
    error_text,
    finding_headers,
    finding_row,
)
from afinar.studio.texts import Texts, said, said_again, tr
from afinar.studio.workspace import display_name, keep_upload, new_dir

TABLE_TYPES = [".csv", ".tsv", ".jsonl", ".xlsx"]
TASK = "text-classification"


def bases() -> list[str]:
    from afinar.models import catalog

    return [e.name for e in catalog.entries("text-classification")]


def run_choices(task: str = TASK) -> list[tuple[str, str]]:
    out = []
    for path, meta in runs.runs(task):
        labels = ", ".join(meta.get("labels") or [])
        out.append((f"{path.name} · {meta.get('data_name', '')} · {labels}", str(path)))
    return out


def status_text(p: runs.Progress, run: Path, lang: str) -> str:
    head = tr(f"studio.status.{p.status}", lang) if p.status in STATUSES else p.status
    text = f"**{tr('studio.cls.run', lang)}:** `{run.name}` — **{head}**"
    if p.job_id:  # the queue's id: `afinar jobs pause|resume|cancel ID`, /v1/afinar/jobs/ID
        text += f" · {tr('studio.cls.job', lang)} `{p.job_id}`"
    if p.total_steps:
        text += " · " + tr("studio.cls.steps", lang, step=p.step, total=p.total_steps)
    if p.epochs:
        last = p.epochs[-1]
        text += " · " + tr("studio.cls.epoch_line", lang, epoch=last["epoch"], accuracy=score(last["accuracy"], lang))
        if "f1" in last:
            text += f", F1 {score(last['f1'], lang)}"
    if p.error:
        text += f"\n\n**{tr('common.error_prefix', lang)}:** {p.error}"
    return text


def score(value: float, lang: str) -> str:
    """A score or a loss with three decimals, in ``lang``'s number format."""
    return i18n.number(value, lang, 3, exact=True)


def score_headers(lang: str) -> str:
    """accuracy | precision | recall | F1, in ``lang``."""
    return " | ".join(tr(f"studio.cls.{k}", lang) for k in ("accuracy", "precision", "recall", "f1"))


STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "paused", "validating_files")


def curves_frame(p: runs.Progress, lang: str):
    import pandas as pd

    rows = []
    # numbered across stages (image runs restart their epochs at stage 2)
    for n, e in enumerate(p.epochs, start=1):
        for key in ("train_loss", "valid_loss", "accuracy", "f1"):
            if key in e:
                rows.append({"epoch": n, "value": round(float(e[key]), 4), "serie": tr(f"studio.cls.{key}", lang)})
    return pd.DataFrame(rows, columns=["epoch", "value", "serie"])


def curves_update(p: runs.Progress, lang: str) -> Any:
    """The plot's update: the curves, their epochs as whole-number ticks."""
    import gradio as gr

    return gr.update(**whole_number_axis(curves_frame(p, lang), "epoch"))


def metrics_markdown(report: dict[str, Any], lang: str) -> str:
    final = report["final"]
    lines = [tr("studio.cls.summary", lang, epoch=report["best_epoch"], epochs=report["epochs_run"],
                seconds=i18n.number(report["train_seconds"], lang, 1), valid=i18n.number(report["valid_examples"], lang)), "",
             f"| {tr('studio.cls.model', lang)} | {score_headers(lang)} |", "|---|---:|---:|---:|---:|"]
    rows = [(tr("textcls.cli.finetuned", lang), final)] + [
        (tr(f"textcls.cli.baseline_{name}", lang), s) for name, s in report["baselines"].items()]
    for name, s in rows:
        lines.append(f"| {name} | " + " | ".join(score(s[k], lang) for k in ("accuracy", "precision", "recall", "f1"))
                     + " |")
    lines += ["", per_class_table(report, lang)]
    lines += ["", tr("studio.cls.ece", lang, ece=score(final["ece"], lang))]
    return "\n".join(lines)


def per_class_table(report: dict[str, Any], lang: str) -> str:
    """Precision, recall and F1 of each label on the validation examples, and how many there were."""
    names = " | ".join(tr(f"studio.cls.{k}", lang) for k in ("precision", "recall", "f1", "support"))
    lines = [f"| {tr('studio.cls.label', lang)} | {names} |", "|---|---:|---:|---:|---:|"]
    for label in report["labels"]:
        c = report["final"]["per_class"][label]
        lines.append(f"| {label} | " + " | ".join(score(c[k], lang) for k in ("precision", "recall", "f1"))
                     + f" | {i18n.number(c['support'], lang)} |")
    return "\n".join(lines)


def show(run_value: str | None, lang: str, markdown: Any = metrics_markdown, service: Any = None) -> tuple[Any, ...]:
    """Status, curves, metrics, confusion matrix and whether polling should go on, for one run."""
    import gradio as gr

    if not run_value:
        return "", curves_update(runs.Progress("queued"), lang), "", None, gr.update(active=False)
    try:
        run = runs.known_run(run_value)
    except AfinarError as err:
        return error_text(err, lang), curves_update(runs.Progress("queued"), lang), "", None, gr.update(active=False)
    p = runs.progress(run, service)
    metrics, image = "", None
    if p.report is not None:
        metrics = markdown(p.report, lang)
        image = confusion_picture(p.report, lang)
    return status_text(p, run, lang), curves_update(p, lang), metrics, image, gr.update(active=not p.finished)


def confusion_picture(report: dict[str, Any], lang: str) -> str:
    """The validation confusion matrix drawn in ``lang`` (the run's own PNG is labelled in both languages)."""
    from afinar.evaluate import plots

    if "stages" in report:  # an image classifier: its last stage
        title = tr("studio.img.confusion_title", lang, stage=report["stages"][-1]["stage"])
    else:
        title = tr("studio.cls.confusion_title", lang, epoch=report["best_epoch"])
    fig = plots.confusion_figure(report["final"]["confusion_matrix"], report["labels"], title)
    axes = fig.axes[0]
    axes.set_xlabel(tr("studio.cls.predicted", lang))
    axes.set_ylabel(tr("studio.cls.true", lang))
    return str(plots.save_png(fig, new_dir("confusion") / "confusion_matrix.png"))


def problems_frame(err: runs.DataProblems, names: dict[str, str], lang: str):
    """Every finding of the data reports, the file shown by its uploaded name."""
    import pandas as pd

    rows = [finding_row(names.get(r.file, Path(r.file).name) + (f":{f.line}" if f.line else ""), f.severity, f.field,
                        f.message(lang), f.code, f.hint(lang), lang, on_data_page=False)
            for r in err.reports for f in r.sorted_findings()]
    return pd.DataFrame(rows, columns=finding_headers(lang))


def started_report(run: Path, lang: str) -> tuple[str, Any]:
    """What a classifier page says when its training started (and its problems table hidden), in ``lang``."""
    import gradio as gr

    return tr("studio.cls.started", lang, run=run.name), gr.update(visible=False)


def problems_report(err: AfinarError, names: dict[str, str] | None, lang: str) -> tuple[str, Any]:
    """A refused training: the error and, for data problems, their table (files by their uploaded names)."""
    import gradio as gr

    if isinstance(err, runs.DataProblems):
        return error_text(err, lang), gr.update(value=problems_frame(err, names or {}, lang), visible=True)
    return error_text(err, lang), gr.update(visible=False)


def message_only(key: str, lang: str) -> tuple[str, Any]:
    import gradio as gr

    return tr(key, lang), gr.update(visible=False)


def train(service: Any, data: str | None, valid: str | None, base: str, epochs: float, lr: float, batch: float,
          lang: str):
    """Start a run; (message, problems table, run list, timer, what was said: ``what(lang)``)."""
    import gradio as gr

    if not data:
        what = partial(message_only, "studio.cls.need_data")
        return *what(lang), gr.update(), gr.update(active=False), what
    values: dict[str, Any] = {"data": keep_upload(data), "base": base, "epochs": int(epochs), "lr": float(lr),
                              "batch_size": int(batch)}
    if valid:
        values["valid"] = keep_upload(valid)
    names = {str(values["data"]): display_name(data)}
    if valid:
        names[str(values["valid"])] = display_name(valid)
    try:
        run = runs.start_text(values, service)
    except AfinarError as err:
        what = partial(problems_report, err, names)
        return *what(lang), gr.update(), gr.update(active=False), what
    what = partial(started_report, run)
    return *what(lang), gr.update(choices=run_choices(), value=str(run)), gr.update(active=True), what


def try_text(run_value: str | None, text: str, lang: str) -> Any:
    import gradio as gr

    if not run_value or not (text or "").strip():
        return gr.update(value=None, label=tr("studio.cls.try_need", lang))
    try:
        return gr.update(value=runs.classify(runs.known_run(run_value), text), label=tr("studio.cls.confidences", lang))
    except AfinarError as err:
        return gr.update(value=None, label=err.message(lang))


def export(run_value: str | None, lang: str) -> tuple[Any, str, Any]:
    """The Space of a run as a zip; (the download, the message, what was said: ``what(lang)``)."""
    import gradio as gr

    if not run_value:
        what = said("studio.cls.try_need")
        return gr.update(), what(lang), what
    try:
        path = runs.export_zip(runs.known_run(run_value), new_dir("space"))
    except AfinarError as err:
        what = partial(error_text, err)
        return gr.update(), what(lang), what
    what = said("studio.cls.exported", name=path.name)
    return gr.update(value=str(path), visible=True), what(lang), what


def run_list_and_export(T: Texts, prefix: str, task: str, run: Any, refresh: Any,
                        lang_box: Any) -> list[tuple[Any, list[Any], list[Any]]]:
    """The end of a classifier page (text or images): the Space export row for the chosen run, and
    the refresh of the run list (also returned, for the studio to call when the page loads)."""
    import gradio as gr

    with gr.Row():
        export_btn = T.make(gr.Button, "studio.cls.export", attr="value", elem_id=f"{prefix}-export")
        export_msg = gr.Markdown(elem_id=f"{prefix}-export-msg")
    space = T.make(gr.File, "studio.cls.space", interactive=False, visible=False, elem_id=f"{prefix}-space")
    exported = gr.State(None)
    export_btn.click(export, [run, lang_box], [space, export_msg, exported])
    lang_box.change(said_again, [exported, lang_box], export_msg)

    def reload(current: str | None = None) -> Any:
        choices = run_choices(task)
        values = [v for _, v in choices]
        return gr.update(choices=choices, value=current if current in values else (values[0] if values else None))

    refresh.click(reload, run, run)
    return [(reload, [run], [run])]


def build(T: Texts, lang_box: Any, service: Any) -> list[tuple[Any, list[Any]]]:
    """``service``: the server's (its job queue trains the runs)."""
    import gradio as gr

    T.make(gr.Markdown, "studio.cls.intro", attr="value")
    with gr.Row():
        data = T.make(gr.File, "studio.cls.data", file_types=TABLE_TYPES, type="filepath", elem_id="cls-data")
        valid = T.make(gr.File, "studio.cls.valid", file_types=TABLE_TYPES, type="filepath", elem_id="cls-valid")
    with gr.Row():
        names = bases()
        base = T.make(gr.Dropdown, "studio.cls.base", choices=names, value=names[0] if names else None,
                      allow_custom_value=True, info="studio.cls.base_info", elem_id="cls-base", scale=2)
        epochs = T.make(gr.Number, "studio.cls.epochs", value=3, minimum=1, maximum=100, precision=0,
                        elem_id="cls-epochs")
        lr = T.make(gr.Number, "studio.cls.lr", value=2e-5, minimum=0, elem_id="cls-lr")
        batch = T.make(gr.Number, "studio.cls.batch", value=16, minimum=1, maximum=1024, precision=0,
                       elem_id="cls-batch")
    train_btn = T.make(gr.Button, "studio.cls.train", attr="value", variant="primary", elem_id="cls-train")
    message = gr.Markdown(elem_id="cls-message")
    problems = T.make(gr.Dataframe, "studio.data.report", interactive=False, wrap=True, column_widths=FINDING_WIDTHS, visible=False,
                      elem_id="cls-problems")
    with gr.Row():
        run = T.make(gr.Dropdown, "studio.cls.runs", choices=[], elem_id="cls-run", scale=4)
        refresh = T.make(gr.Button, "studio.refresh", attr="value", elem_id="cls-refresh", scale=1)
    status = gr.Markdown(elem_id="cls-status")
    with gr.Row():
        curves = T.make(gr.LinePlot, "studio.cls.curves", x="epoch", y="value", color="serie",
                        texts={"x_title": "studio.cls.epoch", "y_title": "studio.cls.value"}, color_title=" ",
                        value=curves_frame(runs.Progress("queued"), T.lang), elem_id="cls-curves")
        confusion = T.make(gr.Image, "studio.cls.confusion", type="filepath", interactive=False,
                           elem_id="cls-confusion")
    metrics = gr.Markdown(elem_id="cls-metrics")
    with T.make(gr.Accordion, "studio.cls.try", open=True):
        with gr.Row():
            text = T.make(gr.Textbox, "studio.cls.text", placeholder="studio.cls.text_hint", elem_id="cls-text",
                          scale=3)
            classify = T.make(gr.Button, "studio.cls.classify", attr="value", variant="primary",
                              elem_id="cls-classify", scale=1)
        label = T.make(gr.Label, "studio.cls.confidences", elem_id="cls-label")
    timer = gr.Timer(1.0, active=False)

    view = [status, curves, metrics, confusion, timer]
    started = gr.State(None)  # what the page said, to say again in another language
    train_btn.click(partial(train, service), [data, valid, base, epochs, lr, batch, lang_box],
                    [message, problems, run, timer, started])
    lang_box.change(lambda what, lang: said_again(what, lang, outputs=2), [started, lang_box], [message, problems])
    look = partial(show, markdown=metrics_markdown, service=service)
    run.change(look, [run, lang_box], view)
    lang_box.change(look, [run, lang_box], view)
    timer.tick(look, [run, lang_box], view)
    classify.click(try_text, [run, text, lang_box], label)
    text.submit(try_text, [run, text, lang_box], label)
    return run_list_and_export(T, "cls", TASK, run, refresh, lang_box)
