"""Messages of the RAG assistant (`afinar rag`)."""

MESSAGES: dict[str, dict[str, str]] = {
    # Loading documents
    "rag.load.unsupported": {
        "en": "{path}: files of type {suffix} cannot be indexed.",
        "es": "{path}: los archivos de tipo {suffix} no se pueden indexar.",
    },
    "rag.load.unsupported.hint": {
        "en": "Supported: {choices}. Convert the file (e.g. save it as PDF or text) or give a folder (other files in it are skipped).",
        "es": "Se admiten: {choices}. Convierte el archivo (por ejemplo a PDF o texto) o indica una carpeta (allí los demás archivos se ignoran).",
    },
    "rag.load.too_big": {
        "en": "{path} is {mb} MB; the limit per file is {limit} MB.",
        "es": "{path} ocupa {mb} MB; el límite por archivo es {limit} MB.",
    },
    "rag.load.too_big.hint": {
        "en": "Split the file into smaller ones and index them.",
        "es": "Divide el archivo en varios más pequeños e indéxalos.",
    },
    "rag.load.pdf_encrypted": {
        "en": "{path} is a password-protected PDF.",
        "es": "{path} es un PDF protegido con contraseña.",
    },
    "rag.load.pdf_encrypted.hint": {
        "en": "Save an unprotected copy (print to PDF or remove the password in your PDF viewer) and index that.",
        "es": "Guarda una copia sin protección (imprimir a PDF o quitar la contraseña en tu visor) e indexa esa copia.",
    },
    "rag.load.bad_pdf": {
        "en": "{path} is not a readable PDF ({error}).",
        "es": "{path} no es un PDF legible ({error}).",
    },
    "rag.load.bad_pdf.hint": {
        "en": "The file may be damaged or not a PDF at all: open it in a PDF viewer, save it again (or export it as text) and re-index. The other files were indexed.",
        "es": "El archivo puede estar dañado o no ser un PDF: ábrelo en un visor de PDF, guárdalo de nuevo (o expórtalo como texto) y vuelve a indexar. Los demás archivos sí se indexaron.",
    },
    "rag.load.bad_csv": {
        "en": "{path}, line {line}: the CSV cannot be read ({error}).",
        "es": "{path}, línea {line}: no se puede leer el CSV ({error}).",
    },
    "rag.load.bad_csv.hint": {
        "en": "Check the quotes on that line (run `afinar data validate {path}` for details) and re-index.",
        "es": "Revisa las comillas de esa línea (ejecuta `afinar data validate {path}` para más detalle) y vuelve a indexar.",
    },
    # Knowledge bases
    "rag.kb.bad_name": {
        "en": "{name!r} is not a valid knowledge base name.",
        "es": "{name!r} no es un nombre válido de base de conocimiento.",
    },
    "rag.kb.bad_name.hint": {
        "en": "Use 1 to 63 letters, digits, dots, dashes or underscores, starting with a letter or digit (e.g. tienda).",
        "es": "Usa de 1 a 63 letras, dígitos, puntos, guiones o guiones bajos, empezando por letra o dígito (p. ej. tienda).",
    },
    "rag.kb.unknown": {
        "en": "There is no knowledge base named {name}.",
        "es": "No existe ninguna base de conocimiento llamada {name}.",
    },
    "rag.kb.unknown.hint": {
        "en": "Existing ones: {choices}. Create it with: afinar rag index {name} DOCUMENTS...",
        "es": "Existentes: {choices}. Créala con: afinar rag index {name} DOCUMENTOS...",
    },
    "rag.kb.settings_differ": {
        "en": "The knowledge base {name} was built with other settings ({changes}).",
        "es": "La base de conocimiento {name} se creó con otros ajustes ({changes}).",
    },
    "rag.kb.settings_differ.hint": {
        "en": "Leave those options out to keep adding with the stored settings, or start over: afinar rag rm {name}, then index again.",
        "es": "Quita esas opciones para seguir añadiendo con los ajustes guardados, o empieza de cero: afinar rag rm {name} y vuelve a indexar.",
    },
    "rag.kb.dim_mismatch": {
        "en": "The knowledge base {name} holds vectors of size {stored}, but the embedding model gives {got}.",
        "es": "La base de conocimiento {name} guarda vectores de tamaño {stored}, pero el modelo de embeddings da {got}.",
    },
    "rag.kb.dim_mismatch.hint": {
        "en": "The embedding model changed on disk. Delete the knowledge base (afinar rag rm {name}) and index again.",
        "es": "El modelo de embeddings cambió en disco. Borra la base (afinar rag rm {name}) y vuelve a indexar.",
    },
    "rag.kb.unknown_doc": {
        "en": "The knowledge base {name} has no document {doc}.",
        "es": "La base de conocimiento {name} no tiene ningún documento {doc}.",
    },
    "rag.kb.unknown_doc.hint": {
        "en": "Its documents: {choices}. Give the file name or its path.",
        "es": "Sus documentos: {choices}. Indica el nombre del archivo o su ruta.",
    },
    # Search and answers
    "rag.search.bad_k": {
        "en": "k = {k} is out of range; it must be between 1 and {max}.",
        "es": "k = {k} está fuera de rango; debe estar entre 1 y {max}.",
    },
    "rag.search.empty_query": {
        "en": "The question is empty.",
        "es": "La pregunta está vacía.",
    },
    "rag.search.empty_query.hint": {
        "en": "Write the question between quotes, e.g. \"¿Cuánto cuesta el iPhone 15?\"",
        "es": "Escribe la pregunta entre comillas, p. ej. \"¿Cuánto cuesta el iPhone 15?\"",
    },
    "rag.search.none": {
        "en": "The knowledge base {name} is empty.",
        "es": "La base de conocimiento {name} está vacía.",
    },
    "rag.prompt.system": {
        "en": "You are an assistant that answers only with the information in the given documents. "
              "Cite the document each fact comes from with its number in brackets, e.g. [1]. "
              "If the documents do not contain the answer, say that you do not know. Answer briefly.",
        "es": "Eres un asistente que responde solo con la información de los documentos dados. "
              "Cita el documento de cada dato con su número entre corchetes, por ejemplo [1]. "
              "Si los documentos no contienen la respuesta, di que no lo sabes. Responde en español y brevemente.",
    },
    "rag.prompt.user": {
        "en": "Documents:\n\n{context}\n\nQuestion: {question}",
        "es": "Documentos:\n\n{context}\n\nPregunta: {question}",
    },
    "rag.ask.unknown": {
        "en": "I don't know: nothing in the knowledge base {name} answers that question.",
        "es": "No lo sé: nada en la base de conocimiento {name} responde a esa pregunta.",
    },
    "rag.ask.bad_mode": {
        "en": "Unknown answer mode {mode!r}.",
        "es": "Modo de respuesta desconocido: {mode!r}.",
    },
    "rag.ask.bad_mode.hint": {
        "en": "Choose one of: {choices} (auto: the chat model's answer when all its facts are in the documents, otherwise their best sentences).",
        "es": "Elige uno de: {choices} (auto: la respuesta del modelo si todos sus datos están en los documentos; si no, las mejores frases de estos).",
    },
    "rag.ask.names_missing": {
        "en": "(The documents found never mention {names}.)",
        "es": "(Los documentos encontrados no mencionan {names}.)",
    },
    "rag.ask.sources": {"en": "Sources:", "es": "Fuentes:"},
    "rag.ask.cited": {"en": "cited", "es": "citada"},
    # CLI output
    "rag.index.status.added": {"en": "added", "es": "añadido"},
    "rag.index.status.updated": {"en": "updated", "es": "actualizado"},
    "rag.index.status.unchanged": {"en": "unchanged", "es": "sin cambios"},
    "rag.index.status.empty": {"en": "no text", "es": "sin texto"},
    "rag.index.status.failed": {"en": "FAILED", "es": "FALLÓ"},
    "rag.index.chunks": {"en": "{chunks} chunks", "es": "{chunks} fragmentos"},
    "rag.index.summary": {
        "en": "{name}: {added} added, {updated} updated, {unchanged} unchanged, {failed} failed · {chunks} chunks embedded in {seconds:.1f} s · {total} chunks in total.",
        "es": "{name}: {added} añadidos, {updated} actualizados, {unchanged} sin cambios, {failed} fallidos · {chunks} fragmentos en {seconds:.1f} s · {total} fragmentos en total.",
    },
    "rag.index.failed_file": {"en": "{error}", "es": "{error}"},
    # indexing as a job (afinar.rag.index_job)
    "rag.index.job_failed": {
        "en": "The indexing job {job_id} did not finish: {reason}",
        "es": "El trabajo de indexación {job_id} no terminó: {reason}",
    },
    "rag.index.job_failed.hint": {
        "en": "The files indexed before it stopped are kept: run the same `afinar rag index` again to index the rest (indexed files are skipped). The full output is in {log}.",
        "es": "Los archivos indexados antes de que se detuviera se conservan: ejecuta de nuevo el mismo `afinar rag index` para indexar el resto (los ya indexados se saltan). La salida completa está en {log}.",
    },
    "rag.index.died": {
        "en": "The indexing process stopped unexpectedly ({how}). The files it finished are kept; `afinar jobs resume {job_id}` (or the same `afinar rag index` again) indexes the rest. See {log}.",
        "es": "El proceso de indexación se detuvo inesperadamente ({how}). Los archivos que terminó se conservan; `afinar jobs resume {job_id}` (o el mismo `afinar rag index` otra vez) indexa el resto. Mira {log}.",
    },
    "rag.rm.doc": {
        "en": "Removed {doc} from {name}.",
        "es": "Se quitó {doc} de {name}.",
    },
    "rag.rm.kb": {
        "en": "Deleted the knowledge base {name}.",
        "es": "Se borró la base de conocimiento {name}.",
    },
    "rag.list.empty": {
        "en": "No knowledge bases yet. Create one with: afinar rag index NAME DOCUMENTS...",
        "es": "Todavía no hay bases de conocimiento. Crea una con: afinar rag index NOMBRE DOCUMENTOS...",
    },
    "rag.list.row": {
        "en": "{name:<20} {files:>5} files {chunks:>7} chunks  {model}  min_score {min_score:.2f}",
        "es": "{name:<20} {files:>5} archivos {chunks:>7} fragmentos  {model}  min_score {min_score:.2f}",
    },
    "rag.eval.row": {
        "en": "  rank {rank!s:>2}  top score {score}  {question}",
        "es": "  puesto {rank!s:>2}  mejor puntuación {score}  {question}",
    },
    "rag.eval.bad_file": {
        "en": "{path} has problems:\n  {problems}",
        "es": "{path} tiene problemas:\n  {problems}",
    },
    "rag.eval.bad_file.hint": {
        "en": "One JSON object per line: {{\"question\": ..., \"source\": \"file.md\", \"facts\": [...]}}, or {{\"question\": ..., \"answerable\": false}}.",
        "es": "Un objeto JSON por línea: {{\"question\": ..., \"source\": \"archivo.md\", \"facts\": [...]}}, o {{\"question\": ..., \"answerable\": false}}.",
    },
    "rag.eval.empty": {
        "en": "{path} has no questions.",
        "es": "{path} no tiene preguntas.",
    },
    "rag.eval.summary": {
        "en": "{questions} questions · recall@{k} {recall} · MRR {mrr} · abstained on unanswerable {abstained} · refused answerable {refused} · abstention precision {precision}",
        "es": "{questions} preguntas · recall@{k} {recall} · MRR {mrr} · se abstuvo en las no respondibles {abstained} · rechazó respondibles {refused} · precisión de la abstención {precision}",
    },
    "rag.eval.answers": {
        "en": "Answers: fact recall {recall} · answers with every expected fact {facts} · faithfulness {faithful} · citation precision {precision} · facts cited from the chunk that holds them {citations}",
        "es": "Respuestas: hechos recuperados {recall} · respuestas con todos los hechos esperados {facts} · fidelidad {faithful} · precisión de las citas {precision} · hechos citados del fragmento que los contiene {citations}",
    },
}
