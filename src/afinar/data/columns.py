"""Recognizing what a column holds from its name, in Spanish and English.

Names are compared after ``normalize_name``: lower case, no accents, spaces and dashes as ``_``,
so "Reseña", "reseña " and "RESENA" all match ``resena``. Each role lists its names in order of
preference; ``find_column`` returns the first column whose name is one of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "text": ("text", "texto", "frase", "oracion", "sentence", "review", "resena", "comentario",
             "comment", "mensaje", "message", "contenido", "content", "documento", "document",
             "tweet", "opinion", "descripcion", "description", "utterance", "consulta", "query",
             "titulo", "title", "body", "cuerpo"),
    "label": ("label", "labels", "etiqueta", "categoria", "category", "clase", "class",
              "sentimiento", "sentiment", "intent", "intencion", "target", "tag", "tipo", "type",
              "polaridad", "polarity", "y"),
    "user": ("user", "usuario", "pregunta", "question", "prompt", "input", "entrada",
             "instruccion", "instruction", "consulta", "query", "human", "cliente", "customer"),
    "assistant": ("assistant", "asistente", "respuesta", "answer", "response", "output", "salida",
                  "completion", "reply", "contestacion", "gpt", "bot", "agente", "agent"),
    "system": ("system", "sistema", "system_prompt", "instrucciones_sistema", "contexto_sistema"),
    # preference pairs: the better and the worse answer to the same prompt
    "chosen": ("chosen", "preferred", "preferred_output", "preferida", "respuesta_preferida", "elegida",
               "respuesta_elegida", "chosen_response", "accepted", "aceptada", "mejor", "better"),
    "rejected": ("rejected", "non_preferred", "non_preferred_output", "no_preferida",
                 "respuesta_no_preferida", "rechazada", "respuesta_rechazada", "rejected_response",
                 "peor", "worse"),
}

_SEPARATORS = re.compile(r"[\s\-]+")


def normalize_name(name: object) -> str:
    """``" Reseña-Cliente "`` → ``"resena_cliente"``."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    return _SEPARATORS.sub("_", text.strip().lower())


def find_column(columns: Sequence[str], role: str, exclude: Sequence[str] = ()) -> str | None:
    """The column of ``columns`` that holds ``role`` (see ``ROLE_NAMES``), or None."""
    by_norm: dict[str, str] = {}
    for column in columns:
        if column not in exclude:
            by_norm.setdefault(normalize_name(column), column)
    for name in ROLE_NAMES[role]:
        if name in by_norm:
            return by_norm[name]
    return None


def is_known_name(name: object) -> bool:
    """True when ``name`` is a recognized column name for any role."""
    norm = normalize_name(name)
    return any(norm in names for names in ROLE_NAMES.values())
