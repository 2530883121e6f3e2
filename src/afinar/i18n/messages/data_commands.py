"""Messages of the `afinar data` commands (validate, fix, stats, estimate)."""

MESSAGES: dict[str, dict[str, str]] = {
    "data.severity.error": {"en": "error", "es": "error"},
    "data.severity.warning": {"en": "warning", "es": "aviso"},
    "data.validate.more_hidden": {
        "en": "… and {count} more [{code}] (use --all or --json to see them all)",
        "es": "… y {count} más [{code}] (usa --all o --json para verlos todos)",
    },
    "data.validate.suppressed": {
        "en": "… {count} more [{code}] were counted but not listed (too many to keep)",
        "es": "… {count} más [{code}] se contaron pero no se listan (demasiados para guardarlos)",
    },
    "data.validate.summary_ok": {
        "en": "{file}: valid {task} data, {examples} examples, no problems found.",
        "es": "{file}: datos de {task} válidos, {examples} ejemplos, sin problemas.",
    },
    "data.validate.summary_ok_warnings": {
        "en": "{file}: valid {task} data, {examples} examples, {warnings} warnings.",
        "es": "{file}: datos de {task} válidos, {examples} ejemplos, {warnings} avisos.",
    },
    "data.validate.summary_bad": {
        "en": "{file}: {errors} errors and {warnings} warnings in {examples} {task} examples. Fix the errors before training.",
        "es": "{file}: {errors} errores y {warnings} avisos en {examples} ejemplos de {task}. Corrige los errores antes de entrenar.",
    },
}
