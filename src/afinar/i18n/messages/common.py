"""Messages shared by every command."""

MESSAGES: dict[str, dict[str, str]] = {
    "common.error_prefix": {"en": "Error", "es": "Error"},
    "common.hint_prefix": {"en": "How to fix", "es": "Cómo arreglarlo"},
    "common.internal_error": {
        "en": "Afinar hit an unexpected internal error: {error}. This is a bug, not your fault. "
        "Run again with AFINAR_DEBUG=1 to see the full traceback and include it when you report it.",
        "es": "Afinar encontró un error interno inesperado: {error}. Es un fallo del programa, no tuyo. "
        "Vuelve a ejecutarlo con AFINAR_DEBUG=1 para ver el detalle completo e inclúyelo al reportarlo.",
    },
    "common.file_not_found": {
        "en": "The file {path} does not exist.",
        "es": "El archivo {path} no existe.",
    },
    "common.file_not_found.hint": {
        "en": "Check the path and the name (including the extension) and try again.",
        "es": "Revisa la ruta y el nombre (incluida la extensión) y vuelve a intentarlo.",
    },
    "common.output_dir_missing": {
        "en": "The folder {path} for the output does not exist.",
        "es": "La carpeta {path} de la salida no existe.",
    },
    "common.output_dir_missing.hint": {
        "en": "Check the path, create the folder first (mkdir -p {path}), or write the output to an existing folder.",
        "es": "Revisa la ruta, crea antes la carpeta (mkdir -p {path}) o escribe la salida en una carpeta que exista.",
    },
    "common.interrupted": {"en": "Interrupted.", "es": "Interrumpido."},
}

MESSAGES.update({
    "config.invalid": {
        "en": "Some options are not valid: {problems}",
        "es": "Algunas opciones no son válidas: {problems}",
    },
    "config.invalid.hint": {
        "en": "Fix the options above (run the command with --help to see what each one accepts).",
        "es": "Corrige las opciones indicadas (ejecuta el comando con --help para ver qué acepta cada una).",
    },
})
