"""CLI flags generated from a pydantic config model: one description per field, used everywhere.

``config_options(Model, exclude)`` adds ``--field-name`` for each field (``--flag/--no-flag`` for
booleans) with the field's description as help; values reach the model as given, so pydantic does
all parsing and every problem is reported at once by ``build_config``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from pydantic import BaseModel, ValidationError

from afinar.errors import AfinarError


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def config_options(model: type[BaseModel], exclude: tuple[str, ...] = ()) -> Callable:
    def decorate(fn: Callable) -> Callable:
        for name, field in reversed(list(model.model_fields.items())):
            if name in exclude:
                continue
            default = field.default
            help_text = field.description or ""
            if field.annotation is bool:
                option = click.option(f"{_flag(name)}/--no-{name.replace('_', '-')}", name, default=None,
                                      help=f"{help_text} [default: {default}]")
            else:
                shown = "" if default is None else f" [default: {default}]"
                option = click.option(_flag(name), name, default=None, help=help_text + shown)
            fn = option(fn)
        return fn

    return decorate


def build_config(model: type[BaseModel], values: dict[str, Any]) -> BaseModel:
    """The model from CLI values (None = not given); every invalid flag is reported together."""
    given = {k: v for k, v in values.items() if v is not None}
    try:
        return model(**given)
    except ValidationError as err:
        problems = []
        for item in err.errors():
            field = str(item["loc"][0]) if item["loc"] else "?"
            problems.append(f"{_flag(field)} {given.get(field, '')!s}: {item['msg']}".replace("  ", " "))
        raise AfinarError("config.invalid", exit_code=2, problems="; ".join(problems)) from err
