"""Messages about preference data (OpenAI's DPO format): validation findings, fix, stats, convert."""

# Braces doubled: every finding's text goes through str.format.
_SHAPE_EN = ('{{"input": {{"messages": [{{"role": "user", "content": "..."}}]}}, '
             '"preferred_output": [{{"role": "assistant", "content": "..."}}], '
             '"non_preferred_output": [{{"role": "assistant", "content": "..."}}]}}')
_CONVERT_EN = "afinar data convert FILE -o pairs.jsonl --to preference"
_CONVERT_ES = "afinar data convert ARCHIVO -o pares.jsonl --to preference"

MESSAGES: dict[str, dict[str, str]] = {
    # ---- findings
    "finding.not_preference_pair": {
        "en": "This line is not a preference pair: it has no \"input\", \"preferred_output\" or \"non_preferred_output\" (its keys: {keys}).",
        "es": "Esta línea no es un par de preferencias: no tiene \"input\", \"preferred_output\" ni \"non_preferred_output\" (sus claves: {keys}).",
    },
    "finding.not_preference_pair.hint": {
        "en": "Write each line as " + _SHAPE_EN + ". Records with prompt/chosen/rejected convert with `" + _CONVERT_EN + "`.",
        "es": "Escribe cada línea así: " + _SHAPE_EN + ". Los registros con prompt/chosen/rejected se convierten con `" + _CONVERT_ES + "`.",
    },
    "finding.preference_chat_example": {
        "en": "This line is a chat example (\"messages\"), not a preference pair with a preferred and a non-preferred answer.",
        "es": "Esta línea es un ejemplo de chat (\"messages\"), no un par de preferencias con una respuesta preferida y otra no preferida.",
    },
    "finding.preference_chat_example.hint": {
        "en": "If the file is chat data, validate it with --task chat. For preference training, move the user turns to \"input\" and write two answers: " + _SHAPE_EN + ".",
        "es": "Si el archivo es de chat, valídalo con --task chat. Para entrenar con preferencias, pasa los turnos del usuario a \"input\" y escribe dos respuestas: " + _SHAPE_EN + ".",
    },
    "finding.preference_columns": {
        "en": "This looks like prompt/chosen/rejected data (keys or columns: {keys}); Afinar trains on OpenAI's preference format.",
        "es": "Esto parecen datos prompt/chosen/rejected (claves o columnas: {keys}); Afinar entrena con el formato de preferencias de OpenAI.",
    },
    "finding.preference_columns.hint": {
        "en": "Convert the file: `" + _CONVERT_EN + "` (Spanish column names such as pregunta/elegida/rechazada work too).",
        "es": "Convierte el archivo: `" + _CONVERT_ES + "` (también sirven columnas en español como pregunta/elegida/rechazada).",
    },
    "finding.preference_unrecognized_key": {
        "en": "Unknown top-level key \"{key}\"; it will be ignored.",
        "es": "Clave de primer nivel desconocida \"{key}\"; se ignorará.",
    },
    "finding.preference_unrecognized_key.hint": {
        "en": "Top-level keys are input, preferred_output and non_preferred_output (tools go inside \"input\"). Check the spelling.",
        "es": "Las claves de primer nivel son input, preferred_output y non_preferred_output (las herramientas van dentro de \"input\"). Revisa la ortografía.",
    },
    "finding.missing_input_messages": {
        "en": "The pair has no \"input\" with a \"messages\" list (or the list is empty).",
        "es": "El par no tiene un \"input\" con una lista \"messages\" (o la lista está vacía).",
    },
    "finding.missing_input_messages.hint": {
        "en": "Write the conversation the answers reply to as \"input\": {{\"messages\": [{{\"role\": \"user\", \"content\": \"...\"}}]}} (a system message may come first).",
        "es": "Escribe la conversación a la que responden las respuestas como \"input\": {{\"messages\": [{{\"role\": \"user\", \"content\": \"...\"}}]}} (puede ir antes un mensaje de sistema).",
    },
    "finding.input_last_not_user": {
        "en": "The last input message is from \"{role}\"; the preferred and non-preferred answers must reply to a user message.",
        "es": "El último mensaje de \"input\" es de \"{role}\"; las respuestas preferida y no preferida deben contestar a un mensaje del usuario.",
    },
    "finding.input_last_not_user.hint": {
        "en": "End input.messages with the user's turn; the answer goes in preferred_output, not in the input.",
        "es": "Termina input.messages con el turno del usuario; la respuesta va en preferred_output, no en el input.",
    },
    "finding.missing_output": {
        "en": "\"{key}\" is missing or is not a non-empty list.",
        "es": "Falta \"{key}\" o no es una lista con contenido.",
    },
    "finding.missing_output.hint": {
        "en": "Write \"{key}\": [{{\"role\": \"assistant\", \"content\": \"...\"}}]: a list with the one answer.",
        "es": "Escribe \"{key}\": [{{\"role\": \"assistant\", \"content\": \"...\"}}]: una lista con la única respuesta.",
    },
    "finding.output_not_one_message": {
        "en": "\"{key}\" has {count} messages; it must hold exactly one assistant message.",
        "es": "\"{key}\" tiene {count} mensajes; debe tener exactamente un mensaje del asistente.",
    },
    "finding.output_not_one_message.hint": {
        "en": "Keep only the answer in \"{key}\"; earlier turns of the conversation go in input.messages.",
        "es": "Deja solo la respuesta en \"{key}\"; los turnos anteriores de la conversación van en input.messages.",
    },
    "finding.output_not_assistant": {
        "en": "The message in \"{key}\" has the role \"{role}\"; it must be \"assistant\".",
        "es": "El mensaje de \"{key}\" tiene el rol \"{role}\"; debe ser \"assistant\".",
    },
    "finding.output_not_assistant.hint": {
        "en": "Answers are assistant messages: {{\"role\": \"assistant\", \"content\": \"...\"}}.",
        "es": "Las respuestas son mensajes del asistente: {{\"role\": \"assistant\", \"content\": \"...\"}}.",
    },
    "finding.empty_output": {
        "en": "The answer in \"{field}\" is empty.",
        "es": "La respuesta de \"{field}\" está vacía.",
    },
    "finding.empty_output.hint": {
        "en": "Write the answer, or delete the pair: an empty answer teaches nothing about which answer is better.",
        "es": "Escribe la respuesta o borra el par: una respuesta vacía no enseña cuál respuesta es mejor.",
    },
    "finding.identical_outputs": {
        "en": "The preferred and the non-preferred answers are identical.",
        "es": "Las respuestas preferida y no preferida son idénticas.",
    },
    "finding.identical_outputs.hint": {
        "en": "Write a worse answer in non_preferred_output (too long, inventing facts, in the wrong language...) or delete the pair. `afinar data fix` drops such pairs.",
        "es": "Escribe una respuesta peor en non_preferred_output (demasiado larga, con datos inventados, en otro idioma...) o borra el par. `afinar data fix` quita esos pares.",
    },
    # ---- fix
    "data.fix.change.duplicate_pair": {
        "en": "removed the pair: it repeats line {first_line}",
        "es": "se quitó el par: repite la línea {first_line}",
    },
    "data.fix.change.identical_outputs": {
        "en": "removed the pair: its preferred and non-preferred answers are identical",
        "es": "se quitó el par: sus respuestas preferida y no preferida son idénticas",
    },
    # ---- stats
    "data.field.usable_examples": {"en": "usable examples", "es": "ejemplos utilizables"},
    "data.field.identical_outputs": {"en": "pairs with identical answers", "es": "pares con respuestas idénticas"},
    "data.field.prompt_tokens": {"en": "prompt tokens", "es": "tokens del prompt"},
    "data.field.preferred_tokens": {"en": "preferred answer tokens", "es": "tokens de la respuesta preferida"},
    "data.field.non_preferred_tokens": {"en": "non-preferred answer tokens", "es": "tokens de la respuesta no preferida"},
    "data.field.pair_tokens": {"en": "tokens (prompt + longer answer)", "es": "tokens (prompt + respuesta más larga)"},
    # ---- convert
    "convert.role.chosen": {"en": "preferred answer (chosen)", "es": "respuesta preferida (chosen)"},
    "convert.role.rejected": {"en": "non-preferred answer (rejected)", "es": "respuesta no preferida (rejected)"},
    "convert.skipped.preference": {
        "en": "Skipped {count} rows with an empty prompt or answer, or two identical answers: {lines}",
        "es": "Se omitieron {count} filas con el prompt o una respuesta vacíos, o con dos respuestas idénticas: {lines}",
    },
}
