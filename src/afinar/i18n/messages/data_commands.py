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

MESSAGES.update({
    "data.tokenizer.not_found": {
        "en": "Could not load the tokenizer \"{spec}\" ({detail}): it is not a file, a folder, a pulled catalog model, or a hub id reachable from here.",
        "es": "No se pudo cargar el tokenizador \"{spec}\" ({detail}): no es un archivo, una carpeta, un modelo del catálogo ya descargado ni un id del hub accesible desde aquí.",
    },
    "data.tokenizer.not_found.hint": {
        "en": "Give the path of a tokenizer.json or a model folder, or pull a base first (`afinar models pull smollm2-135m-instruct`) and use its name. Hub ids need internet.",
        "es": "Indica la ruta de un tokenizer.json o de una carpeta de modelo, o descarga una base primero (`afinar models pull smollm2-135m-instruct`) y usa su nombre. Los ids del hub necesitan internet.",
    },
    "data.tokenizer.no_json": {
        "en": "The folder {path} has no tokenizer.json.",
        "es": "La carpeta {path} no tiene tokenizer.json.",
    },
    "data.tokenizer.no_json.hint": {
        "en": "Point --tokenizer at a Hugging Face model folder that includes tokenizer.json, or at the file itself.",
        "es": "Apunta --tokenizer a una carpeta de modelo de Hugging Face que incluya tokenizer.json, o al archivo mismo.",
    },
    "data.tokenizer.unreadable": {
        "en": "{path} is not a readable tokenizer.json: {detail}",
        "es": "{path} no es un tokenizer.json legible: {detail}",
    },
    "data.tokenizer.unreadable.hint": {
        "en": "Use the tokenizer.json saved with the model (Hugging Face format).",
        "es": "Usa el tokenizer.json guardado con el modelo (formato de Hugging Face).",
    },
})

MESSAGES.update({
    "data.fix.same_file": {
        "en": "The output {path} is the input file; fix never overwrites its input.",
        "es": "La salida {path} es el archivo de entrada; fix nunca sobrescribe su entrada.",
    },
    "data.fix.same_file.hint": {
        "en": "Give another name with -o, e.g. -o fixed.jsonl.",
        "es": "Indica otro nombre con -o, p. ej. -o corregido.jsonl.",
    },
    "data.fix.line_too_long": {
        "en": "Line {line} is too long to repair safely; nothing was written.",
        "es": "La línea {line} es demasiado larga para repararla con seguridad; no se escribió nada.",
    },
    "data.fix.line_too_long.hint": {
        "en": "Check that the file has line breaks between examples.",
        "es": "Comprueba que el archivo tenga saltos de línea entre los ejemplos.",
    },
    "data.fix.broken_array": {
        "en": "The JSON array is broken at line {line}, column {column} ({detail}); nothing was written, so no example is lost.",
        "es": "El arreglo JSON está roto en la línea {line}, columna {column} ({detail}); no se escribió nada, así que no se pierde ningún ejemplo.",
    },
    "data.fix.broken_array.hint": {
        "en": "Repair that spot by hand (a missing comma, quote or bracket) and run fix again.",
        "es": "Repara ese punto a mano (una coma, comilla o corchete que falta) y vuelve a ejecutar fix.",
    },
    "data.fix.change.bom": {"en": "removed the byte-order mark (BOM)", "es": "se quitó la marca de orden de bytes (BOM)"},
    "data.fix.change.not_utf8": {"en": "converted from {guess} to UTF-8", "es": "se convirtió de {guess} a UTF-8"},
    "data.fix.change.encoding": {"en": "converted the file from {encoding} to UTF-8", "es": "se convirtió el archivo de {encoding} a UTF-8"},
    "data.fix.change.blank_line": {"en": "removed a blank line", "es": "se eliminó una línea en blanco"},
    "data.fix.change.trailing_comma": {"en": "removed the comma at the end", "es": "se quitó la coma del final"},
    "data.fix.change.multiline_json": {"en": "joined lines {line}–{end_line} into one line", "es": "se unieron las líneas {line}–{end_line} en una sola"},
    "data.fix.change.json_array": {"en": "turned the JSON array into {count} lines of JSONL", "es": "se convirtió el arreglo JSON en {count} líneas de JSONL"},
    "data.fix.change.mojibake": {"en": "repaired \"{before}\" → \"{after}\"", "es": "se reparó \"{before}\" → \"{after}\""},
    "data.fix.change.mojibake_file": {"en": "repaired garbled characters", "es": "se repararon caracteres dañados"},
    "data.fix.change.crlf": {"en": "converted {count} Windows line endings (CRLF) to LF", "es": "se convirtieron {count} finales de línea de Windows (CRLF) a LF"},
    "data.fix.unfixed.invalid_json": {
        "en": "still invalid JSON at column {column} ({detail}); kept as it was for you to edit",
        "es": "sigue siendo JSON inválido en la columna {column} ({detail}); se dejó igual para que la edites",
    },
    "data.fix.unfixed.not_utf8": {"en": "undecodable bytes replaced", "es": "bytes ilegibles reemplazados"},
    "data.fix.unfixed.line_too_long": {"en": "line too long", "es": "línea demasiado larga"},
    "data.fix.line": {"en": "line {line}", "es": "línea {line}"},
    "data.fix.file": {"en": "file", "es": "archivo"},
    "data.fix.summary": {
        "en": "Wrote {output}: {changes} repairs, {records} records.",
        "es": "Se escribió {output}: {changes} reparaciones, {records} registros.",
    },
    "data.fix.summary_text": {
        "en": "Wrote {output}: {changes} repairs.",
        "es": "Se escribió {output}: {changes} reparaciones.",
    },
    "data.fix.nothing": {
        "en": "Nothing to repair; {output} is an identical copy.",
        "es": "No había nada que reparar; {output} es una copia idéntica.",
    },
    "data.fix.left": {
        "en": "{count} lines still need a manual fix (listed above); then run `afinar data validate {output}`.",
        "es": "{count} líneas todavía necesitan un arreglo manual (arriba); después ejecuta `afinar data validate {output}`.",
    },
    "data.fix.next": {
        "en": "Next: afinar data validate {output}",
        "es": "Siguiente paso: afinar data validate {output}",
    },
})

MESSAGES.update({
    "data.stats.title": {"en": "Statistics of {file}", "es": "Estadísticas de {file}"},
    "data.field.file": {"en": "file", "es": "archivo"},
    "data.field.task": {"en": "task", "es": "tarea"},
    "data.field.records": {"en": "records read", "es": "registros leídos"},
    "data.field.examples": {"en": "examples", "es": "ejemplos"},
    "data.field.messages_per_example": {"en": "messages per example", "es": "mensajes por ejemplo"},
    "data.field.tokens_per_example": {"en": "tokens per example", "es": "tokens por ejemplo"},
    "data.field.total_tokens": {"en": "total tokens", "es": "tokens en total"},
    "data.field.trainable_assistant_tokens": {"en": "assistant tokens trained on", "es": "tokens del asistente que se entrenan"},
    "data.field.roles": {"en": "messages by role", "es": "mensajes por rol"},
    "data.field.with_system_message": {"en": "examples with a system message", "es": "ejemplos con mensaje de sistema"},
    "data.field.duplicates": {"en": "duplicates", "es": "duplicados"},
    "data.field.token_method": {"en": "token count", "es": "conteo de tokens"},
    "data.field.labels": {"en": "examples per label", "es": "ejemplos por etiqueta"},
    "data.estimate.bad_epochs": {
        "en": "'{value}' is not valid: use auto or a whole number from 1 to 50.",
        "es": "'{value}' no es válido: usa auto o un número entero de 1 a 50.",
    },
    "data.estimate.no_examples": {
        "en": "{path} has no usable chat examples to estimate.",
        "es": "{path} no tiene ejemplos de chat utilizables para estimar.",
    },
    "data.estimate.no_examples.hint": {
        "en": "Run `afinar data validate {path}` to see what is wrong.",
        "es": "Ejecuta `afinar data validate {path}` para ver qué está mal.",
    },
    "data.estimate.no_pairs": {
        "en": "{path} has no usable preference pairs to estimate.",
        "es": "{path} no tiene pares de preferencias utilizables para estimar.",
    },
    "data.estimate.no_pairs.hint": {
        "en": "Run `afinar data validate {path}` to see what is wrong (prompt/chosen/rejected records: "
              "`afinar data convert {path} --to preference` first).",
        "es": "Ejecuta `afinar data validate {path}` para ver qué está mal (registros prompt/chosen/rejected: "
              "primero `afinar data convert {path} --to preference`).",
    },
    "data.estimate.pairs": {
        "en": "  {examples} preference pairs (DPO: each is two sequences, the input with each answer), "
              "{tokens} tokens per epoch ({method})",
        "es": "  {examples} pares de preferencias (DPO: cada uno son dos secuencias, la entrada con cada respuesta), "
              "{tokens} tokens por época ({method})",
    },
    "data.estimate.reference": {
        "en": "  + one forward pass over {tokens} tokens before the first step (the reference's log-probabilities)",
        "es": "  + una pasada hacia delante por {tokens} tokens antes del primer paso (las log-probabilidades de "
              "la referencia)",
    },
    "data.estimate.title": {"en": "Estimate for {file} on {model}", "es": "Estimación para {file} con {model}"},
    "data.estimate.method.exact": {"en": "counted with the tokenizer", "es": "contados con el tokenizador"},
    "data.estimate.method.approx": {"en": "approximate count", "es": "conteo aproximado"},
    "data.estimate.examples": {
        "en": "  {examples} examples, {tokens} tokens per epoch ({method})",
        "es": "  {examples} ejemplos, {tokens} tokens por época ({method})",
    },
    "data.estimate.epochs_given": {"en": "  {epochs} epochs (given)", "es": "  {epochs} épocas (indicadas)"},
    "data.estimate.trained": {"en": "  {trained} trained tokens", "es": "  {trained} tokens entrenados"},
    "data.estimate.local_assumed": {
        "en": "  Time here: about {time} (assumed {speed} tokens/s: measured for SmolLM2-135M with LoRA on 2 CPU cores, scaled by model size)",
        "es": "  Tiempo aquí: unos {time} (supuesto de {speed} tokens/s: medido con SmolLM2-135M y LoRA en 2 núcleos de CPU, escalado por tamaño del modelo)",
    },
    "data.estimate.local_measured": {
        "en": "  Time here: about {time} (measured {speed} tokens/s on this machine)",
        "es": "  Tiempo aquí: unos {time} ({speed} tokens/s medidos en esta máquina)",
    },
    "data.estimate.local_unknown": {
        "en": "  Time here: unknown, the size of {model} is not known (give a local model folder with a config.json)",
        "es": "  Tiempo aquí: desconocido, no se conoce el tamaño de {model} (indica una carpeta de modelo local con config.json)",
    },
    "data.estimate.openai_title": {
        "en": "  The same job on OpenAI (training only):",
        "es": "  El mismo trabajo en OpenAI (solo entrenamiento):",
    },
    "data.estimate.openai_note": {
        "en": "  Prices: USD per 1M training tokens as published by OpenAI in 2025; here it costs $0.",
        "es": "  Precios: USD por 1M de tokens de entrenamiento según OpenAI en 2025; aquí cuesta $0.",
    },
})
