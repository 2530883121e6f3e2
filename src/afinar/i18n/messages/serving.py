"""Messages of the inference core (afinar.serving): model resolution, limits."""

MESSAGES: dict[str, dict[str, str]] = {
    "serving.model.unavailable": {
        "en": "The model '{model}' is not on this machine. Available: {available}. Nothing is downloaded for an answer: pull a base first with `afinar models pull NAME` (or the studio's Models page).",
        "es": "El modelo '{model}' no está en esta máquina. Disponibles: {available}. Para responder no se descarga nada: descarga antes una base con `afinar models pull NOMBRE` (o en la página Modelos del estudio).",
    },
    "serving.model.unusable": {
        "en": "The model '{model}' cannot be used: {reason} Available: {available}.",
        "es": "No se puede usar el modelo '{model}': {reason} Disponibles: {available}.",
    },
    "serving.model.not_chat": {
        "en": "'{model}' is an embedding model ({kind}), not a chat model. Chat models here: {fits}.",
        "es": "'{model}' es un modelo de embeddings ({kind}), no un modelo de chat. Modelos de chat aquí: {fits}.",
    },
    "serving.model.not_embedding": {
        "en": "'{model}' is a {kind} model, not an embedding model. Embedding models here: {fits}.",
        "es": "'{model}' es un modelo de {kind}, no un modelo de embeddings. Modelos de embeddings aquí: {fits}.",
    },
    "serving.context_length_exceeded": {
        "en": "This model's maximum context length is {context} tokens. The messages take {prompt} tokens and {max_tokens} more were asked for the answer ({total} in all). Shorten the messages or lower max_tokens.",
        "es": "El contexto máximo de este modelo es de {context} tokens. Los mensajes ocupan {prompt} tokens y se pidieron {max_tokens} más para la respuesta ({total} en total). Acorta los mensajes o baja max_tokens.",
    },
    "serving.prompt_too_long": {
        "en": "This model's maximum context length is {context} tokens and the messages alone take {prompt}, leaving no room for an answer. Shorten the messages.",
        "es": "El contexto máximo de este modelo es de {context} tokens y solo los mensajes ocupan {prompt}: no queda sitio para la respuesta. Acorta los mensajes.",
    },
    "serving.queue_full": {
        "en": "The model '{model}' is at its limit of requests in progress or waiting ({waiting}). Try again in a few seconds.",
        "es": "El modelo '{model}' está en su límite de solicitudes en curso o en espera ({waiting}). Vuelve a intentarlo en unos segundos.",
    },
    "serving.none_yet": {
        "en": "none yet",
        "es": "ninguno todavía",
    },
    "serving.unsupported_schema": {
        "en": "The JSON schema in {where} cannot be used to constrain the reply: {detail}. Remove or rewrite that "
              "part of the schema (docs/serve.md lists what structured outputs support).",
        "es": "El esquema JSON de {where} no se puede usar para restringir la respuesta: {detail}. Quita o reescribe "
              "esa parte del esquema (docs/serve.md dice qué admiten las salidas estructuradas).",
    },
    "serving.bad_token_id": {
        "en": "logit_bias names token ids this model does not have ({ids}); its vocabulary has ids 0 to {size} - 1.",
        "es": "logit_bias nombra ids de token que este modelo no tiene ({ids}); su vocabulario va de 0 a {size} - 1.",
    },
    "serving.stopping": {
        "en": "The server is shutting down; the answer was cancelled.",
        "es": "El servidor se está cerrando; la respuesta se canceló.",
    },
}
