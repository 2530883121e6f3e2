"""Messages of validation findings at file, text and chat-schema level.

Each code has ``finding.<code>`` (what is wrong) and ``finding.<code>.hint`` (how to fix it).
Parameters available to every message: ``line`` and ``field``, plus the finding's own.
"""

MESSAGES: dict[str, dict[str, str]] = {
    # ---- file level
    "finding.file_not_found": {
        "en": "The file {path} does not exist.",
        "es": "El archivo {path} no existe.",
    },
    "finding.file_not_found.hint": {
        "en": "Check the path and the file name, including its extension.",
        "es": "Revisa la ruta y el nombre del archivo, incluida su extensión.",
    },
    "finding.not_a_file": {
        "en": "{path} is a folder, not a data file.",
        "es": "{path} es una carpeta, no un archivo de datos.",
    },
    "finding.not_a_file.hint": {
        "en": "Give the path of the .jsonl or .csv file inside it, or use --task image-classification for a folder of images.",
        "es": "Indica la ruta del archivo .jsonl o .csv que contiene, o usa --task image-classification para una carpeta de imágenes.",
    },
    "finding.empty_file": {
        "en": "The file is empty.",
        "es": "El archivo está vacío.",
    },
    "finding.empty_file.hint": {
        "en": "Add your training examples: one JSON object per line in a .jsonl file, or one row per example in a .csv file.",
        "es": "Agrega tus ejemplos de entrenamiento: un objeto JSON por línea en un archivo .jsonl, o una fila por ejemplo en un .csv.",
    },
    "finding.unsupported_format": {
        "en": "Afinar cannot read {suffix} files for this task.",
        "es": "Afinar no puede leer archivos {suffix} para esta tarea.",
    },
    "finding.unsupported_format.hint": {
        "en": "Convert it first: afinar data convert FILE -o data.jsonl --to chat (or --to text-classification).",
        "es": "Conviértelo primero: afinar data convert ARCHIVO -o datos.jsonl --to chat (o --to text-classification).",
    },
    # ---- text level
    "finding.not_utf8": {
        "en": "This line is not valid UTF-8 (first bad byte at offset {offset} of the file); it looks like {guess}.",
        "es": "Esta línea no es UTF-8 válido (primer byte incorrecto en la posición {offset} del archivo); parece estar en {guess}.",
    },
    "finding.not_utf8.hint": {
        "en": "Run `afinar data fix FILE -o fixed.jsonl` to convert the file to UTF-8, or save it as \"UTF-8\" in your editor.",
        "es": "Ejecuta `afinar data fix ARCHIVO -o corregido.jsonl` para convertir el archivo a UTF-8, o guárdalo como \"UTF-8\" en tu editor.",
    },
    "finding.bom": {
        "en": "The file starts with an invisible byte-order mark (BOM), which some tools reject.",
        "es": "El archivo empieza con una marca invisible de orden de bytes (BOM), que algunas herramientas rechazan.",
    },
    "finding.bom.hint": {
        "en": "Run `afinar data fix` to remove it, or save the file as \"UTF-8\" (not \"UTF-8 with BOM\").",
        "es": "Ejecuta `afinar data fix` para quitarla, o guarda el archivo como \"UTF-8\" (no \"UTF-8 con BOM\").",
    },
    "finding.mojibake": {
        "en": "Garbled characters: \"{before}\" should probably read \"{after}\" (UTF-8 text that was opened with the wrong encoding).",
        "es": "Caracteres dañados: \"{before}\" probablemente debería decir \"{after}\" (texto UTF-8 que se abrió con la codificación equivocada).",
    },
    "finding.mojibake.hint": {
        "en": "Run `afinar data fix FILE -o fixed.jsonl`: it repairs these characters without touching anything else.",
        "es": "Ejecuta `afinar data fix ARCHIVO -o corregido.jsonl`: repara estos caracteres sin tocar nada más.",
    },
    "finding.blank_line": {
        "en": "Blank line.",
        "es": "Línea en blanco.",
    },
    "finding.blank_line.hint": {
        "en": "Delete it: in JSONL every line must be one example. `afinar data fix` removes blank lines.",
        "es": "Bórrala: en JSONL cada línea debe ser un ejemplo. `afinar data fix` elimina las líneas en blanco.",
    },
    "finding.line_too_long": {
        "en": "This line is longer than {limit_mb} MB; it was skipped.",
        "es": "Esta línea ocupa más de {limit_mb} MB; se omitió.",
    },
    "finding.line_too_long.hint": {
        "en": "Check that the file really has one example per line (a missing line break joins many examples).",
        "es": "Comprueba que el archivo tenga de verdad un ejemplo por línea (un salto de línea que falta une muchos ejemplos).",
    },
    "finding.invalid_json": {
        "en": "Invalid JSON at column {column}: {detail}.",
        "es": "JSON inválido en la columna {column}: {detail}.",
    },
    "finding.invalid_json.hint": {
        "en": "Check quotes, commas and brackets near column {column}. Every line must be one complete JSON object: {{\"messages\": [...]}}.",
        "es": "Revisa comillas, comas y corchetes cerca de la columna {column}. Cada línea debe ser un objeto JSON completo: {{\"messages\": [...]}}.",
    },
    "finding.multiline_json": {
        "en": "One JSON object is spread over lines {line}–{end_line}; JSONL needs each example on a single line.",
        "es": "Un objeto JSON ocupa las líneas {line}–{end_line}; JSONL necesita cada ejemplo en una sola línea.",
    },
    "finding.multiline_json.hint": {
        "en": "Run `afinar data fix FILE -o fixed.jsonl` to put each object on one line.",
        "es": "Ejecuta `afinar data fix ARCHIVO -o corregido.jsonl` para poner cada objeto en una línea.",
    },
    "finding.trailing_comma": {
        "en": "The line ends with a comma, as when rows are copied out of a JSON array.",
        "es": "La línea termina en coma, como cuando se copian filas de un arreglo JSON.",
    },
    "finding.trailing_comma.hint": {
        "en": "Remove the comma at the end of the line (JSONL separates examples with line breaks only). `afinar data fix` does it for you.",
        "es": "Quita la coma del final de la línea (JSONL separa los ejemplos solo con saltos de línea). `afinar data fix` lo hace por ti.",
    },
    "finding.json_array": {
        "en": "This is JSON, not JSONL: the whole file is one array of {count} items.",
        "es": "Esto es JSON, no JSONL: todo el archivo es un arreglo de {count} elementos.",
    },
    "finding.json_array.hint": {
        "en": "Convert it with `afinar data fix FILE -o data.jsonl` (one object per line), or `afinar data convert FILE -o data.jsonl --to chat`.",
        "es": "Conviértelo con `afinar data fix ARCHIVO -o datos.jsonl` (un objeto por línea), o `afinar data convert ARCHIVO -o datos.jsonl --to chat`.",
    },
    # ---- chat schema
    "finding.data_type": {
        "en": "Each line must be a JSON object ({{...}}), but this one is of type {type}.",
        "es": "Cada línea debe ser un objeto JSON ({{...}}), pero esta es de tipo {type}.",
    },
    "finding.data_type.hint": {
        "en": "Wrap the conversation as {{\"messages\": [{{\"role\": \"user\", \"content\": \"...\"}}, {{\"role\": \"assistant\", \"content\": \"...\"}}]}}.",
        "es": "Envuelve la conversación así: {{\"messages\": [{{\"role\": \"user\", \"content\": \"...\"}}, {{\"role\": \"assistant\", \"content\": \"...\"}}]}}.",
    },
    "finding.missing_messages_list": {
        "en": "The example has no \"messages\" list (or it is empty).",
        "es": "El ejemplo no tiene una lista \"messages\" (o está vacía).",
    },
    "finding.missing_messages_list.hint": {
        "en": "Each line needs a key \"messages\" holding a list of messages with \"role\" and \"content\". To convert Q/A or Alpaca/ShareGPT records, use `afinar data convert`.",
        "es": "Cada línea necesita una clave \"messages\" con una lista de mensajes con \"role\" y \"content\". Para convertir registros pregunta/respuesta, Alpaca o ShareGPT usa `afinar data convert`.",
    },
    "finding.message_missing_key": {
        "en": "Message {index} has no \"{key}\".",
        "es": "Al mensaje {index} le falta \"{key}\".",
    },
    "finding.message_missing_key.hint": {
        "en": "Every message needs \"role\" (system, user, assistant or tool) and \"content\" (the text).",
        "es": "Cada mensaje necesita \"role\" (system, user, assistant o tool) y \"content\" (el texto).",
    },
    "finding.message_unrecognized_key": {
        "en": "Message {index} has an unknown key \"{key}\".",
        "es": "El mensaje {index} tiene una clave desconocida \"{key}\".",
    },
    "finding.message_unrecognized_key.hint": {
        "en": "Allowed keys: role, content, name, weight, tool_calls, tool_call_id, function_call, refusal. Check the spelling or remove the key.",
        "es": "Claves permitidas: role, content, name, weight, tool_calls, tool_call_id, function_call, refusal. Revisa la ortografía o quita la clave.",
    },
    "finding.unrecognized_role": {
        "en": "Message {index} has the role \"{role}\", which is not recognized.",
        "es": "El mensaje {index} tiene el rol \"{role}\", que no se reconoce.",
    },
    "finding.unrecognized_role.hint": {
        "en": "Use one of: system, user, assistant, tool (and the legacy function). Roles are lowercase English words.",
        "es": "Usa uno de: system, user, assistant, tool (y el antiguo function). Los roles son palabras en inglés y en minúsculas.",
    },
    "finding.missing_content": {
        "en": "Message {index} has no text content.",
        "es": "El mensaje {index} no tiene contenido de texto.",
    },
    "finding.missing_content.hint": {
        "en": "\"content\" must be a string (or, for an assistant message that calls a tool, \"tool_calls\" must be present).",
        "es": "\"content\" debe ser un texto (o, en un mensaje del asistente que llama a una herramienta, debe haber \"tool_calls\").",
    },
    "finding.example_missing_assistant_message": {
        "en": "The example has no assistant message, so there is nothing to learn from it.",
        "es": "El ejemplo no tiene ningún mensaje del asistente, así que no hay nada que aprender de él.",
    },
    "finding.example_missing_assistant_message.hint": {
        "en": "Add the answer the model should give: {{\"role\": \"assistant\", \"content\": \"...\"}}.",
        "es": "Agrega la respuesta que el modelo debería dar: {{\"role\": \"assistant\", \"content\": \"...\"}}.",
    },
    "finding.empty_content": {
        "en": "Message {index} is empty (only spaces).",
        "es": "El mensaje {index} está vacío (solo espacios).",
    },
    "finding.empty_content.hint": {
        "en": "Write the text of the message, or remove the message.",
        "es": "Escribe el texto del mensaje o quita el mensaje.",
    },
    "finding.invalid_weight": {
        "en": "Message {index} has weight {value}; only 0 or 1 on assistant messages is allowed.",
        "es": "El mensaje {index} tiene weight {value}; solo se permite 0 o 1 en mensajes del asistente.",
    },
    "finding.invalid_weight.hint": {
        "en": "Use \"weight\": 0 to skip learning from that assistant message, 1 (or no weight) to learn from it.",
        "es": "Usa \"weight\": 0 para no aprender de ese mensaje del asistente, y 1 (o nada) para aprender de él.",
    },
    "finding.invalid_tool_calls": {
        "en": "Message {index} has malformed tool calls: {detail}.",
        "es": "El mensaje {index} tiene llamadas a herramientas mal formadas: {detail}.",
    },
    "finding.invalid_tool_calls.hint": {
        "en": "Each tool call is {{\"id\": \"...\", \"type\": \"function\", \"function\": {{\"name\": \"...\", \"arguments\": \"{{...}}\"}}}} with arguments as a JSON string.",
        "es": "Cada llamada es {{\"id\": \"...\", \"type\": \"function\", \"function\": {{\"name\": \"...\", \"arguments\": \"{{...}}\"}}}} con los argumentos como texto JSON.",
    },
    "finding.invalid_tools": {
        "en": "The \"{key}\" list is malformed: {detail}.",
        "es": "La lista \"{key}\" está mal formada: {detail}.",
    },
    "finding.invalid_tools.hint": {
        "en": "Each tool is {{\"type\": \"function\", \"function\": {{\"name\": \"...\", \"parameters\": {{...}}}}}}.",
        "es": "Cada herramienta es {{\"type\": \"function\", \"function\": {{\"name\": \"...\", \"parameters\": {{...}}}}}}.",
    },
    "finding.example_unrecognized_key": {
        "en": "Unknown top-level key \"{key}\"; it will be ignored.",
        "es": "Clave de primer nivel desconocida \"{key}\"; se ignorará.",
    },
    "finding.example_unrecognized_key.hint": {
        "en": "Top-level keys are messages, tools, functions and parallel_tool_calls. Check the spelling.",
        "es": "Las claves de primer nivel son messages, tools, functions y parallel_tool_calls. Revisa la ortografía.",
    },
    # ---- dataset level
    "finding.too_few_examples": {
        "en": "Only {count} examples; at least {minimum} are needed.",
        "es": "Solo hay {count} ejemplos; se necesitan al menos {minimum}.",
    },
    "finding.too_few_examples.hint": {
        "en": "Add more examples. OpenAI requires 10; the course recommends 50 to 100 for visible results.",
        "es": "Agrega más ejemplos. OpenAI exige 10; el curso recomienda de 50 a 100 para ver resultados.",
    },
    "finding.duplicate_example": {
        "en": "This example repeats line {first_line}.",
        "es": "Este ejemplo repite la línea {first_line}.",
    },
    "finding.duplicate_example.hint": {
        "en": "Remove the copy: duplicates make the model memorize instead of generalize.",
        "es": "Elimina la copia: los duplicados hacen que el modelo memorice en vez de generalizar.",
    },
    "finding.too_many_tokens": {
        "en": "The example has {approx}{tokens} tokens, more than the limit of {limit}; it would be truncated.",
        "es": "El ejemplo tiene {approx}{tokens} tokens, más que el límite de {limit}; se truncaría.",
    },
    "finding.too_many_tokens.hint": {
        "en": "Shorten the messages or split the conversation into several examples.",
        "es": "Acorta los mensajes o divide la conversación en varios ejemplos.",
    },
    "finding.inconsistent_structure": {
        "en": "{with_system} examples have a system message and {without_system} do not (e.g. line {first_without}).",
        "es": "{with_system} ejemplos tienen mensaje de sistema y {without_system} no (p. ej. la línea {first_without}).",
    },
    "finding.inconsistent_structure.hint": {
        "en": "Use the same system message in every example (and later in every chat), or in none.",
        "es": "Usa el mismo mensaje de sistema en todos los ejemplos (y después en cada chat), o en ninguno.",
    },
}

MESSAGES.update({
    "finding.message_not_object": {
        "en": "Message {index} is of type {type}, not an object with \"role\" and \"content\".",
        "es": "El mensaje {index} es de tipo {type}, no un objeto con \"role\" y \"content\".",
    },
    "finding.message_not_object.hint": {
        "en": "Write each message as {{\"role\": \"user\", \"content\": \"...\"}}.",
        "es": "Escribe cada mensaje como {{\"role\": \"user\", \"content\": \"...\"}}.",
    },
})
