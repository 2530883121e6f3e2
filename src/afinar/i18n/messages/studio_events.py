"""Job events as the studio shows them. Jobs log their events in OpenAI's English wording (the API
returns them unchanged); each ``en`` text here is one of those messages as a template, and the
studio (``afinar.studio.events``) recognises a message by it and shows the ``es`` text in Spanish.
Keep each ``en`` identical to the message the job logs."""


def _m(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


MESSAGES: dict[str, dict[str, str]] = {
    "studio.event.level.info": _m("info", "info"),
    "studio.event.level.warning": _m("warning", "aviso"),
    "studio.event.level.warn": _m("warning", "aviso"),
    "studio.event.level.error": _m("error", "error"),
    # ---- the job queue (server and runner)
    "studio.event.validating_ok": _m("Validating training file: ok", "Archivo de entrenamiento validado: correcto"),
    "studio.event.validating_train": _m("Validating training file: {file}", "Validando el archivo de entrenamiento: {file}"),
    "studio.event.validating_valid": _m("Validating validation file: {file}", "Validando el archivo de validación: {file}"),
    "studio.event.queued": _m("Job queued: {task}, run folder {folder}", "Trabajo en cola: {task}, carpeta {folder}"),
    "studio.event.terminal": _m("Job started from the terminal: {name}, run folder {folder}",
                                "Trabajo iniciado desde la terminal: {name}, carpeta {folder}"),
    "studio.event.validated": _m("Files validated, moving job to queued state",
                                 "Archivos validados; el trabajo pasa a la cola"),
    "studio.event.cancelled": _m("Fine-tuning job cancelled", "Trabajo de ajuste fino cancelado"),
    "studio.event.pause_requested": _m(
        "Pause requested: the job stops at its next safe point (a step for chat; an epoch for classifiers) and keeps it",
        "Pausa pedida: el trabajo se detiene en el próximo punto seguro (un paso en chat; una época en los "
        "clasificadores) y lo guarda"),
    "studio.event.resumed": _m("Fine-tuning job resumed: queued to continue from its last checkpoint",
                               "Trabajo de ajuste fino reanudado: en cola para seguir desde su último punto de control"),
    "studio.event.retry_rerun": _m("Failed job resumed: queued to run again, skipping what it finished",
                                   "Trabajo fallido reanudado: en cola para ejecutarse de nuevo, saltando lo ya hecho"),
    "studio.event.retry_checkpoint": _m("Failed job resumed: queued to continue from its last checkpoint",
                                        "Trabajo fallido reanudado: en cola para seguir desde su último punto de control"),
    "studio.event.crash_rerun": _m(
        "The {process} process stopped unexpectedly ({how}); running it again, skipping what it finished "
        "(attempt {attempt} of {attempts})",
        "El proceso de {process} se detuvo de forma inesperada ({how}); se ejecuta de nuevo saltando lo ya hecho "
        "(intento {attempt} de {attempts})"),
    "studio.event.crash_checkpoint": _m(
        "The {process} process stopped unexpectedly ({how}); restarting from its checkpoint at step {step} "
        "(attempt {attempt} of {attempts})",
        "El proceso de {process} se detuvo de forma inesperada ({how}); se reinicia desde su punto de control del "
        "paso {step} (intento {attempt} de {attempts})"),
    "studio.event.crash_start": _m(
        "The {process} process stopped unexpectedly ({how}); restarting from the beginning (attempt {attempt} of "
        "{attempts})",
        "El proceso de {process} se detuvo de forma inesperada ({how}); se reinicia desde el principio (intento "
        "{attempt} de {attempts})"),
    # the words a job puts in a placeholder (afinar.studio.events: studio.event_value.<placeholder>.<name>)
    "studio.event_value.process.training": _m("training", "entrenamiento"),
    "studio.event_value.process.indexing": _m("indexing", "indexación"),
    "studio.event_value.how.exit": _m("exit code {code}", "código de salida {code}"),
    "studio.event_value.how.signal": _m("signal {signal}", "señal {signal}"),
    "studio.event_value.how.gone": _m("the process is gone", "el proceso ya no existe"),
    "studio.event_value.reference.adapters": _m("adapters off", "adaptadores desactivados"),
    "studio.event_value.reference.weights": _m("the starting weights", "los pesos iniciales"),
    # ---- chat fine-tuning
    "studio.event.same_system": _m(
        "Every training example starts with the same system prompt: `afinar chat`, `afinar compare`, the studio and "
        "RAG use it by default with this model",
        "Todos los ejemplos empiezan con el mismo mensaje de sistema: la Zona de pruebas y Conocimiento lo usan "
        "por defecto con este modelo"),
    "studio.event.started": _m("Fine-tuning job started: {model}", "Ajuste fino iniciado: {model}"),
    "studio.event.resumed_at": _m("Resumed from checkpoint at step {step}", "Reanudado desde el punto de control del paso {step}"),
    "studio.event.step": _m("Step {step}/{total}: training loss={loss}", "Paso {step}/{total}: pérdida de entrenamiento={loss}"),
    "studio.event.step_dpo": _m(
        "Step {step}/{total}: training loss={loss}, reward accuracy={accuracy}, margin={margin}",
        "Paso {step}/{total}: pérdida de entrenamiento={loss}, acierto de preferencia={accuracy}, margen={margin}"),
    "studio.event.dpo_reference": _m(
        "Reference log-probabilities of {pairs} pairs computed ({reference}) in {seconds} s",
        "Log-probabilidades de referencia de {pairs} pares calculadas ({reference}) en {seconds} s"),
    "studio.event.dpo_check": _m(
        "Preference check: the preferred reply gains more on {train} of the training pairs",
        "Comprobación de preferencias: la respuesta preferida gana más en el {train} de los pares de entrenamiento"),
    "studio.event.dpo_check_held_out": _m(
        "Preference check: the preferred reply gains more on {train} of the training pairs and {held_out} of the "
        "held-out pairs",
        "Comprobación de preferencias: la respuesta preferida gana más en el {train} de los pares de entrenamiento "
        "y en el {held_out} de los pares apartados"),
    "studio.event.paused_at": _m("Fine-tuning job paused at step {step}", "Ajuste fino en pausa en el paso {step}"),
    "studio.event.checkpoint": _m("Checkpoint created at step {step}", "Punto de control creado en el paso {step}"),
    "studio.event.model": _m("New fine-tuned model created: {model}", "Nuevo modelo ajustado creado: {model}"),
    "studio.chat.eval.source.training": _m(
        "training questions (too few examples to hold any out: this measures recall, not paraphrases)",
        "preguntas de entrenamiento (muy pocos ejemplos para apartar alguno: mide lo memorizado, no paráfrasis)"),
    "studio.event.done": _m("The job has successfully completed", "El trabajo ha terminado correctamente"),
    # ---- classifiers
    "studio.event.pooler": _m("The base's pooler was not pretrained: it starts as the identity.",
                              "El pooler del modelo base no estaba preentrenado: empieza como la identidad."),
    "studio.event.probe": _m(
        "Mean-pooling head started from a logistic regression on the base's sentence vectors (training accuracy "
        "{accuracy}).",
        "La cabeza de media empieza desde una regresión logística sobre los vectores de frase del modelo base "
        "(exactitud de entrenamiento {accuracy})."),
    "studio.event.resumed_epoch": _m("Resumed after epoch {epoch} (step {step}).",
                                     "Reanudado después de la época {epoch} (paso {step})."),
    "studio.event.epoch": _m("Epoch {epoch}/{epochs}: train loss={train}, valid loss={valid}, accuracy={accuracy}, F1={f1}",
                             "Época {epoch}/{epochs}: pérdida de entrenamiento={train}, pérdida de validación={valid}, "
                             "exactitud={accuracy}, F1={f1}"),
    "studio.event.early_stop": _m("Early stop after epoch {epoch}: no better validation F1 for {stale} epochs.",
                                  "Parada temprana tras la época {epoch}: el F1 de validación no mejoró en {stale} épocas."),
    "studio.event.paused_epoch": _m("Job paused after epoch {epoch} (step {step})",
                                    "Trabajo en pausa después de la época {epoch} (paso {step})"),
    "studio.event.done_f1": _m("The job has successfully completed: best epoch {epoch}, validation F1={f1}.",
                               "El trabajo ha terminado correctamente: mejor época {epoch}, F1 de validación={f1}."),
    "studio.event.stage_epoch": _m(
        "Stage {stage}, epoch {epoch}/{epochs}: train loss={train}, valid loss={valid}, accuracy={accuracy}",
        "Etapa {stage}, época {epoch}/{epochs}: pérdida de entrenamiento={train}, pérdida de validación={valid}, "
        "exactitud={accuracy}"),
    "studio.event.resumed_stage": _m("Resumed after stage {stage}, epoch {epoch} (step {step}).",
                                     "Reanudado después de la etapa {stage}, época {epoch} (paso {step})."),
    "studio.event.early_stop_stage": _m(
        "Stage {stage}: early stop after epoch {epoch}, no lower validation loss for {patience} epochs; keeping "
        "epoch {best}.",
        "Etapa {stage}: parada temprana tras la época {epoch}, la pérdida de validación no bajó en {patience} "
        "épocas; se conserva la época {best}."),
    "studio.event.overfitting_stage": _m(
        "Stage {stage}, epoch {epoch}: validation loss rose while training loss fell (overfitting).",
        "Etapa {stage}, época {epoch}: la pérdida de validación subió mientras la de entrenamiento bajaba "
        "(sobreajuste)."),
    "studio.event.done_stage": _m(
        "The job has successfully completed: stage {stage}, epoch {epoch}, validation accuracy={accuracy}.",
        "El trabajo ha terminado correctamente: etapa {stage}, época {epoch}, exactitud de validación={accuracy}."),
    # ---- knowledge bases
    "studio.event.indexing": _m("Indexing {total} file(s) into the knowledge base {name}",
                                "Indexando {total} archivo(s) en la base de conocimiento {name}"),
    "studio.event.indexing_again": _m(
        "Indexing {total} file(s) into the knowledge base {name} again: files indexed before are skipped",
        "Indexando de nuevo {total} archivo(s) en la base de conocimiento {name}: se saltan los ya indexados"),
    "studio.event.indexed": _m(
        "Indexed {name}: {added} added, {updated} updated, {unchanged} unchanged, {failed} failed, {chunks} chunks "
        "embedded",
        "{name} indexada: {added} nuevos, {updated} actualizados, {unchanged} sin cambios, {failed} con error, "
        "{chunks} fragmentos"),
    "studio.event.file_added": _m("File {done}/{total} added: {name} ({chunks} chunks)",
                                  "Archivo {done}/{total} añadido: {name} ({chunks} fragmentos)"),
    "studio.event.file_updated": _m("File {done}/{total} updated: {name} ({chunks} chunks)",
                                    "Archivo {done}/{total} actualizado: {name} ({chunks} fragmentos)"),
    # (a file's line says its chunks when it has some)
    "studio.event.file_added_bare": _m("File {done}/{total} added: {name}", "Archivo {done}/{total} añadido: {name}"),
    "studio.event.file_updated_bare": _m("File {done}/{total} updated: {name}",
                                         "Archivo {done}/{total} actualizado: {name}"),
    "studio.event.file_unchanged": _m("File {done}/{total} unchanged: {name}", "Archivo {done}/{total} sin cambios: {name}"),
    "studio.event.file_failed": _m("File {done}/{total} failed: {name}", "Archivo {done}/{total} con error: {name}"),
}

# Fix hints as the studio shows them: each names a button or a control of the page instead of a
# command (``studio.hint.<finding code>`` replaces ``finding.<code>.hint``; ``studio.hint.<error key>``
# replaces an error's hint). ``{where}`` is empty on the Datos page and names it on the others.
HINTS: dict[str, dict[str, str]] = {
    "studio.hint.on_data_page": _m(" on the Data page", " de la página Datos"),
    "studio.hint.unsupported_format": _m(
        "Open it on the Data page, pick what the data is for in “Convert to” and press “Convert”.",
        "Ábrelo en la página Datos, elige para qué son los datos en «Convertir a» y pulsa «Convertir»."),
    "studio.hint.not_a_file": _m("Upload the .jsonl or .csv file itself, or a .zip of picture folders on the Images page.",
                                 "Sube el propio archivo .jsonl o .csv, o un .zip de carpetas de imágenes en la página Imágenes."),
    "studio.hint.not_utf8": _m("Press “Repair”{where}: it converts the file to UTF-8.",
                               "Pulsa «Reparar»{where}: convierte el archivo a UTF-8."),
    "studio.hint.bom": _m("Press “Repair”{where} to remove it.", "Pulsa «Reparar»{where} para quitarla."),
    "studio.hint.mojibake": _m("Press “Repair”{where}: it mends these characters and touches nothing else.",
                               "Pulsa «Reparar»{where}: arregla estos caracteres sin tocar nada más."),
    "studio.hint.blank_line": _m("Press “Repair”{where}: it removes the blank lines.",
                                 "Pulsa «Reparar»{where}: quita las líneas en blanco."),
    "studio.hint.multiline_json": _m("Press “Repair”{where}: it puts each object on one line.",
                                     "Pulsa «Reparar»{where}: pone cada objeto en una línea."),
    "studio.hint.trailing_comma": _m("Press “Repair”{where}: it removes the comma at the end of the line.",
                                     "Pulsa «Reparar»{where}: quita la coma del final de la línea."),
    "studio.hint.json_array": _m("Press “Repair”{where}: it writes one object per line.",
                                 "Pulsa «Reparar»{where}: escribe un objeto por línea."),
    "studio.hint.missing_messages_list": _m(
        "Each line needs a \"messages\" list of messages with \"role\" and \"content\". For question/answer "
        "records, choose chat in “Convert to” and press “Convert”{where}.",
        "Cada línea necesita una lista \"messages\" con mensajes con \"role\" y \"content\". Para registros "
        "pregunta/respuesta, elige chat en «Convertir a» y pulsa «Convertir»{where}."),
    "studio.hint.unknown_columns": _m(
        "Name the columns \"text\" and \"label\" (or \"texto\" and \"etiqueta\") in the first row and upload it again.",
        "Nombra las columnas \"texto\" y \"etiqueta\" (o \"text\" y \"label\") en la primera fila y vuelve a subirlo."),
    "studio.hint.preference_chat_example": _m(
        "If the file is chat data, choose chat in “What the data is for”. For preference training, move the user's "
        "turns to \"input\" and write two answers, \"preferred_output\" and \"non_preferred_output\".",
        "Si el archivo es de chat, elige chat en «Para qué son los datos». Para entrenar con preferencias, pasa los "
        "turnos del usuario a \"input\" y escribe dos respuestas, \"preferred_output\" y \"non_preferred_output\"."),
    "studio.hint.preference_columns": _m(
        "Write each pair as one JSONL line with \"input\", \"preferred_output\" and \"non_preferred_output\" "
        "(OpenAI's preference format) and upload it again.",
        "Escribe cada par como una línea JSONL con \"input\", \"preferred_output\" y \"non_preferred_output\" "
        "(el formato de preferencias de OpenAI) y vuelve a subirlo."),
    "studio.hint.not_preference_pair": _m(
        "Write each line as {{\"input\": {{\"messages\": [{{\"role\": \"user\", \"content\": \"...\"}}]}}, "
        "\"preferred_output\": [{{\"role\": \"assistant\", \"content\": \"...\"}}], \"non_preferred_output\": "
        "[{{\"role\": \"assistant\", \"content\": \"...\"}}]}}.",
        "Escribe cada línea así: {{\"input\": {{\"messages\": [{{\"role\": \"user\", \"content\": \"...\"}}]}}, "
        "\"preferred_output\": [{{\"role\": \"assistant\", \"content\": \"...\"}}], \"non_preferred_output\": "
        "[{{\"role\": \"assistant\", \"content\": \"...\"}}]}}."),
    "studio.hint.identical_outputs": _m(
        "Write a worse answer in non_preferred_output, or press “Repair”{where}: it removes those pairs.",
        "Escribe una respuesta peor en non_preferred_output, o pulsa «Reparar»{where}: quita esos pares."),
    # errors of the classifier pages, the Datos buttons and Conocimiento
    "studio.hint.textcls.data.invalid": _m(
        "Fix each line shown above (“Repair” on the Data page mends the format problems) and upload the file again.",
        "Corrige cada línea indicada arriba («Reparar» de la página Datos arregla los problemas de formato) y "
        "vuelve a subir el archivo."),
    "studio.hint.textcls.data.columns": _m(
        "Name the columns text and label (or texto and etiqueta) in the first row, or choose text classification "
        "in “Convert to” on the Data page and press “Convert”.",
        "Llama a las columnas texto y etiqueta (o text y label) en la primera fila, o elige clasificación de texto "
        "en «Convertir a» de la página Datos y pulsa «Convertir»."),
    "studio.hint.textcls.data.no_valid": _m("Add examples, or upload a file under “Validation data (optional)”.",
                                            "Añade ejemplos, o sube un archivo en «Datos de validación (opcional)»."),
    "studio.hint.imgcls.data.invalid": _m("Fix or delete each file shown above, zip the folders again and upload the zip.",
                                          "Arregla o borra cada archivo indicado arriba, vuelve a comprimir las "
                                          "carpetas y sube el zip."),
    "studio.hint.imgcls.data.no_valid": _m(
        "Add pictures, or put a validation/ folder with the same class folders in the zip.",
        "Añade imágenes, o pon en el zip una carpeta validation/ con las mismas carpetas de clase."),
    "studio.hint.imgcls.data.missing": _m("Upload a zip with one folder of pictures per class.",
                                          "Sube un zip con una carpeta de imágenes por clase."),
    "studio.hint.imgcls.base.not_image": _m("Choose mobilenet_v2 or efficientnet-lite0 under “Base model”.",
                                            "Elige mobilenet_v2 o efficientnet-lite0 en «Modelo base»."),
    "studio.hint.textcls.base.no_config": _m("Choose a model of the list under “Base model”.",
                                             "Elige un modelo de la lista de «Modelo base»."),
    "studio.hint.data.tokenizer.not_found": _m("Choose a model of the list under “Base model”.",
                                               "Elige un modelo de la lista de «Modelo base»."),
    "studio.hint.convert.unreadable": _m("Check that the file is complete and really is {format}, and upload it again.",
                                         "Comprueba que el archivo esté completo y que de verdad sea {format}, y "
                                         "vuelve a subirlo."),
    "studio.hint.convert.bad_json_line": _m("Press “Repair” first, then “Convert”.",
                                            "Pulsa antes «Reparar» y después «Convertir»."),
    "studio.hint.convert.bad_csv_row": _m("Put texts that contain the delimiter in double quotes; the report above "
                                          "lists every such line.",
                                          "Pon entre comillas dobles los textos que contienen el separador; el "
                                          "informe de arriba lista todas esas líneas."),
    "studio.hint.data.estimate.no_examples": _m("The report above says what is wrong with each line.",
                                                "El informe de arriba dice qué está mal en cada línea."),
    "studio.hint.chat.model.not_finished": _m(
        "Wait for it on the Fine-tuning page (or press “Resume” there), or choose one of its checkpoints "
        "(MODEL:ckpt-step-N) under “Model”.",
        "Espera a que termine en la página Ajuste fino (o pulsa «Reanudar» allí), o elige uno de sus puntos de "
        "control (MODELO:ckpt-step-N) en «Modelo»."),
    "studio.hint.rag.kb.settings_differ": _m(
        "Keep the embedding model the base was built with, or write a new name under “Knowledge base”.",
        "Deja el modelo de embeddings con el que se creó la base, o escribe un nombre nuevo en «Base de conocimiento»."),
    "studio.hint.rag.index.job_failed": _m(
        "The files indexed before it stopped are kept: press “Add to the knowledge base” again to index the rest.",
        "Los archivos indexados antes de que se detuviera se conservan: pulsa «Añadir a la base de conocimiento» "
        "otra vez para indexar el resto."),
    "studio.hint.rag.kb.dim_mismatch": _m("Write a new name under “Knowledge base” and add the documents again.",
                                          "Escribe un nombre nuevo en «Base de conocimiento» y vuelve a añadir los "
                                          "documentos."),
    # errors of the Models page
    "studio.hint.models.license_not_accepted": _m(
        "Read the license, tick “I accept the model's license” and press “Pull” again.",
        "Lee la licencia, marca «Acepto la licencia del modelo» y pulsa «Descargar» otra vez."),
    "studio.hint.models.unknown_name": _m("Choose one of the list under “Model”. Offline choices: {choices}.",
                                          "Elige uno de la lista de «Modelo». Opciones sin red: {choices}."),
    "studio.hint.models.bad_hub_id": _m("Choose one of the list under “Model”. Offline choices: {choices}.",
                                        "Elige uno de la lista de «Modelo». Opciones sin red: {choices}."),
    "studio.hint.models.not_in_cache": _m("The table at the top shows what is on this machine (✓).",
                                          "La tabla de arriba muestra lo que hay en esta máquina (✓)."),
    "studio.hint.models.path_missing": _m("Check the folder, or choose a name of the list under “Model”.",
                                          "Revisa la carpeta, o elige un nombre de la lista de «Modelo»."),
    "studio.hint.models.name_taken": _m("Write another name under “Name for the model”, e.g. my-{name}.",
                                        "Escribe otro nombre en «Nombre para el modelo», p. ej. mi-{name}."),
    "studio.hint.models.import_exists": _m("Write another name under “Name for the model”.",
                                          "Escribe otro nombre en «Nombre para el modelo»."),
}
MESSAGES.update(HINTS)
