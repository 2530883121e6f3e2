"""The Modelos page: the catalog with each base's license shown before use, pull, GGUF import,
and deleting fine-tuned models. Pulls and imports run in the request (the page shows a spinner);
they print their license notice first, as the CLI does."""

from __future__ import annotations

from typing import Any

from afinar import i18n
from afinar.errors import AfinarError
from afinar.models.listing import human_size
from afinar.studio.datasets import error_text
from afinar.studio.local import items
from afinar.studio.texts import Texts, tr
from afinar.studio.workspace import keep_upload

COLUMNS = ("name", "task", "params", "languages", "license", "size", "source", "ready")


def params_text(params: int | None, lang: str) -> str:
    """A base's number of parameters in millions, in ``lang``'s number format (134,5 M)."""
    return f"{i18n.number(params / 1e6, lang, 1)} M" if params else "-"


def task_names(tasks: list[str], lang: str) -> str:
    """A base's tasks in ``lang`` (chat (conversaciones), clasificación de texto...)."""
    return ", ".join(tr(f"studio.task.{t}", lang) if i18n.has(f"studio.task.{t}") else t for t in tasks)


def catalog_frame(lang: str):
    import pandas as pd

    from afinar.models.listing import rows

    data = [[r["name"] + (" *" if r["default_for"] else ""), task_names(r["tasks"], lang), params_text(r["params"], lang),
             ", ".join(r["languages"]) or "-", r["license"] or tr("models.license.unknown", lang),
             human_size(r["size_bytes"]), tr(f"models.source.{r['source']}", lang),
             "✓" if r["ready"] else "—"] for r in rows()]
    return pd.DataFrame(data, columns=[tr(f"models.col.{c}", lang) for c in COLUMNS])


def names() -> list[str]:
    from afinar.models.listing import rows

    return [r["name"] for r in rows()]


def describe(name: str | None, lang: str) -> str:
    """The license notice (what a user agrees to by using the base) and the base's facts."""
    from afinar.models.listing import describe as describe_row

    if not name:
        return ""
    try:
        row = describe_row(name)
    except AfinarError as err:
        return error_text(err, lang)
    license_name = row["license"] or tr("models.license.unknown", lang)
    lines = [f"### {row['name']}",
             "**" + tr("models.license.title", lang) + ":** " + f"[{license_name}]({row['license_url']})"
             if row["license_url"] else f"**{tr('models.license.title', lang)}:** {license_name}"]
    if row["license_requires_acceptance"]:
        lines.append("**!** " + tr("studio.models.accept_needed", lang))
    lines.append(f"- {tr('models.col.task', lang)}: {task_names(row['tasks'], lang)}")
    lines.append(f"- {tr('models.col.params', lang)}: {params_text(row['params'], lang)}")
    lines.append(f"- {tr('models.col.languages', lang)}: {', '.join(row['languages']) or '-'}")
    lines.append(f"- {tr('models.col.ready', lang)}: {tr('models.yes' if row['ready'] else 'models.no', lang)}")
    if row["note_key"] and i18n.has(row["note_key"]):
        lines.append(f"- {tr('models.col.notes', lang)}: {i18n.t(row['note_key'], lang)}")
    return "\n".join(lines)


def pull(name: str | None, accept: bool, lang: str) -> str:
    from afinar.models.progress import QuietReporter
    from afinar.models.puller import pull as run_pull

    if not name:
        return tr("studio.models.pick", lang)
    reporter = QuietReporter()
    try:
        folder = run_pull(name, accept_license=bool(accept), reporter=reporter)
    except AfinarError as err:
        return error_text(err, lang)
    notices = [license_notice(name, lang) for kind, _ in reporter.events if kind == "license"]
    return "\n\n".join(notices + [tr("studio.models.pulled", lang, name=name, path=str(folder))])


def license_notice(name: str, lang: str) -> str:
    """Under which license ``name`` is distributed, in ``lang`` (the puller's notice is in the server's language)."""
    from afinar.models.listing import describe as describe_row

    row = describe_row(name)
    return tr("models.license.notice", lang, name=name, license=row["license"] or tr("models.license.unknown", lang),
              url=row["license_url"] or "")


def import_gguf(file: str | None, name: str, lang: str) -> str:
    from afinar.models.importer import import_gguf as run_import

    if not file or not (name or "").strip():
        return tr("studio.models.import_need", lang)
    try:
        folder = run_import(keep_upload(file, "model.gguf"), name.strip())
    except AfinarError as err:
        return error_text(err, lang)
    return tr("studio.models.imported", lang, name=name.strip(), path=str(folder))


def fine_tuned(backend: Any) -> list[str]:
    return [m["id"] for m in items(backend.list_models()) if m["id"].startswith("ft:")]


def build(T: Texts, lang_box: Any, backend: Any) -> list[tuple[Any, list[Any]]]:
    import gradio as gr

    T.make(gr.Markdown, "studio.models.intro", attr="value")
    table = T.make(gr.Dataframe, "studio.models.catalog", value=catalog_frame(T.lang), interactive=False, wrap=True,
                   column_widths=["20%", "17%", "11%", "10%", "15%", "8%", "11%", "8%"],
                   elem_id="models-table")
    with gr.Row():
        choices = names()
        name = T.make(gr.Dropdown, "studio.models.name", choices=choices, value=choices[0] if choices else None,
                      allow_custom_value=True, info="studio.models.name_info", elem_id="models-name", scale=2)
        accept = T.make(gr.Checkbox, "studio.models.accept", value=False, elem_id="models-accept", scale=1)
        pull_btn = T.make(gr.Button, "studio.models.pull", attr="value", variant="primary", elem_id="models-pull",
                          scale=1)
    info = gr.Markdown(value=describe(choices[0], T.lang) if choices else "", elem_id="models-info")
    pulled = gr.Markdown(elem_id="models-pulled")
    with T.make(gr.Accordion, "studio.models.import", open=False):
        with gr.Row():
            gguf = T.make(gr.File, "studio.models.gguf", file_types=[".gguf"], type="filepath", elem_id="models-gguf")
            gguf_name = T.make(gr.Textbox, "studio.models.import_name", elem_id="models-import-name")
        import_btn = T.make(gr.Button, "studio.models.import_button", attr="value", elem_id="models-import")
        imported = gr.Markdown(elem_id="models-imported")
    with T.make(gr.Accordion, "studio.models.tuned", open=True):
        with gr.Row():
            tuned = T.make(gr.Dropdown, "studio.models.tuned_pick", choices=[], elem_id="models-tuned", scale=3)
            confirm = T.make(gr.Checkbox, "studio.models.confirm", value=False, elem_id="models-confirm", scale=1)
            delete_btn = T.make(gr.Button, "studio.models.delete", attr="value", variant="stop",
                                elem_id="models-delete", scale=1)
        deleted = gr.Markdown(elem_id="models-deleted")

    def refresh(lang: str = T.lang, current: str | None = None) -> tuple[Any, Any]:
        found = fine_tuned(backend)
        value = current if current in found else (found[0] if found else None)
        return catalog_frame(lang), gr.update(choices=found, value=value)

    def delete(model: str | None, sure: bool, lang: str) -> tuple[str, Any, Any, bool]:
        if not model:
            return tr("studio.models.pick", lang), gr.update(), gr.update(), sure
        if not sure:
            return tr("studio.models.confirm_first", lang), gr.update(), gr.update(), sure
        try:
            backend.delete_model(model)
        except AfinarError as err:
            return error_text(err, lang), gr.update(), gr.update(), sure
        frame, picker = refresh(lang)
        return tr("studio.models.deleted", lang, model=model), frame, picker, False

    name.change(describe, [name, lang_box], info)
    lang_box.change(lambda n, lang, t: (describe(n, lang), *refresh(lang, t)), [name, lang_box, tuned],
                    [info, table, tuned])
    pull_btn.click(pull, [name, accept, lang_box], pulled).then(lambda lang: refresh(lang)[0], lang_box, table)
    import_btn.click(import_gguf, [gguf, gguf_name, lang_box], imported)
    delete_btn.click(delete, [tuned, confirm, lang_box], [deleted, table, tuned, confirm])
    return [(refresh, [table, tuned], [lang_box, tuned])]
