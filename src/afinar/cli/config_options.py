"""CLI flags generated from a task's config model (``afinar.tasks.config``): the one flag generator
of every ``afinar train TASK``.

``config_options(Model, exclude)`` adds ``--field-name`` for each field (``--flag/--no-flag`` for
booleans) with the field's description as help, and ``--config FILE``; values reach the model as
given, so pydantic does all parsing and every problem is reported at once by ``build_config``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _metavar(annotation: Any) -> str:
    """How the help shows a field's value: INTEGER, NUMBER, PATH, TEXT, a|b, auto|INTEGER."""
    names = {int: "INTEGER", float: "NUMBER", Path: "PATH", str: "TEXT"}
    if typing.get_origin(annotation) is typing.Literal:
        return "|".join(str(a) for a in typing.get_args(annotation))
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return "|".join(_metavar(a) for a in typing.get_args(annotation) if a is not type(None))
    return names.get(annotation, "TEXT")


def config_options(model: type[BaseModel], exclude: tuple[str, ...] = (), short: dict[str, str] | None = None,
                   config_file: bool = True) -> Callable:
    """One ``--field-name`` per field of ``model`` (``--flag/--no-flag`` for booleans), its description as
    help; ``short`` adds short forms (``{"output": "-o"}``). Values reach the model as typed: pydantic
    parses them and ``build_config`` reports every problem at once, translated. ``config_file`` adds
    ``--config FILE``: a saved ``config.yaml`` whose settings the flags given override."""
    short = short or {}

    def decorate(fn: Callable) -> Callable:
        for name, field in reversed(list(model.model_fields.items())):
            if name in exclude:
                continue
            default = field.default
            help_text = field.description or ""
            decls = [_flag(name), *([short[name]] if name in short else [])]
            if field.annotation is bool:
                option = click.option(f"{_flag(name)}/--no-{name.replace('_', '-')}", name, default=None,
                                      help=f"{help_text} [default: {default}]")
            else:
                shown = "" if field.is_required() or default is None else f" [default: {default}]"
                option = click.option(*decls, name, default=None, metavar=_metavar(field.annotation),
                                      help=help_text + shown + (" [required]" if field.is_required() else ""))
            fn = option(fn)
        if config_file:
            fn = click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
                              default=None, help="A saved config.yaml (a run's, or written by hand): its settings, "
                                                 "with any option given here on top.")(fn)
        return fn

    return decorate


def with_saved(model: type[BaseModel], config_file: Path | None, values: dict[str, Any],
               resolved: type[BaseModel] | None = None, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """``values`` (flags; None = not given) on top of the settings of ``config_file``, if any."""
    if config_file is None:
        return values
    from afinar.tasks.config import saved_values

    saved = saved_values(config_file, model, resolved, drop)
    return {**saved, **{k: v for k, v in values.items() if v is not None}}


def build_config(model: type[BaseModel], values: dict[str, Any]) -> BaseModel:
    """The model from CLI values (None = not given); every invalid flag is reported together."""
    from afinar.tasks.config import build

    return build(model, values)
