"""The Ajuste fino page (needs the server's service): pick a base from the catalog, upload and
check a chat file, leave the hyperparameters on auto or set them, start; then follow the job:
status, events, train and validation loss updating live, checkpoints, cancel / pause / resume, and
the finished model as GGUF, for Ollama or as a merged Hugging Face folder (``chat_export``).

Jobs live in the server's SQLite store, so the page finds them again after a browser reload or a
server restart; the browser also remembers which job it was showing."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from afinar import i18n
from afinar.errors import AfinarError
from afinar.studio import events as events_text
from afinar.studio.charts import whole_number_axis
from afinar.studio.chat_export import build_row as build_export_row
from afinar.studio.datasets import (
    FINDING_WIDTHS,
    error_text,
    finding_headers,
    finding_row,
)
from afinar.studio.local import items
from afinar.studio.texts import Texts, said, said_again, tr
from afinar.studio.workspace import display_name

FINISHED = ("succeeded", "failed", "cancelled")
HP_FIELDS = (("n_epochs", int), ("batch_size", int), ("learning_rate_multiplier", float))


def base_choices(lang: str) -> list[tuple[str, str]]:
    """Chat bases of the catalog: those already on this machine are marked, the others are pulled first."""
    from afinar.models.listing import rows

    return [((f"{r['name']} — {tr('studio.ft.offline' if r['ready'] else 'studio.ft.pulled_first', lang)}"
             f" · {r['license'] or '?'}"), r["name"]) for r in rows("chat")]


def file_choices(service: Any) -> list[tuple[str, str]]:
    files = [f for f in items(service.list_files(purpose="fine-tune")) if f.get("status") == "processed"]
    return [(f"{f['filename']} ({f['id']})", f["id"]) for f in files]


def job_choices(service: Any) -> list[tuple[str, str]]:
    return [(f"{j['id']} · {Path(j['model']).name} · {j.get('fine_tuned_model') or ''}".rstrip(" ·"), j["id"])
            for j in items(service.list_jobs(limit=50))]


def hyperparameters(values: dict[str, str], lang: str) -> dict[str, Any]:
    """'auto' or a number per field, checked by the chat task's schema (the API's checks); every
    bad value is reported at once, each named by its label on this page."""
    from afinar.tasks.chat.config import hyperparameter_problems
    from afinar.tasks.config import ConfigProblems

    given = {name: (values.get(name) or "auto").strip().lower() or "auto" for name, _ in HP_FIELDS}
    problems = hyperparameter_problems(given)
    if problems:
        raise ConfigProblems(problems, name=lambda field: tr(f"studio.ft.{field}", lang), hint_key="studio.ft.numbers.hint")
    return {name: value if value == "auto" else kind(value) for (name, kind), value in zip(HP_FIELDS, given.values())}


def is_preference(file_id: str) -> bool:
    """Whether an uploaded fine-tune file holds preference pairs (DPO) rather than conversations."""
    from afinar.data.validate import infer_task
    from afinar.jobs.store import files_dir

    path = files_dir() / file_id
    return path.is_file() and infer_task(path) == "preference"


def chosen_text(service: Any, file_id: str | None, lang: str) -> str:
    """The chosen training file by its name, and the method it will be trained with (DPO for
    preference pairs, supervised for conversations)."""
    if not file_id:
        return ""
    try:
        record = service.get_file(file_id)
    except AfinarError:
        return ""
    method = tr("studio.ft.method." + ("dpo" if is_preference(file_id) else "supervised"), lang)
    return tr("studio.ft.chosen", lang, name=record["filename"], id=file_id, method=method)


def upload(service: Any, file: str | None, lang: str) -> tuple[str, Any, Any, Any, Any]:
    """Store and check an upload; the upload box is emptied for the next file (the file stays chosen
    in the list of validated files). Last: what was said, to say again in another language."""
    import gradio as gr

    if not file:
        return "", gr.update(visible=False), gr.update(), None, None
    name = display_name(file)
    try:
        record = service.upload_file(Path(file), name, purpose="fine-tune")
    except AfinarError as err:
        what = partial(_error_report, err)
        return *what(lang), gr.update(), None, what
    what = partial(file_report, service, record["id"], name)
    processed = record["status"] == "processed"
    return (*what(lang), gr.update(choices=file_choices(service), **({"value": record["id"]} if processed else {})),
            None, what)


def file_report(service: Any, file_id: str, name: str, lang: str) -> tuple[str, Any]:
    """An uploaded file's verdict and its findings table, in ``lang``."""
    import gradio as gr
    import pandas as pd

    findings = service.file_findings(file_id, lang)
    rows = [finding_row(f["line"] or "—", f["severity"], f.get("field"), f["message"], f["code"], f["hint"], lang,
                        on_data_page=False) for f in findings]
    table = gr.update(value=pd.DataFrame(rows, columns=finding_headers(lang)), visible=bool(rows))
    if service.get_file(file_id)["status"] != "processed":
        return tr("studio.ft.file_invalid", lang, name=name), table
    ok = "studio.ft.file_ok_preference" if is_preference(file_id) else "studio.ft.file_ok"
    return tr(ok, lang, name=name, id=file_id), table


def _error_report(err: AfinarError, lang: str) -> tuple[str, Any]:
    import gradio as gr

    return error_text(err, lang), gr.update(visible=False)


def start(service: Any, base: str, file_id: str, epochs: str, batch: str, lr: str, suffix: str,
          lang: str) -> tuple[str, Any, Any, Any]:
    """Create the job; (what happened, the job list, the timer, what was said: ``what(lang)``)."""
    import gradio as gr

    if not base or not file_id:
        what = said("studio.ft.need_base_file")
        return what(lang), gr.update(), gr.update(), what
    try:
        hp = hyperparameters({"n_epochs": epochs, "batch_size": batch, "learning_rate_multiplier": lr}, lang)
        kind = "dpo" if is_preference(file_id) else "supervised"  # preference data: DPO, OpenAI's method
        body: dict[str, Any] = {"training_file": file_id, "model": base,
                                "method": {"type": kind, kind: {"hyperparameters": hp}}}
        if (suffix or "").strip():
            body["suffix"] = suffix.strip()
        job = service.create_job(body)
    except AfinarError as err:
        what = partial(error_text, err)
        return what(lang), gr.update(), gr.update(), what
    what = said("studio.ft.started", job=job["id"])
    return what(lang), gr.update(choices=job_choices(service), value=job["id"]), gr.update(active=True), what


def curves(rows: list[dict], lang: str):
    """The loss curves over the steps (a DataFrame); ``curves_update`` gives it to the plot."""
    import pandas as pd

    out = []
    for row in rows:
        for key in ("train_loss", "valid_loss"):
            if row.get(key) is not None:
                out.append({"step": int(row["step"]), "loss": float(row[key]), "serie": tr(f"studio.cls.{key}", lang)})
    return pd.DataFrame(out, columns=["step", "loss", "serie"])


REWARDS = ("train_reward_accuracy", "valid_reward_accuracy", "train_reward_margin", "valid_reward_margin")


def rewards(rows: list[dict], lang: str):
    """A DPO job's reward curves over the steps (a DataFrame): the share of pairs whose preferred
    reply gains more than the other (reward accuracy) and the mean margin, in training and validation."""
    import pandas as pd

    out = [{"step": int(row["step"]), "value": float(row[key]), "serie": tr(f"studio.ft.{key}", lang)}
           for row in rows for key in REWARDS if row.get(key) is not None]
    return pd.DataFrame(out, columns=["step", "value", "serie"])


def rewards_view(service: Any, job_id: str | None, lang: str) -> Any:
    """The reward plot's update: shown for a job that logs rewards (DPO), hidden otherwise."""
    import gradio as gr

    try:
        frame = rewards(service.job_metrics(job_id) if job_id else [], lang)
    except AfinarError:
        frame = rewards([], lang)
    return gr.update(visible=not frame.empty, **whole_number_axis(frame, "step"))


def curves_update(rows: list[dict], lang: str) -> Any:
    """The plot's update: the curves, their steps as whole-number ticks."""
    import gradio as gr

    return gr.update(**whole_number_axis(curves(rows, lang), "step"))


def view(service: Any, job_id: str | None, lang: str) -> tuple[Any, ...]:
    """Status, curves, events, checkpoints, whether to keep polling and which controls apply, for one job."""
    import gradio as gr
    import pandas as pd

    events_cols = [tr("studio.ft.col.time", lang), tr("studio.ft.col.level", lang), tr("studio.ft.col.message", lang)]
    ckpt_cols = [tr(k, lang) for k in ("studio.ft.col.step", "studio.ft.col.model", "studio.cls.train_loss",
                                        "studio.cls.valid_loss")]
    if not job_id:
        return ("", curves_update([], lang), pd.DataFrame([], columns=events_cols), pd.DataFrame([], columns=ckpt_cols),
                gr.update(active=False), *controls(None))
    try:
        job = service.get_job(job_id)
    except AfinarError as err:
        return (error_text(err, lang), curves_update([], lang), pd.DataFrame([], columns=events_cols),
                pd.DataFrame([], columns=ckpt_cols), gr.update(active=False), *controls(None))
    status = tr(f"studio.status.{job['status']}", lang)
    method = tr(f"studio.ft.method.{(job.get('method') or {}).get('type') or 'supervised'}", lang)
    text = [f"**{job['id']}** — **{status}** · {tr('studio.ft.base', lang)}: `{job['model']}` · "
            f"{tr('studio.ft.method', lang)}: {method}"]
    if job.get("fine_tuned_model"):
        text.append(tr("studio.ft.result", lang, model=job["fine_tuned_model"]))
    if job.get("trained_tokens"):
        text.append(i18n.tn("studio.ft.tokens", job["trained_tokens"], lang))
    if job.get("error") and (job["error"] or {}).get("message"):
        text.append(f"**{tr('common.error_prefix', lang)}:** {job['error']['message']}")
    events = items(service.list_events(job_id, limit=100))
    import time

    ev_rows = [[time.strftime("%H:%M:%S", time.localtime(e["created_at"])), events_text.level(e["level"], lang),
                events_text.translate(e["message"], lang)] for e in events]
    ckpts = [[int(c["step_number"]), c["fine_tuned_model_checkpoint"], loss_text(c["metrics"].get("train_loss"), lang),
              loss_text(c["metrics"].get("valid_loss"), lang)] for c in items(service.list_checkpoints(job_id))]
    return ("\n\n".join(text), curves_update(service.job_metrics(job_id), lang), pd.DataFrame(ev_rows, columns=events_cols),
            pd.DataFrame(ckpts, columns=ckpt_cols), gr.update(active=job["status"] not in FINISHED),
            *controls(job["status"]))


def loss_text(value: float | None, lang: str) -> str:
    """A checkpoint's loss with four decimals in ``lang``'s format; a dash when it was not measured."""
    return "—" if value is None else i18n.number(value, lang, 4, exact=True)


def controls(status: str | None) -> tuple[Any, Any, Any]:
    """Cancel, pause and resume, each usable only when the job's status allows it."""
    import gradio as gr

    return (gr.update(interactive=status is not None and status not in FINISHED),
            gr.update(interactive=status == "running"), gr.update(interactive=status == "paused"))


def act(service: Any, action: str, job_id: str | None, lang: str) -> tuple[str, Any]:
    """Cancel, pause or resume; (what happened, what was said: ``what(lang)``)."""
    if not job_id:
        what = said("studio.ft.pick_job")
        return what(lang), what
    try:
        job = getattr(service, f"{action}_job")(job_id)
    except AfinarError as err:
        what = partial(error_text, err)
        return what(lang), what
    what = partial(_action_done, job_id, job["status"])
    return what(lang), what


def _action_done(job_id: str, status: str, lang: str) -> str:
    return tr("studio.ft.action_done", lang, job=job_id, status=tr(f"studio.status.{status}", lang))


def wire_actions(service: Any, buttons: dict[str, Any], job: Any, lang_box: Any, message: Any,
                 outputs: list[Any]) -> None:
    """Cancel / pause / resume: do it, say what happened (again when the language changes), then
    show the job again."""
    import gradio as gr

    done = gr.State(None)
    for action, button in buttons.items():
        button.click(lambda j, lang, a=action: act(service, a, j, lang), [job, lang_box], [message, done]).then(
            lambda j, lang: view(service, j, lang), [job, lang_box], outputs)
    lang_box.change(said_again, [done, lang_box], message)


def build(T: Texts, lang_box: Any, service: Any) -> list[tuple[Any, list[Any]]]:
    import gradio as gr

    T.make(gr.Markdown, "studio.ft.intro", attr="value")
    with gr.Row():
        choices = base_choices(T.lang)
        base = T.make(gr.Dropdown, "studio.ft.base", choices=choices, value=choices[0][1] if choices else None,
                      allow_custom_value=True, info="studio.ft.base_info", elem_id="ft-base", scale=2)
        upload_box = T.make(gr.File, "studio.ft.file", file_types=[".jsonl", ".json"], type="filepath",
                            elem_id="ft-upload", scale=2)
    file_msg = gr.Markdown(elem_id="ft-file-msg")
    findings = T.make(gr.Dataframe, "studio.data.report", interactive=False, wrap=True, column_widths=FINDING_WIDTHS, visible=False,
                      elem_id="ft-findings")
    with gr.Row():
        file_id = T.make(gr.Dropdown, "studio.ft.file_pick", choices=[], elem_id="ft-file", scale=2)
        epochs = T.make(gr.Textbox, "studio.ft.n_epochs", value="auto", elem_id="ft-epochs")
        batch = T.make(gr.Textbox, "studio.ft.batch_size", value="auto", elem_id="ft-batch")
        lr = T.make(gr.Textbox, "studio.ft.learning_rate_multiplier", value="auto", elem_id="ft-lr")
        suffix = T.make(gr.Textbox, "studio.ft.suffix", placeholder="studio.ft.suffix_hint", elem_id="ft-suffix")
    chosen = gr.Markdown(elem_id="ft-file-chosen")
    start_btn = T.make(gr.Button, "studio.ft.start", attr="value", variant="primary", elem_id="ft-start")
    start_msg = gr.Markdown(elem_id="ft-start-msg")
    with gr.Row():
        job = T.make(gr.Dropdown, "studio.ft.job", choices=[], elem_id="ft-job", scale=4)
        refresh = T.make(gr.Button, "studio.refresh", attr="value", elem_id="ft-refresh", scale=1)
    status = gr.Markdown(elem_id="ft-status")
    with gr.Row():
        cancel = T.make(gr.Button, "studio.ft.cancel", attr="value", variant="stop", elem_id="ft-cancel")
        pause = T.make(gr.Button, "studio.ft.pause", attr="value", elem_id="ft-pause")
        resume = T.make(gr.Button, "studio.ft.resume", attr="value", elem_id="ft-resume")
    action_msg = gr.Markdown(elem_id="ft-action-msg")
    plot = T.make(gr.LinePlot, "studio.ft.curves", x="step", y="loss", color="serie", value=curves([], T.lang),
                  texts={"x_title": "studio.ft.col.step", "y_title": "studio.ft.loss"}, color_title=" ",
                  elem_id="ft-curves")
    reward_plot = T.make(gr.LinePlot, "studio.ft.rewards", x="step", y="value", color="serie", value=rewards([], T.lang),
                         texts={"x_title": "studio.ft.col.step", "y_title": "studio.ft.reward_value"}, color_title=" ",
                         elem_id="ft-rewards", visible=False)
    with gr.Row():
        events = T.make(gr.Dataframe, "studio.ft.events", interactive=False, wrap=True, elem_id="ft-events",
                        column_widths=["18%", "12%", "70%"], scale=3)
        checkpoints = T.make(gr.Dataframe, "studio.ft.checkpoints", interactive=False, wrap=True,
                             column_widths=["12%", "34%", "27%", "27%"], elem_id="ft-checkpoints", scale=2)
    build_export_row(T, service, job, lang_box)
    timer = gr.Timer(2.0, active=False)
    remembered = gr.BrowserState("", storage_key="afinar-studio-job")
    remembered_file = gr.BrowserState("", storage_key="afinar-studio-ft-file")

    outputs = [status, plot, events, checkpoints, timer, cancel, pause, resume]
    file_said, start_said = gr.State(None), gr.State(None)  # what the page said, to say again in another language
    upload_box.upload(lambda f, lang: upload(service, f, lang), [upload_box, lang_box],
                      [file_msg, findings, file_id, upload_box, file_said])
    start_btn.click(lambda *a: start(service, *a), [base, file_id, epochs, batch, lr, suffix, lang_box],
                    [start_msg, job, timer, start_said])
    lang_box.change(lambda what, lang: said_again(what, lang, outputs=2), [file_said, lang_box], [file_msg, findings])
    lang_box.change(said_again, [start_said, lang_box], start_msg)
    job.change(lambda j, lang: view(service, j, lang), [job, lang_box], outputs)
    lang_box.change(lambda j, lang: view(service, j, lang), [job, lang_box], outputs)
    lang_box.change(lambda lang: gr.update(choices=base_choices(lang)), lang_box, base)
    job.change(lambda j: j or "", job, remembered)
    # (one event: once the chosen file is named on the page, this browser has remembered it)
    file_id.change(lambda f, lang: (chosen_text(service, f, lang), f or ""), [file_id, lang_box],
                   [chosen, remembered_file])
    lang_box.change(lambda f, lang: chosen_text(service, f, lang), [file_id, lang_box], chosen)
    timer.tick(lambda j, lang: view(service, j, lang), [job, lang_box], outputs)
    for trigger in (job.change, lang_box.change, timer.tick):  # DPO's rewards, beside the loss
        trigger(lambda j, lang: rewards_view(service, j, lang), [job, lang_box], [reward_plot])
    wire_actions(service, {"cancel": cancel, "pause": pause, "resume": resume}, job, lang_box, action_msg, outputs)

    def reload(saved: str = "", saved_file: str = "", current: str | None = None,
               current_file: str | None = None) -> tuple[Any, Any]:
        """The jobs and the validated files; chosen: the job and the file this browser remembers, else
        those already chosen (else the newest job)."""
        jobs = job_choices(service)
        ids = [v for _, v in jobs]
        files = [v for _, v in file_choices(service)]
        job_value = next((j for j in (saved, current) if j in ids), ids[0] if ids else None)
        file_value = next((f for f in (saved_file, current_file) if f in files), None)
        return (gr.update(choices=jobs, value=job_value),
                gr.update(choices=file_choices(service), value=file_value))

    # The remembered values live in this page's tab, which Gradio draws when it is first opened: the
    # loaders that ran before read them empty. Drawn, each says its stored value (a change event).
    stored = [remembered, remembered_file, job, file_id]
    remembered.change(reload, stored, [job, file_id])
    remembered_file.change(reload, stored, [job, file_id])
    refresh.click(reload, stored, [job, file_id])
    return [(reload, [job, file_id], stored)]
