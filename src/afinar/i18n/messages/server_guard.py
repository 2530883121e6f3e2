"""Messages of the server's protections: Host and Origin checks, per-key ownership, model names
a request may use, the one-server-per-home lock, and request validation that reports every problem."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- Host / Origin --------------------------------------------------------------------------
    "server.guard.body_too_large": {
        "en": "The request body is {size} MB; this server accepts at most {limit} MB. Send less text, or "
              "upload large data as a file (POST /v1/files).",
        "es": "El cuerpo de la solicitud ocupa {size} MB; este servidor acepta como máximo {limit} MB. Envía "
              "menos texto o sube los datos grandes como archivo (POST /v1/files).",
    },
    "server.guard.bad_host": {
        "en": "This server does not answer to the host name '{host}'. Use its IP address or localhost, or start "
              "it with --allowed-host {host} if that name is yours (this protects against DNS rebinding).",
        "es": "Este servidor no responde al nombre de host '{host}'. Usa su dirección IP o localhost, o inícialo "
              "con --allowed-host {host} si ese nombre es tuyo (así se protege del DNS rebinding).",
    },
    "server.guard.bad_origin": {
        "en": "Requests that change something are not accepted from the web page at '{origin}': only the studio "
              "of this server may send them. To let that page use the API, start the server with "
              "--cors-origin ORIGIN.",
        "es": "No se aceptan solicitudes que cambian algo desde la página web '{origin}': solo el estudio de este "
              "servidor puede enviarlas. Para que esa página use la API, inicia el servidor con --cors-origin ORIGEN.",
    },
    # --- request validation --------------------------------------------------------------------
    "server.invalid_json": {
        "en": "The request body is not valid JSON (at character {position}: {detail}). Send a JSON object "
              "with 'Content-Type: application/json'.",
        "es": "El cuerpo de la solicitud no es JSON válido (en el carácter {position}: {detail}). Envía un "
              "objeto JSON con 'Content-Type: application/json'.",
    },
    "server.bad_requests": {
        "en": "Invalid request, {count} problems: {problems}. Check the request body against the API reference.",
        "es": "Solicitud no válida, {count} problemas: {problems}. Revisa el cuerpo de la solicitud con la "
              "referencia de la API.",
    },
    "server.several_problems": {
        "en": "The request has {count} problems:",
        "es": "La solicitud tiene {count} problemas:",
    },
    "server.job.not_an_object": {
        "en": "'{field}' must be a JSON object (for example {{\"n_epochs\": 3}}).",
        "es": "'{field}' debe ser un objeto JSON (por ejemplo {{\"n_epochs\": 3}}).",
    },
    "server.job.no_integrations": {
        "en": "Integrations (such as Weights & Biases) are not available: Afinar sends nothing off this machine. "
              "Every job's metrics are in its events, its checkpoints and its result file; leave 'integrations' out.",
        "es": "Las integraciones (como Weights & Biases) no están disponibles: Afinar no envía nada fuera de esta "
              "máquina. Las métricas de cada trabajo están en sus eventos, sus puntos de control y su archivo de "
              "resultados; quita 'integrations'.",
    },
    "server.job.no_checkpoint_to_resume": {
        "en": "Job {job_id} failed before it saved a checkpoint, so there is nothing to resume. Create a new job "
              "with the same files.",
        "es": "El trabajo {job_id} falló antes de guardar un punto de control, así que no hay nada que reanudar. "
              "Crea un trabajo nuevo con los mismos archivos.",
    },
    # --- model names ---------------------------------------------------------------------------
    "server.model.local_refused": {
        "en": "'{model}' looks like a folder path: this server does not load models from its disk by path. Use a "
              "catalog name (GET /v1/models), or ask the operator to import it (`afinar models`) or to start the "
              "server with --allow-local-models.",
        "es": "'{model}' parece la ruta de una carpeta: este servidor no carga modelos de su disco por ruta. Usa un "
              "nombre del catálogo (GET /v1/models), o pide al operador que lo importe (`afinar models`) o que "
              "inicie el servidor con --allow-local-models.",
    },
    "server.model.local_not_absolute": {
        "en": "The model folder '{model}' must be an absolute path (starting with /).",
        "es": "La carpeta del modelo '{model}' debe ser una ruta absoluta (que empiece por /).",
    },
    "server.model.local_bad": {
        "en": "'{model}' cannot be used as a model: {reason}",
        "es": "'{model}' no se puede usar como modelo: {reason}",
    },
    "server.job.bad_ft_base": {
        "en": "'{model}' cannot be the base of a new job: {reason}",
        "es": "'{model}' no puede ser la base de un trabajo nuevo: {reason}",
    },
    "server.rag.not_yours": {
        "en": "There is no knowledge base '{name}' for this API key. Knowledge bases are the operator's "
              "(made with `afinar rag` or the studio); an admin key can use them.",
        "es": "No hay ninguna base de conocimiento '{name}' para esta clave de API. Las bases de conocimiento son "
              "del operador (creadas con `afinar rag` o el estudio); una clave de administración puede usarlas.",
    },
    # --- afinar serve ------------------------------------------------------------------------------
    "server.serve.locked": {
        "en": "Another Afinar server ({other}) is already running on {home}. Two servers on one home would run "
              "the same jobs twice: use that one, stop it first, or give this one its own AFINAR_HOME.",
        "es": "Ya hay otro servidor de Afinar ({other}) funcionando sobre {home}. Dos servidores sobre el mismo "
              "directorio ejecutarían los mismos trabajos dos veces: usa ese, detenlo antes o da a este su propio "
              "AFINAR_HOME.",
    },
}
