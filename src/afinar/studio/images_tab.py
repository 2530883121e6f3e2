"""The Imágenes page: train an image classifier (the course's two-stage transfer learning) from an
uploaded zip of class folders, follow it live, read the metrics and the confusion matrix, try
the model with a picture, and download it as a Hugging Face Space."""

from __future__ import annotations

from functools import partial
from typing import Any

from afinar import i18n
from afinar.errors import AfinarError
from afinar.studio import runs
from afinar.studio.archives import extract_images
from afinar.studio.datasets import FINDING_WIDTHS
from afinar.studio.textcls_tab import (
    curves_frame,
    message_only,
    per_class_table,
    problems_report,
    run_choices,
    run_list_and_export,
    score,
    show,
    started_report,
)
from afinar.studio.texts import Texts, said_again, tr
from afinar.studio.workspace import display_name, keep_upload, new_dir, safe_stem

TASK = "image-classification"


def bases() -> list[str]:
    from afinar.models import catalog

    return [e.name for e in catalog.entries(TASK)]


def metrics_markdown(report: dict[str, Any], lang: str) -> str:
    """Each stage's best epoch, the final per-class scores and the majority-class baseline."""
    lines = [(f"| {tr('studio.img.stage', lang)} | {tr('studio.img.best_epoch', lang)} | "
              f"{tr('studio.cls.accuracy', lang)} | {tr('studio.cls.valid_loss', lang)} | "
              f"{tr('studio.cls.seconds', lang)} |"), "|---|---:|---:|---:|---:|"]
    for s in report["stages"]:
        lines.append(f"| {s['stage']} | {s['best_epoch']}/{s['epochs_run']} | {score(s['accuracy'], lang)} | "
                     f"{score(s['valid_loss'], lang)} | {i18n.number(s['seconds'], lang, 1)} |")
    majority = score(report["baselines"]["majority"]["accuracy"], lang)
    lines += ["", tr("studio.img.majority", lang, accuracy=majority), "", per_class_table(report, lang)]
    return "\n".join(lines)


def train(service: Any, archive: str | None, base: str, size: float, epochs1: float, epochs2: float, lr: float, lang: str):
    import gradio as gr

    if not archive:
        what = partial(message_only, "studio.img.need_zip")
        return *what(lang), gr.update(), gr.update(active=False), what
    folder = None
    try:
        folder = extract_images(keep_upload(archive, "fotos.zip"), new_dir("images") / safe_stem(archive, "imagenes"))
        values = {"data": folder, "base": base, "image_size": int(size), "stage1_epochs": int(epochs1),
                  "stage2_epochs": int(epochs2), "stage1_lr": float(lr)}
        run = runs.start_images(values, service)
    except AfinarError as err:
        what = partial(problems_report, err, {str(folder): display_name(archive)} if folder else None)
        return *what(lang), gr.update(), gr.update(active=False), what
    what = partial(started_report, run)
    return *what(lang), gr.update(choices=run_choices(TASK), value=str(run)), gr.update(active=True), what


def try_image(run_value: str | None, picture: str | None, lang: str) -> Any:
    import gradio as gr

    if not run_value or not picture:
        return gr.update(value=None, label=tr("studio.img.try_need", lang))
    try:
        scores = runs.classify(runs.known_run(run_value), str(keep_upload(picture)))
    except AfinarError as err:
        return gr.update(value=None, label=err.message(lang))
    return gr.update(value=scores, label=tr("studio.cls.confidences", lang))


def build(T: Texts, lang_box: Any, service: Any) -> list[tuple[Any, ...]]:
    """``service``: the server's (its job queue trains the runs)."""
    import gradio as gr

    T.make(gr.Markdown, "studio.img.intro", attr="value")
    with gr.Row():
        archive = T.make(gr.File, "studio.img.zip", file_types=[".zip"], type="filepath", elem_id="img-zip", scale=2)
        with gr.Column(scale=3):
            with gr.Row():
                names = bases()
                base = T.make(gr.Dropdown, "studio.cls.base", choices=names, value=names[0] if names else None,
                              allow_custom_value=True, elem_id="img-base", scale=2)
                size = T.make(gr.Number, "studio.img.size", value=160, minimum=16, maximum=1024, precision=0,
                              elem_id="img-size")
            with gr.Row():
                epochs1 = T.make(gr.Number, "studio.img.stage1_epochs", value=10, minimum=0, precision=0,
                                 elem_id="img-epochs1")
                epochs2 = T.make(gr.Number, "studio.img.stage2_epochs", value=10, minimum=0, precision=0,
                                 elem_id="img-epochs2")
                lr = T.make(gr.Number, "studio.cls.lr", value=1e-4, minimum=0, elem_id="img-lr")
    train_btn = T.make(gr.Button, "studio.cls.train", attr="value", variant="primary", elem_id="img-train")
    message = gr.Markdown(elem_id="img-message")
    problems = T.make(gr.Dataframe, "studio.data.report", interactive=False, wrap=True, visible=False,
                      column_widths=FINDING_WIDTHS, elem_id="img-problems")
    with gr.Row():
        run = T.make(gr.Dropdown, "studio.cls.runs", choices=[], elem_id="img-run", scale=4)
        refresh = T.make(gr.Button, "studio.refresh", attr="value", elem_id="img-refresh", scale=1)
    status = gr.Markdown(elem_id="img-status")
    with gr.Row():
        curves = T.make(gr.LinePlot, "studio.img.curves", x="epoch", y="value", color="serie",
                        texts={"x_title": "studio.cls.epoch", "y_title": "studio.cls.value"}, color_title=" ",
                        value=curves_frame(runs.Progress("queued"), T.lang), elem_id="img-curves")
        confusion = T.make(gr.Image, "studio.cls.confusion", type="filepath", interactive=False,
                           elem_id="img-confusion")
    metrics = gr.Markdown(elem_id="img-metrics")
    with T.make(gr.Accordion, "studio.cls.try", open=True):
        with gr.Row():
            picture = T.make(gr.Image, "studio.img.picture", type="filepath", sources=["upload"], elem_id="img-picture",
                             height=220)
            label = T.make(gr.Label, "studio.cls.confidences", elem_id="img-label")
        classify = T.make(gr.Button, "studio.cls.classify", attr="value", variant="primary", elem_id="img-classify")
    timer = gr.Timer(1.0, active=False)

    view = [status, curves, metrics, confusion, timer]
    started = gr.State(None)  # what the page said, to say again in another language
    train_btn.click(partial(train, service), [archive, base, size, epochs1, epochs2, lr, lang_box],
                    [message, problems, run, timer, started])
    lang_box.change(lambda what, lang: said_again(what, lang, outputs=2), [started, lang_box], [message, problems])
    look = partial(show, markdown=metrics_markdown, service=service)
    run.change(look, [run, lang_box], view)
    lang_box.change(look, [run, lang_box], view)
    timer.tick(look, [run, lang_box], view)
    classify.click(try_image, [run, picture, lang_box], label)
    return run_list_and_export(T, "img", TASK, run, refresh, lang_box)
