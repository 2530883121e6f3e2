"""Messages of the OpenAI-compatible server (`afinar serve`), the job queue and `afinar jobs` / `afinar keys`."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- API errors -------------------------------------------------------------------------
    "server.bad_request": {
        "en": "Invalid request: field '{param}': {detail}. Check the request body against the API reference.",
        "es": "Solicitud no válida: campo '{param}': {detail}. Revisa el cuerpo de la solicitud con la referencia de la API.",
    },
    "server.missing_field": {
        "en": "The field '{field}' is required.",
        "es": "El campo '{field}' es obligatorio.",
    },
    "server.no_route": {
        "en": "There is no endpoint at {path}. The API lives under /v1 (for example /v1/fine_tuning/jobs).",
        "es": "No hay ningún endpoint en {path}. La API está bajo /v1 (por ejemplo /v1/fine_tuning/jobs).",
    },
    "server.bad_method": {
        "en": "{path} does not accept this HTTP method.",
        "es": "{path} no acepta este método HTTP.",
    },
    "server.internal": {
        "en": "The server failed while handling this request ({error}). The server log has the details.",
        "es": "El servidor falló al atender esta solicitud ({error}). El registro del servidor tiene los detalles.",
    },
    "server.auth.bad_key": {
        "en": "Incorrect or missing API key. Send 'Authorization: Bearer KEY' with the key from AFINAR_API_KEY or `afinar keys create`.",
        "es": "Clave de API incorrecta o ausente. Envía 'Authorization: Bearer CLAVE' con la clave de AFINAR_API_KEY o de `afinar keys create`.",
    },
    # --- files --------------------------------------------------------------------------------
    "server.file.not_found": {
        "en": "No file with id '{file_id}'. List the uploaded files with GET /v1/files.",
        "es": "No hay ningún archivo con id '{file_id}'. Lista los archivos subidos con GET /v1/files.",
    },
    "server.file.bad_purpose": {
        "en": "Unknown purpose '{purpose}'. Use one of: {choices} (training data: fine-tune).",
        "es": "Propósito desconocido '{purpose}'. Usa uno de: {choices} (datos de entrenamiento: fine-tune).",
    },
    "server.file.too_large": {
        "en": "The file is larger than the upload limit of {limit} MB. Split it, or start the server with a larger --max-upload-mb.",
        "es": "El archivo supera el límite de subida de {limit} MB. Divídelo, o inicia el servidor con un --max-upload-mb mayor.",
    },
    "server.file.invalid": {
        "en": "{file} is not valid fine-tuning data ({errors} errors).",
        "es": "{file} no son datos de ajuste fino válidos ({errors} errores).",
    },
    "server.file.finding": {
        "en": "Line {line}: {message} [{code}] Fix: {hint}",
        "es": "Línea {line}: {message} [{code}] Solución: {hint}",
    },
    "server.file.more_errors": {
        "en": "… and {count} more (GET /v1/files/ID/findings, or `afinar data validate FILE`).",
        "es": "… y {count} más (GET /v1/files/ID/findings, o `afinar data validate ARCHIVO`).",
    },
    # --- jobs ---------------------------------------------------------------------------------
    "server.job.not_found": {
        "en": "No fine-tuning job with id '{job_id}'. List jobs with GET /v1/fine_tuning/jobs or `afinar jobs list`.",
        "es": "No hay ningún trabajo de ajuste fino con id '{job_id}'. Lista los trabajos con GET /v1/fine_tuning/jobs o `afinar jobs list`.",
    },
    "server.job.need_model": {
        "en": "The field 'model' is required: the base to fine-tune (e.g. smollm2-135m-instruct).",
        "es": "El campo 'model' es obligatorio: la base que se ajusta (p. ej. smollm2-135m-instruct).",
    },
    "server.job.unknown_model": {
        "en": "Unknown base model '{model}'. Use a catalog name ({choices}), a local model folder or a Hugging Face id.",
        "es": "Modelo base desconocido '{model}'. Usa un nombre del catálogo ({choices}), una carpeta local con un modelo o un id de Hugging Face.",
    },
    "server.job.wrong_purpose": {
        "en": "File {file_id} was uploaded with purpose '{purpose}'; training data needs purpose 'fine-tune'. Upload it again with purpose='fine-tune'.",
        "es": "El archivo {file_id} se subió con el propósito '{purpose}'; los datos de entrenamiento necesitan 'fine-tune'. Súbelo de nuevo con purpose='fine-tune'.",
    },
    "server.job.bad_suffix": {
        "en": "The suffix takes 1-64 letters, digits, '-' or '_' (it becomes part of the model id).",
        "es": "El sufijo admite de 1 a 64 letras, dígitos, '-' o '_' (forma parte del id del modelo).",
    },
    "server.job.bad_seed": {
        "en": "The seed must be an integer between 0 and 2147483647.",
        "es": "La semilla debe ser un entero entre 0 y 2147483647.",
    },
    "server.job.bad_metadata": {
        "en": "metadata takes at most 16 string keys with string values.",
        "es": "metadata admite como máximo 16 claves de texto con valores de texto.",
    },
    "server.job.unsupported_method": {
        "en": "The fine-tuning method '{method}' is not supported here; use 'supervised' or 'dpo' (preference data).",
        "es": "El método de ajuste '{method}' no está disponible aquí; usa 'supervised' o 'dpo' (datos de preferencias).",
    },
    "server.job.bad_hyperparameter": {
        "en": "The hyperparameter '{name}' {problem}.",
        "es": "El hiperparámetro '{name}' {problem}.",
    },
    "server.job.unknown_hyperparameter": {
        "en": "Unknown hyperparameter '{name}'. Supported: {choices}.",
        "es": "Hiperparámetro desconocido '{name}'. Admitidos: {choices}.",
    },
    "server.job.cannot_cancel": {
        "en": "Job {job_id} is already {status}; only validating, queued, running or paused jobs can be cancelled.",
        "es": "El trabajo {job_id} ya está {status}; solo se pueden cancelar trabajos en validación, en cola, en ejecución o en pausa.",
    },
    "server.job.cannot_pause": {
        "en": "Job {job_id} is {status}; only a running job can be paused.",
        "es": "El trabajo {job_id} está {status}; solo se puede pausar un trabajo en ejecución.",
    },
    "server.job.cannot_resume": {
        "en": "Job {job_id} is {status}; only a paused job, or a failed one with a checkpoint, can be resumed.",
        "es": "El trabajo {job_id} está {status}; solo se puede reanudar un trabajo en pausa, o uno fallido con un punto de control.",
    },
    "server.job.no_such_file": {
        "en": "{field}: there is no file with id '{file_id}'. Upload the data first (POST /v1/files, purpose fine-tune) and use the id it returns.",
        "es": "{field}: no hay ningún archivo con id '{file_id}'. Sube primero los datos (POST /v1/files, purpose fine-tune) y usa el id que devuelve.",
    },
    "server.job.file_gone": {
        "en": "The file {file_id} no longer exists (it was deleted). Upload the data again and create a new job.",
        "es": "El archivo {file_id} ya no existe (se borró). Sube los datos de nuevo y crea un trabajo nuevo.",
    },
    "server.job.died": {
        "en": "The training process stopped unexpectedly ({how}) and could not be restarted after {attempts} attempts. See {log}; free memory or lower the batch size, then create the job again.",
        "es": "El proceso de entrenamiento se detuvo inesperadamente ({how}) y no se pudo reiniciar tras {attempts} intentos. Mira {log}; libera memoria o baja el tamaño de lote y crea el trabajo de nuevo.",
    },
    # --- models, chat, embeddings ------------------------------------------------------------
    "server.model.not_found": {
        "en": "The model '{model}' does not exist. GET /v1/models lists the available models.",
        "es": "El modelo '{model}' no existe. GET /v1/models lista los modelos disponibles.",
    },
    "server.model.unavailable": {
        "en": "The model '{model}' cannot be used: {reason}",
        "es": "No se puede usar el modelo '{model}': {reason}",
    },
    "server.model.only_fine_tuned": {
        "en": "'{model}' is a base model; only fine-tuned models (ft:...) can be deleted through the API. Use `afinar models rm` for bases.",
        "es": "'{model}' es un modelo base; por la API solo se borran modelos ajustados (ft:...). Usa `afinar models rm` para las bases.",
    },
    "server.chat.unknown_parameter": {
        "en": "'{name}' is not a chat completions parameter this server knows; it was not ignored but refused. "
              "The parameters it honours are listed in docs/serve.md.",
        "es": "'{name}' no es un parámetro de chat completions que este servidor conozca; no se ignora, se rechaza. "
              "Los parámetros que admite están en docs/serve.md.",
    },
    "server.chat.unsupported_parameter": {
        "en": "'{name}' is not supported by this server yet (accepted values, which ask for nothing: {allowed}). "
              "Remove it from the request; docs/serve.md lists every parameter and what it does here.",
        "es": "Este servidor todavía no admite '{name}' (valores aceptados, que no piden nada: {allowed}). "
              "Quítalo de la solicitud; docs/serve.md lista cada parámetro y lo que hace aquí.",
    },
    "server.chat.bad_logit_bias": {
        "en": "logit_bias maps token ids (digits) to a bias from -100 to 100; got {token!r}: {bias}.",
        "es": "logit_bias asigna a ids de token (dígitos) un sesgo de -100 a 100; se recibió {token!r}: {bias}.",
    },
    "server.chat.stream_options_without_stream": {
        "en": "stream_options is only allowed when stream is true.",
        "es": "stream_options solo se admite cuando stream es true.",
    },
    "server.chat.unsupported_part": {
        "en": "Content parts of type '{kind}' are not supported: the models served here read text only. "
              "Send the content as text parts (type 'text').",
        "es": "Las partes de contenido de tipo '{kind}' no se admiten: los modelos de este servidor solo leen texto. "
              "Envía el contenido como partes de texto (type 'text').",
    },
    "server.chat.unsupported_message_field": {
        "en": "Messages with '{name}' are not supported (the legacy function-calling fields: send tool_calls and "
              "role 'tool' messages instead).",
        "es": "No se admiten mensajes con '{name}' (los campos antiguos de llamadas a funciones: envía tool_calls y "
              "mensajes de rol 'tool' en su lugar).",
    },
    "server.chat.top_logprobs_without_logprobs": {
        "en": "top_logprobs ({top}) needs logprobs: true.",
        "es": "top_logprobs ({top}) necesita logprobs: true.",
    },
    "server.chat.bad_response_format": {
        "en": "response_format must be {{\"type\": \"text\"}}, {{\"type\": \"json_object\"}} or "
              "{{\"type\": \"json_schema\", \"json_schema\": {{\"name\": ..., \"schema\": {{...}}}}}}; {detail}.",
        "es": "response_format debe ser {{\"type\": \"text\"}}, {{\"type\": \"json_object\"}} o "
              "{{\"type\": \"json_schema\", \"json_schema\": {{\"name\": ..., \"schema\": {{...}}}}}}; {detail}.",
    },
    "server.chat.bad_tool": {
        "en": "Each tool must be {{\"type\": \"function\", \"function\": {{\"name\": ..., \"parameters\": {{...}}}}}} "
              "with a name of letters, digits, _ or - (at most 64) used once; {detail}.",
        "es": "Cada herramienta debe ser {{\"type\": \"function\", \"function\": {{\"name\": ..., \"parameters\": {{...}}}}}} "
              "con un nombre de letras, dígitos, _ o - (64 como máximo) usado una sola vez; {detail}.",
    },
    "server.chat.bad_tool_choice": {
        "en": "tool_choice must be \"none\", \"auto\", \"required\" or {{\"type\": \"function\", \"function\": "
              "{{\"name\": ...}}}} naming one of the request's tools; {detail}.",
        "es": "tool_choice debe ser \"none\", \"auto\", \"required\" o {{\"type\": \"function\", \"function\": "
              "{{\"name\": ...}}}} con el nombre de una de las herramientas de la solicitud; {detail}.",
    },
    "server.chat.bad_tool_call": {
        "en": "An assistant message's tool_calls must each be {{\"id\": ..., \"type\": \"function\", \"function\": "
              "{{\"name\": ..., \"arguments\": \"<JSON text>\"}}}}; {detail}.",
        "es": "Cada elemento de tool_calls de un mensaje del asistente debe ser {{\"id\": ..., \"type\": \"function\", "
              "\"function\": {{\"name\": ..., \"arguments\": \"<texto JSON>\"}}}}; {detail}.",
    },
    "server.rag.no_output_controls": {
        "en": "'{name}' is not available for rag: models (their answers are grounded text with citations); ask the "
              "chat model directly for structured outputs, tools or logprobs.",
        "es": "'{name}' no está disponible para los modelos rag: (sus respuestas son texto fundamentado con citas); "
              "pide salidas estructuradas, herramientas o logprobs directamente al modelo de chat.",
    },
    "server.chat.too_many_stops": {
        "en": "At most 4 stop sequences are allowed.",
        "es": "Se admiten como máximo 4 secuencias de parada.",
    },
    "server.embeddings.unavailable": {
        "en": "Embeddings are not available in this installation ({reason}). Install the 'rag' extra: pip install 'afinar[rag]'.",
        "es": "Los embeddings no están disponibles en esta instalación ({reason}). Instala el extra 'rag': pip install 'afinar[rag]'.",
    },
    "server.embeddings.text_only": {
        "en": "'input' must be a text or a list of texts (token arrays are not supported).",
        "es": "'input' debe ser un texto o una lista de textos (no se admiten listas de tokens).",
    },
    "server.embeddings.empty_input": {
        "en": "'input' contains an empty text; every input must have at least one character.",
        "es": "'input' contiene un texto vacío; cada entrada debe tener al menos un carácter.",
    },
    "server.embeddings.bad_dimensions": {
        "en": "'dimensions' must be at most the model's {dim} dimensions.",
        "es": "'dimensions' no puede superar las {dim} dimensiones del modelo.",
    },
    "server.rag.unknown": {
        "en": "Knowledge base '{name}' cannot be searched: {reason}",
        "es": "No se puede buscar en la base de conocimiento '{name}': {reason}",
    },
    "server.rag.need_question": {
        "en": "A rag: model needs a user message with the question.",
        "es": "Un modelo rag: necesita un mensaje de usuario con la pregunta.",
    },
    "server.rag.mode_needs_rag": {
        "en": "rag_mode applies only to rag: models (rag:NAME or rag:NAME:MODEL); this request's model is not one.",
        "es": "rag_mode solo se aplica a los modelos rag: (rag:NOMBRE o rag:NOMBRE:MODELO); el modelo de esta solicitud no lo es.",
    },
    "server.rag.sources": {
        "en": "Sources:",
        "es": "Fuentes:",
    },
    "server.rag.chunk": {
        "en": "fragment {chunk}",
        "es": "fragmento {chunk}",
    },
    # --- serve / jobs / keys commands ----------------------------------------------------------
    "server.serve.need_key": {
        "en": "Listening on {host} exposes the API beyond this machine, so an API key is required.",
        "es": "Escuchar en {host} expone la API fuera de esta máquina, así que hace falta una clave de API.",
    },
    "server.serve.need_key.hint": {
        "en": "Create one with `afinar keys create` (or set AFINAR_API_KEY), or keep the default --host 127.0.0.1.",
        "es": "Crea una con `afinar keys create` (o define AFINAR_API_KEY), o deja el --host 127.0.0.1 por defecto.",
    },
    "server.serve.ready": {
        "en": "Afinar is serving at {url} — API: {url}/v1 · studio: {url}/ · press Ctrl-C to stop.",
        "es": "Afinar está sirviendo en {url} — API: {url}/v1 · estudio: {url}/ · pulsa Ctrl-C para parar.",
    },
    "server.serve.missing_extra": {
        "en": "The server needs the 'serve' extra ({error}).",
        "es": "El servidor necesita el extra 'serve' ({error}).",
    },
    "server.serve.missing_extra.hint": {
        "en": "Install it: pip install 'afinar[serve]' (make setup installs everything).",
        "es": "Instálalo: pip install 'afinar[serve]' (make setup lo instala todo).",
    },
    "server.keys.created": {
        "en": "New API key (shown only now; store it safely): {key}",
        "es": "Nueva clave de API (solo se muestra ahora; guárdala en un lugar seguro): {key}",
    },
    "server.keys.count": {
        "en": "{count} API key(s) stored (only their SHA-256 hashes are kept in {path}).",
        "es": "{count} clave(s) de API guardadas (solo se conservan sus hashes SHA-256 en {path}).",
    },
    "server.jobs.none": {
        "en": "No jobs yet. Start the server (`afinar serve`) and create one through the API or the studio.",
        "es": "Todavía no hay trabajos. Inicia el servidor (`afinar serve`) y crea uno por la API o el estudio.",
    },
    "server.jobs.cancelled": {
        "en": "Job {job_id} cancelled.",
        "es": "Trabajo {job_id} cancelado.",
    },
    "server.jobs.paused": {
        "en": "Pause of job {job_id} requested: it stops at its next safe point and keeps its progress. `afinar jobs resume {job_id}` continues it.",
        "es": "Pausa del trabajo {job_id} solicitada: se detiene en su siguiente punto seguro y conserva lo avanzado. `afinar jobs resume {job_id}` lo continúa.",
    },
    "server.jobs.resumed": {
        "en": "Job {job_id} queued to continue where it stopped (the server's queue starts it; `afinar serve` must be running).",
        "es": "Trabajo {job_id} en cola para continuar donde se detuvo (lo inicia la cola del servidor; `afinar serve` debe estar en marcha).",
    },
    "server.job.task_cannot_pause": {
        "en": "Job {job_id} is a {task} job, and that task cannot pause. Let it finish, or cancel it (a cancelled RAG indexing continues where it stopped when you run it again).",
        "es": "El trabajo {job_id} es de la tarea {task}, que no se puede pausar. Déjalo terminar o cancélalo (una indexación RAG cancelada continúa donde se quedó cuando la vuelves a lanzar).",
    },
    "server.job.unknown_task": {
        "en": "task={task} is not an Afinar task; choose one of: {tasks}.",
        "es": "task={task} no es una tarea de Afinar; elige una de: {tasks}.",
    },
    "jobs.pause.unsupported": {
        "en": "Job {job_id} is a {task} job, and that task cannot pause. Let it finish, or cancel it.",
        "es": "El trabajo {job_id} es de la tarea {task}, que no se puede pausar. Déjalo terminar o cancélalo.",
    },
    "jobs.task.unknown": {
        "en": "This job's task '{task}' is not one this version of Afinar trains ({tasks}). Update Afinar, or cancel the job.",
        "es": "La tarea de este trabajo, '{task}', no es una que entrene esta versión de Afinar ({tasks}). Actualiza Afinar o cancela el trabajo.",
    },
    "jobs.foreground.died": {
        "en": "The training process stopped unexpectedly ({how}). See {log}; free memory or lower the batch size, then resume it (`afinar train chat --resume RUN`, or `afinar jobs resume` with the server running).",
        "es": "El proceso de entrenamiento se detuvo inesperadamente ({how}). Mira {log}; libera memoria o baja el tamaño de lote y reanúdalo (`afinar train chat --resume RUN`, o `afinar jobs resume` con el servidor en marcha).",
    },
    "jobs.foreground.busy": {
        "en": "The run {path} is already being trained (job {job_id} is {status}). Wait for it, or pause or cancel it with `afinar jobs pause|cancel {job_id}`.",
        "es": "La ejecución {path} ya se está entrenando (el trabajo {job_id} está {status}). Espera a que termine, o páusalo o cancélalo con `afinar jobs pause|cancel {job_id}`.",
    },
    "jobs.run.missing": {
        "en": "The run folder of job {job_id} is gone ({path}); nothing is left to train. Start the training again.",
        "es": "La carpeta de ejecución del trabajo {job_id} ya no existe ({path}); no queda nada que entrenar. Vuelve a iniciar el entrenamiento.",
    },
    "server.job.export_bad_format": {
        "en": "format={format} is not an export Afinar makes; choose one of: {choices}.",
        "es": "format={format} no es una exportación que haga Afinar; elige una de: {choices}.",
    },
    "server.job.export_not_done": {
        "en": "Job {job_id} is {status}: only a job that has succeeded can be exported.",
        "es": "El trabajo {job_id} está en estado {status}: solo se puede exportar un trabajo terminado con éxito.",
    },
    "server.job.export_not_done.hint": {
        "en": "Wait for it to finish (GET /v1/fine_tuning/jobs/{job_id}), or export one of its checkpoints with "
              "`afinar export gguf ft:…:ckpt-step-N`.",
        "es": "Espera a que termine (GET /v1/fine_tuning/jobs/{job_id}), o exporta uno de sus checkpoints con "
              "`afinar export gguf ft:…:ckpt-step-N`.",
    },
}
