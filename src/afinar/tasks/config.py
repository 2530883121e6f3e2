"""One config schema per task, checked the same way on every surface.

Each task's pydantic model (``chat.config.ChatTrainConfig``, ``text_classification.config.
TextClassificationConfig``, ``image_classification.config.ImageClassificationConfig``) is the only
description of its settings: the CLI's flags are generated from it (``afinar.cli.config_options``),
the API's ``hyperparameters`` are checked by it (OpenAI's names are aliases of its fields), and the
studio's forms are checked by it. ``build`` turns every validation error into a ``FieldProblem``
in the user's language, all at once; each surface names the field its own way (``--batch-size``,
``hyperparameters.batch_size``, "Tamaño de lote"). ``saved_values`` reads a run's ``config.yaml``
back for ``afinar train TASK --config``. No torch here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from afinar import i18n
from afinar.errors import AfinarError

# pydantic's error types → our messages (config.error.*); anything else keeps pydantic's English text
_KINDS = {
    "int_parsing": "config.error.int", "int_type": "config.error.int", "int_from_float": "config.error.int",
    "float_parsing": "config.error.number", "float_type": "config.error.number",
    "bool_parsing": "config.error.bool", "bool_type": "config.error.bool",
    "string_type": "config.error.text", "path_type": "config.error.text",
    "literal_error": "config.error.choice", "missing": "config.error.missing", "extra_forbidden": "config.error.unknown",
    "greater_than_equal": "config.error.ge", "greater_than": "config.error.gt",
    "less_than_equal": "config.error.le", "less_than": "config.error.lt",
}
# what each branch of a union accepts, for "auto or a whole number"
_BRANCHES = {"int": "config.kind.int", "float": "config.kind.number", "str": "config.kind.text"}


def flag(field: str) -> str:
    return "--" + field.replace("_", "-")


class FieldProblem(AfinarError):
    """What is wrong with one field's value, translated when shown."""

    def __init__(self, field: str, value: Any, key: str, **params: Any):
        self.field, self.value = field, value
        super().__init__(key, exit_code=2, **params)

    def message(self, lang: str | None = None) -> str:
        if self.key == "config.error.one_of":
            kinds = [k if not k.startswith("config.") else i18n.t(k, lang) for k in self.params["kinds"]]
            return i18n.t(self.key, lang, kinds=i18n.t("config.kind.or", lang).join(kinds))
        if self.key == "config.error.cross":  # several problems between fields: [(key, params), ...]
            return "; ".join(i18n.t(key, lang, **params) for key, params in self.params["problems"])
        return super().message(lang)


class ConfigProblems(AfinarError):
    """Every problem of a config at once; ``name`` shows a field the way the surface calls it."""

    def __init__(self, problems: list[FieldProblem], name: Callable[[str], str] = flag, hint_key: str | None = None):
        self.problems, self.name = problems, name
        super().__init__("config.invalid", exit_code=2, hint_key=hint_key, problems="")

    def lines(self, lang: str | None = None) -> list[str]:
        out = []
        for p in self.problems:
            if not p.field:  # between fields: the message names them
                out.append(p.message(lang))
                continue
            shown = "" if p.value is None or p.key == "config.error.missing" else f" = {p.value!r}"
            out.append(f"{self.name(p.field)}{shown}: {p.message(lang)}")
        return out

    def message(self, lang: str | None = None) -> str:
        return i18n.t(self.key, lang, problems="; ".join(self.lines(lang)))


def problems_of(err: ValidationError) -> list[FieldProblem]:
    """One problem per field (the branches of a union, "auto or a whole number", become one)."""
    by_field: dict[str, list[dict[str, Any]]] = {}
    for item in err.errors():
        by_field.setdefault(str(item["loc"][0]) if item["loc"] else "", []).append(item)
    out = []
    for field, items in by_field.items():
        if len(items) > 1 and all(len(i["loc"]) > 1 for i in items):
            kinds = [(i.get("ctx") or {}).get("expected", "").strip("'") if i["type"] == "literal_error"
                     else _BRANCHES.get(str(i["loc"][1]), str(i["loc"][1])) for i in items]
            out.append(FieldProblem(field, items[0].get("input"), "config.error.one_of", kinds=kinds))
            continue
        for item in items:
            out.append(_problem(field, item))
    return out


def _problem(field: str, item: dict[str, Any]) -> FieldProblem:
    value, kind, ctx = item.get("input"), item["type"], item.get("ctx") or {}
    if kind.startswith("config."):  # our validators' own messages (PydanticCustomError)
        return FieldProblem(field, value, kind, **ctx)
    if kind in _KINDS:
        limit = next((ctx[k] for k in ("ge", "gt", "le", "lt") if k in ctx), None)
        limit = int(limit) if isinstance(limit, float) and limit.is_integer() else limit
        return FieldProblem(field, value, _KINDS[kind], limit=limit, choices=str(ctx.get("expected", "")).replace(" or ", ", "))
    return FieldProblem(field, value, "config.error.other", detail=str(item["msg"]))


def build(model: type[BaseModel], values: Mapping[str, Any], name: Callable[[str], str] = flag,
          cross: Callable[[dict[str, Any]], list[tuple[str, dict[str, Any]]]] | None = None) -> Any:
    """``model`` from ``values`` (None = not given); every problem at once as ``ConfigProblems``.
    ``cross``: the model's problems between fields, read from the raw values, so that they are
    reported beside the field errors (which stop pydantic before its own check between fields)."""
    given = {k: v for k, v in values.items() if v is not None}
    try:
        return model(**given)
    except ValidationError as err:
        problems = problems_of(err)
        if cross is not None and all(p.field for p in problems) and (between := cross(given)):
            problems.append(FieldProblem("", None, "config.error.cross", problems=between))
        raise ConfigProblems(problems, name) from None


def check_fields(model: type[BaseModel], values: Mapping[str, Any], placeholders: Mapping[str, Any]) -> list[FieldProblem]:
    """The problems of some of ``model``'s fields (the API's hyperparameters, a form's numbers):
    the required fields not in ``values`` are filled with ``placeholders`` and their problems, if
    any, are not reported."""
    try:
        model(**{**placeholders, **{k: v for k, v in values.items() if v is not None}})
    except ValidationError as err:
        return [p for p in problems_of(err) if p.field in values or p.field == ""]
    return []


def saved_values(path: Path, model: type[BaseModel], resolved: type[BaseModel] | None = None,
                 drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """The settings of a saved ``config.yaml`` (a run's, or one written by hand) for ``model``.
    The values a run decided (the fields of ``resolved`` beyond ``model``'s: ``model_path``,
    ``learning_rate``…) and ``drop`` are left out, so the new run decides them again; any other key
    is refused, named. A file that is not a YAML mapping is an AfinarError."""
    import yaml

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise AfinarError("config.file.unreadable", exit_code=2, path=str(path),
                          error=str(err).splitlines()[0]) from None
    if not isinstance(loaded, dict):
        raise AfinarError("config.file.not_a_mapping", exit_code=2, path=str(path), hint_key="config.file.unreadable.hint")
    decided = set(resolved.model_fields) - set(model.model_fields) if resolved is not None else set()
    unknown = [FieldProblem(str(k), None, "config.error.unknown") for k in loaded
               if k not in model.model_fields and k not in decided]
    if unknown:
        raise ConfigProblems(unknown, name=lambda field: f"{path.name}: {field}")
    kept = {k: v for k, v in loaded.items() if k in model.model_fields and k not in drop}
    for name, value in kept.items():  # a relative path is relative to the file's folder
        if isinstance(value, str) and _is_path(model.model_fields[name].annotation) and not Path(value).is_absolute():
            kept[name] = str((path.parent / value).resolve())
    return kept


def _is_path(annotation: Any) -> bool:
    return annotation is Path or Path in getattr(annotation, "__args__", ())
