"""Messages of chat fine-tuning (`afinar train chat`, `afinar chat`, `afinar compare`)."""

MESSAGES: dict[str, dict[str, str]] = {
    "chat.train.invalid_data": {
        "en": "{file} has {errors} errors (listed above); nothing was trained.",
        "es": "{file} tiene {errors} errores (arriba); no se entrenó nada.",
    },
    "chat.train.invalid_data.hint": {
        "en": "Run `afinar data fix FILE -o fixed.jsonl` for format problems, correct the rest, then train again.",
        "es": "Ejecuta `afinar data fix ARCHIVO -o corregido.jsonl` para los problemas de formato, corrige el resto y vuelve a entrenar.",
    },
    "chat.train.qlora_no_gpu": {
        "en": "QLoRA cannot run on this machine: it needs an NVIDIA GPU and none is visible.",
        "es": "QLoRA no puede ejecutarse en esta máquina: necesita una GPU NVIDIA y no se ve ninguna.",
    },
    "chat.train.qlora_no_gpu.hint": {
        "en": "Use --method lora: it runs on any machine, with more memory than QLoRA.",
        "es": "Usa --method lora: funciona en cualquier máquina, con más memoria que QLoRA.",
    },
    "chat.train.qlora_no_bitsandbytes": {
        "en": "QLoRA needs the bitsandbytes package, which is not installed.",
        "es": "QLoRA necesita el paquete bitsandbytes, que no está instalado.",
    },
    "chat.train.qlora_no_bitsandbytes.hint": {
        "en": "Install it in Afinar's environment (pip install 'afinar[gpu]', or pip install bitsandbytes), "
              "or use --method lora.",
        "es": "Instálalo en el entorno de Afinar (pip install 'afinar[gpu]', o pip install bitsandbytes), "
              "o usa --method lora.",
    },
    "chat.train.output_exists": {
        "en": "The run folder {path} already exists and is not empty.",
        "es": "La carpeta de ejecución {path} ya existe y no está vacía.",
    },
    "chat.train.output_exists.hint": {
        "en": "Choose another --output, or continue that run with --resume {path}.",
        "es": "Elige otro --output, o continúa esa ejecución con --resume {path}.",
    },
    "chat.train.need_data": {
        "en": "Give the training data (a chat JSONL file), or --resume RUN_DIR to continue a run.",
        "es": "Indica los datos de entrenamiento (un archivo JSONL de chat), o --resume CARPETA para continuar una ejecución.",
    },
    "chat.train.not_a_run": {
        "en": "{path} is not a chat training run (no config.yaml and meta.json).",
        "es": "{path} no es una ejecución de entrenamiento de chat (no tiene config.yaml ni meta.json).",
    },
    "chat.train.not_a_run.hint": {
        "en": "Give the folder `afinar train chat` printed when the run started.",
        "es": "Indica la carpeta que `afinar train chat` mostró al empezar la ejecución.",
    },
    "chat.train.failed": {
        "en": "Training failed: {error}",
        "es": "El entrenamiento falló: {error}",
    },
    "chat.train.failed.hint": {
        "en": "Details are in {log}. After fixing the cause, continue with: afinar train chat --resume {run}",
        "es": "Los detalles están en {log}. Después de corregir la causa, continúa con: afinar train chat --resume {run}",
    },
    "chat.train.plan": {
        "en": "{train} training and {valid} validation examples · {method} · {epochs} epochs · batch {batch} · learning rate {lr:g}",
        "es": "{train} ejemplos de entrenamiento y {valid} de validación · {method} · {epochs} épocas · lote {batch} · tasa de aprendizaje {lr:g}",
    },
    "chat.train.run_dir": {"en": "Run folder: {path}", "es": "Carpeta de la ejecución: {path}"},
    "chat.train.done": {
        "en": "Done. Model id: {model_id}",
        "es": "Listo. Id del modelo: {model_id}",
    },
    "chat.train.try": {
        "en": "Try it: afinar chat -m {model_id} -p \"...\"",
        "es": "Pruébalo: afinar chat -m {model_id} -p \"...\"",
    },
    "chat.train.merged": {"en": "Merged model saved in {path}", "es": "Modelo fusionado guardado en {path}"},
    "chat.model.unknown_ft": {
        "en": "No fine-tuned model {model} exists on this machine.",
        "es": "No existe en esta máquina ningún modelo ajustado {model}.",
    },
    "chat.model.unknown_ft.hint": {
        "en": "Check the id that `afinar train chat` printed (ids start with ft: and contain colons), or give the run folder.",
        "es": "Revisa el id que mostró `afinar train chat` (empiezan con ft: y llevan dos puntos), o indica la carpeta de la ejecución.",
    },
    "chat.model.deleted": {
        "en": "The model {model} was deleted (its weights are gone). List the models there are with GET /v1/models or `afinar models list`.",
        "es": "El modelo {model} se eliminó (sus pesos ya no existen). Lista los modelos que hay con GET /v1/models o `afinar models list`.",
    },
    "chat.model.not_finished": {
        "en": "The run of {model} has not finished (status: {status}).",
        "es": "La ejecución de {model} no ha terminado (estado: {status}).",
    },
    "chat.model.not_finished.hint": {
        "en": "Wait for it, resume it with `afinar train chat --resume RUN_DIR`, or use one of its checkpoints (MODEL:ckpt-step-N).",
        "es": "Espera a que termine, reanúdala con `afinar train chat --resume CARPETA`, o usa uno de sus puntos de control (MODELO:ckpt-step-N).",
    },
    "chat.model.no_checkpoint": {
        "en": "{model}: there is no complete checkpoint at step {step}.",
        "es": "{model}: no hay un punto de control completo en el paso {step}.",
    },
    "chat.model.no_checkpoint.hint": {
        "en": "Checkpoints are saved at the end of each epoch and the last 3 are kept; see the run's checkpoints/ folder.",
        "es": "Los puntos de control se guardan al final de cada época y se conservan los 3 últimos; mira la carpeta checkpoints/ de la ejecución.",
    },
    "chat.repl.intro": {
        "en": "Chatting with {model}. Empty line or Ctrl-D to leave, /reset to start over.",
        "es": "Conversando con {model}. Línea vacía o Ctrl-D para salir, /reset para empezar de nuevo.",
    },
    "chat.repl.you": {"en": "you", "es": "tú"},
    "compare.no_prompts": {
        "en": "{path} has no prompts.",
        "es": "{path} no tiene preguntas.",
    },
    "compare.no_prompts.hint": {
        "en": "Write one prompt per line, or JSONL lines like {{\"prompt\": \"...\", \"expected\": [\"fact\", \"regex|alternative\"]}}.",
        "es": "Escribe una pregunta por línea, o líneas JSONL como {{\"prompt\": \"...\", \"expected\": [\"dato\", \"regex|alternativa\"]}}.",
    },
    "compare.bad_line": {
        "en": "{path}, line {line}: {detail}",
        "es": "{path}, línea {line}: {detail}",
    },
    "compare.bad_line.hint": {
        "en": "Each JSONL line needs \"prompt\" (text) and may have \"expected\" (a list of keywords or regular expressions).",
        "es": "Cada línea JSONL necesita \"prompt\" (texto) y puede tener \"expected\" (una lista de palabras clave o expresiones regulares).",
    },
    "compare.title": {"en": "Before / after: {base} vs {tuned}", "es": "Antes / después: {base} frente a {tuned}"},
    "compare.prompt": {"en": "Prompt", "es": "Pregunta"},
    "compare.facts": {"en": "facts", "es": "datos"},
    "compare.total": {
        "en": "Expected facts found: base {base_hits}/{total}, fine-tuned {tuned_hits}/{total}",
        "es": "Datos esperados encontrados: base {base_hits}/{total}, ajustado {tuned_hits}/{total}",
    },
    "compare.report": {"en": "Report written to {path}", "es": "Informe guardado en {path}"},
}
