"""`afinar models`: the base-model catalog (packaged offline bases, hub ids, imported GGUF).

Listing never imports torch; pull and import load it lazily, inside the converters.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from afinar import i18n
from afinar.cli.options import lang_option
from afinar.models.listing import human_params, human_size

TASK_CHOICES = click.Choice(["chat", "text-classification", "image-classification", "embedding"])


@click.group()
@lang_option
def models() -> None:
    """Base models: list, pull, import, info, rm."""






def _yes_no(value: bool) -> str:
    return i18n.t("models.yes") if value else i18n.t("models.no")


def _license(row: dict[str, Any]) -> str:
    return row["license"] or i18n.t("models.license.unknown")


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "note_key"}


@models.command(name="list")
@click.option("--task", type=TASK_CHOICES, help="Only the bases for this task.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects instead of a table.")
@lang_option
def list_(task: str | None, as_json: bool) -> None:
    """Show every base: task, parameters, languages, license, size, source and whether it is ready."""
    from afinar.models.listing import rows

    found = rows(task)
    if as_json:
        sys.stdout.write(json.dumps([_json_row(r) for r in found], ensure_ascii=False, indent=2) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, emoji=False)
    if not found:
        console.print(i18n.t("models.list.empty", task=task))
        return
    from rich import box
    from rich.markup import escape

    if console.width < 110:  # narrow terminal: one block per model instead of a table
        for r in found:
            mark = " *" if r["default_for"] else ""
            ready = i18n.t("models.col.ready") + ": " + _yes_no(r["ready"])
            console.print(f"[bold]{escape(r['name'])}{mark}[/]  {', '.join(r['tasks'])} · "
                          f"{human_params(r['params'])} · {escape(_license(r))} · {ready}")
            console.print(f"    [dim]{', '.join(r['languages']) or '-'} · "
                          f"{i18n.t('models.source.' + r['source'])} · {human_size(r['size_bytes'])}[/]")
        console.print(i18n.t("models.list.default_mark"))
        console.print(i18n.t("models.list.footer"))
        return
    table = Table(title=i18n.t("models.list.title"), box=box.SIMPLE_HEAD)
    for key in ("name", "task", "params", "languages", "license", "size", "source", "ready"):
        table.add_column(i18n.t(f"models.col.{key}"), overflow="fold", no_wrap=key in ("name", "params", "size"))
    for r in found:
        name = f"{r['name']} *" if r["default_for"] else r["name"]
        table.add_row(
            name, "\n".join(r["tasks"]), human_params(r["params"]), ", ".join(r["languages"]) or "-",
            _license(r), human_size(r["size_bytes"]), i18n.t(f"models.source.{r['source']}"), _yes_no(r["ready"]),
        )  # fmt: skip
    console.print(table)
    console.print(i18n.t("models.list.default_mark"))
    console.print(i18n.t("models.list.footer"))


@models.command()
@click.argument("name")
@click.option("--accept-license", is_flag=True, help="Accept the model's license terms (required for gemma-3-270m).")
@click.option("--force", is_flag=True, help="Convert again even if the model is already in the cache.")
@lang_option
def pull(name: str, accept_license: bool, force: bool) -> None:
    """Install and convert a packaged base (or download a hub id) into the model cache.

    Idempotent: a model already in the cache is only checked against its checksums.
    """
    from afinar.models.progress import RichReporter
    from afinar.models.puller import pull as run_pull

    folder = run_pull(name, accept_license=accept_license, force=force, reporter=RichReporter())
    click.echo(str(folder))


@models.command(name="import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", required=True, help="Name of the model in the cache (letters, digits, '.', '_', '-').")
@click.option("--force", is_flag=True, help="Replace a cached model of the same name.")
@lang_option
def import_(path: Path, name: str, force: bool) -> None:
    """Turn a local GGUF file (Ollama, LM Studio...) into a Hugging Face folder you can fine-tune."""
    from afinar.models.importer import import_gguf
    from afinar.models.progress import RichReporter

    folder = import_gguf(path, name, force=force, reporter=RichReporter())
    click.echo(str(folder))


@models.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (with the manifest, if ready).")
@lang_option
def info(name: str, as_json: bool) -> None:
    """Everything about one base: license, packages, where it is cached and how it was converted."""
    from afinar.models.listing import describe

    row = describe(name)
    if as_json:
        sys.stdout.write(json.dumps(_json_row(row), ensure_ascii=False, indent=2) + "\n")
        return
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, emoji=False)
    manifest = row["manifest"] or {}
    lines = [
        ("name", row["name"]), ("task", ", ".join(row["tasks"])), ("params", human_params(row["params"])),
        ("languages", ", ".join(row["languages"]) or "-"), ("license", f"{_license(row)} {row['license_url']}"),
        ("source", i18n.t(f"models.source.{row['source']}")), ("ready", _yes_no(row["ready"])),
        ("path", row["path"]), ("size", human_size(row["size_bytes"])),
        ("default_for", ", ".join(row["default_for"]) or "-"), ("packages", ", ".join(row["packages"]) or "-"),
        ("hub_id", row["hub_id"] or "-"),
        ("converter", "{name} v{version}".format(**manifest["converter"]) if "converter" in manifest else "-"),
        ("notes", i18n.t(row["note_key"]) if row["note_key"] else "-"),
    ]  # fmt: skip
    for key, value in lines:
        console.print(f"[bold]{i18n.t(f'models.col.{key}')}:[/] {escape(str(value))}")
    if row["license_requires_acceptance"]:
        console.print(i18n.t("models.license.acceptance_required"))


@models.command()
@click.argument("name")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@lang_option
def rm(name: str, yes: bool) -> None:
    """Delete a model from the cache (a packaged base can be pulled again)."""
    from afinar.models import cache

    folder = cache.model_dir(name)
    if not cache.is_ready(name) and not folder.is_dir():
        from afinar.errors import AfinarError

        raise AfinarError("models.not_in_cache", name=name, path=str(folder))
    if not yes:
        click.confirm(i18n.t("models.rm.confirm", name=name, path=str(folder)), abort=True)
    removed = cache.remove(name)
    click.echo(i18n.t("models.rm.done", name=name, path=str(removed)))
