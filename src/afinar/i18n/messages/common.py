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
    # one field's problem (afinar.tasks.config): the surface names the field before it
    "config.error.int": {"en": "must be a whole number", "es": "debe ser un número entero"},
    "config.error.number": {"en": "must be a number", "es": "debe ser un número"},
    "config.error.bool": {"en": "must be true or false", "es": "debe ser verdadero o falso"},
    "config.error.text": {"en": "must be text", "es": "debe ser un texto"},
    "config.error.choice": {"en": "must be one of {choices}", "es": "debe ser uno de estos: {choices}"},
    "config.error.missing": {"en": "is required", "es": "es obligatorio"},
    "config.error.unknown": {"en": "is not a setting of this task", "es": "no es un ajuste de esta tarea"},
    "config.error.ge": {"en": "must be at least {limit}", "es": "debe ser como mínimo {limit}"},
    "config.error.gt": {"en": "must be more than {limit}", "es": "debe ser mayor que {limit}"},
    "config.error.le": {"en": "must be at most {limit}", "es": "debe ser como máximo {limit}"},
    "config.error.lt": {"en": "must be less than {limit}", "es": "debe ser menor que {limit}"},
    "config.error.one_of": {"en": "must be {kinds}", "es": "debe ser {kinds}"},
    "config.error.other": {"en": "{detail}", "es": "{detail}"},
    "config.error.range": {"en": "must be auto or between {low} and {high}", "es": "debe ser auto o estar entre {low} y {high}"},
    "config.error.positive_range": {"en": "must be auto or a number above {low} and at most {high}",
                                    "es": "debe ser auto o un número mayor que {low} y como máximo {high}"},
    "config.error.suffix": {"en": "takes 1-64 letters, digits, '-' or '_'", "es": "admite de 1 a 64 letras, dígitos, '-' o '_'"},
    "config.error.fsdp_nproc": {"en": "sharding needs two or more processes: add --nproc 2 (or one per GPU)",
                                "es": "el particionado necesita dos o más procesos: añade --nproc 2 (o uno por GPU)"},
    "config.error.dpo_one_process": {"en": "preference fine-tuning runs in one process: drop --nproc",
                                      "es": "el ajuste por preferencias se ejecuta en un solo proceso: quita --nproc"},
    "config.error.fsdp_qlora": {"en": "QLoRA runs on one process per GPU without sharding: drop --fsdp or use --method lora",
                                "es": "QLoRA se ejecuta con un proceso por GPU sin particionar: quita --fsdp o usa --method lora"},
    "config.error.same_columns": {"en": "text_column and label_column are both {column!r}",
                                  "es": "text_column y label_column son ambas {column!r}"},
    "config.error.valid_is_train": {"en": "the validation file is the training file {path!r}",
                                    "es": "el archivo de validación es el de entrenamiento {path!r}"},
    "config.error.nothing_to_train": {"en": "stage 1 and stage 2 both have 0 epochs: nothing would be trained",
                                      "es": "las etapas 1 y 2 tienen ambas 0 épocas: no se entrenaría nada"},
    "config.kind.int": {"en": "a whole number", "es": "un número entero"},
    "config.kind.number": {"en": "a number", "es": "un número"},
    "config.kind.text": {"en": "text", "es": "un texto"},
    "config.kind.or": {"en": " or ", "es": " o "},
    "config.file.unreadable": {
        "en": "The config file {path} cannot be read as YAML: {error}",
        "es": "El archivo de configuración {path} no se puede leer como YAML: {error}",
    },
    "config.file.unreadable.hint": {
        "en": "Use a run's config.yaml, or a YAML file of `name: value` lines with the command's option names (with _ instead of -).",
        "es": "Usa el config.yaml de una ejecución, o un archivo YAML de líneas `nombre: valor` con los nombres de las opciones del comando (con _ en lugar de -).",
    },
    "config.file.not_a_mapping": {
        "en": "The config file {path} is not a list of `name: value` settings.",
        "es": "El archivo de configuración {path} no es una lista de ajustes `nombre: valor`.",
    },
})
