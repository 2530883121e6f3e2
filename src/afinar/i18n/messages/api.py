"""Messages of the Python API (``import afinar``): table headings and captions in notebooks, its own errors."""

MESSAGES: dict[str, dict[str, str]] = {
    "api.run.field": {"en": "field", "es": "campo"},
    "api.run.value": {"en": "value", "es": "valor"},
    "api.run.folder": {"en": "run folder", "es": "carpeta del entrenamiento"},
    "api.run.confusion_title": {"en": "validation", "es": "validación"},
    "api.run.no_report": {
        "en": "The run {path} is a {task} run: it has no {what} (only classifiers have one).",
        "es": "El entrenamiento {path} es de tipo {task}: no tiene {what} (solo los clasificadores lo tienen).",
    },
    "api.run.no_report.hint": {
        "en": "Use run.curves() for a chat fine-tune's loss, or afinar.compare(...) to see what it learned.",
        "es": "Usa run.curves() para la pérdida de un ajuste de chat, o afinar.compare(...) para ver qué aprendió.",
    },
    "api.mistakes.text": {"en": "text", "es": "texto"},
    "api.mistakes.label": {"en": "true label", "es": "etiqueta real"},
    "api.mistakes.predicted": {"en": "predicted", "es": "predicha"},
    "api.mistakes.confidence": {"en": "confidence", "es": "confianza"},
    "api.mistakes.caption": {"en": "{count} validation mistakes, most confident first",
                             "es": "{count} errores en validación, los más seguros primero"},
    "api.findings.line": {"en": "line", "es": "línea"},
    "api.findings.severity": {"en": "kind", "es": "tipo"},
    "api.findings.code": {"en": "code", "es": "código"},
    "api.findings.message": {"en": "problem", "es": "problema"},
    "api.findings.hint": {"en": "how to fix it", "es": "cómo arreglarlo"},
    "api.findings.more": {
        "en": "… and {count} more [{code}] (report.findings or report.to_dict() has them all)",
        "es": "… y {count} más [{code}] (report.findings o report.to_dict() los tienen todos)",
    },
    "api.fix.caption": {"en": "{output}: {changes} changes, {unfixed} lines left for you to fix",
                        "es": "{output}: {changes} cambios, {unfixed} líneas que debes corregir tú"},
    "api.fix.what": {"en": "change", "es": "cambio"},
    "api.convert.skipped_empty": {"en": "lines skipped (empty)", "es": "líneas omitidas (vacías)"},
    "api.convert.skipped_roles": {"en": "lines skipped (unknown roles)", "es": "líneas omitidas (roles desconocidos)"},
    "api.estimate.why": {"en": "why", "es": "por qué"},
    "api.train.chat": {"en": "Fine-tuning", "es": "Ajustando"},
    "api.train.text": {"en": "Training the classifier", "es": "Entrenando el clasificador"},
    "api.train.image": {"en": "Training (2 stages)", "es": "Entrenando (2 etapas)"},
    "api.compare.bad_prompt": {
        "en": "A prompt must be a text or a dict with \"prompt\" (and \"expected\" facts); got {item}.",
        "es": "Cada pregunta debe ser un texto o un dict con \"prompt\" (y los datos \"expected\"); se recibió {item}.",
    },
    "api.compare.bad_prompt.hint": {
        "en": "For example: [{\"prompt\": \"¿Cuánto cuesta?\", \"expected\": [\"999\"]}] or a prompts file.",
        "es": "Por ejemplo: [{\"prompt\": \"¿Cuánto cuesta?\", \"expected\": [\"999\"]}] o un archivo de preguntas.",
    },
    "api.predict.input": {"en": "input", "es": "entrada"},
    "api.rag.source": {"en": "source", "es": "fuente"},
    "api.language.bad": {
        "en": "Unknown language {lang!r}: Afinar speaks \"es\" and \"en\".",
        "es": "Idioma desconocido {lang!r}: Afinar habla \"es\" y \"en\".",
    },
}
