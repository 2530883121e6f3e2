"""Messages of text-classification training, `afinar predict` and `afinar export space`."""

MESSAGES: dict[str, dict[str, str]] = {
    # ---- configuration, data and base model
    "textcls.data.invalid": {
        "en": "The data has {errors} error(s) (listed above) in {files}; training did not start.",
        "es": "Los datos tienen {errors} error(es) (listados arriba) en {files}; el entrenamiento no empezó.",
    },
    "textcls.data.invalid.hint": {
        "en": "Fix each line shown above, or run `afinar data fix` / `afinar data validate FILE` for details.",
        "es": "Corrige cada línea indicada arriba, o usa `afinar data fix` / `afinar data validate ARCHIVO` para más detalle.",
    },
    "textcls.data.columns": {
        "en": "{path}: cannot tell which column is the text and which the label (columns: {columns}).",
        "es": "{path}: no se sabe qué columna es el texto y cuál la etiqueta (columnas: {columns}).",
    },
    "textcls.data.columns.hint": {
        "en": "Name them text and label (or texto and etiqueta) in the first row, or give --text-column and --label-column.",
        "es": "Llámalas text y label (o texto y etiqueta) en la primera fila, o usa --text-column y --label-column.",
    },
    "textcls.data.no_such_column": {
        "en": "{path}: there is no column \"{column}\" ({flag}); the columns are: {columns}.",
        "es": "{path}: no hay ninguna columna \"{column}\" ({flag}); las columnas son: {columns}.",
    },
    "textcls.data.no_such_column.hint": {
        "en": "Write the column name exactly as in the file's first row (upper/lower case included).",
        "es": "Escribe el nombre de la columna tal como está en la primera fila del archivo (mayúsculas incluidas).",
    },
    "textcls.data.one_class": {
        "en": "{path}: the training data has only one label ({labels}); a classifier needs at least two.",
        "es": "{path}: los datos de entrenamiento tienen una sola etiqueta ({labels}); un clasificador necesita al menos dos.",
    },
    "textcls.data.one_class.hint": {
        "en": "Add examples of the other classes (e.g. negativo and neutral next to positivo).",
        "es": "Añade ejemplos de las otras clases (p. ej. negativo y neutral además de positivo).",
    },
    "textcls.data.unseen_labels": {
        "en": "{path}: the validation data has labels that never appear in training: {labels}.",
        "es": "{path}: los datos de validación tienen etiquetas que no aparecen en el entrenamiento: {labels}.",
    },
    "textcls.data.unseen_labels.hint": {
        "en": "Check their spelling, or add training examples of those labels.",
        "es": "Revisa cómo están escritas, o añade ejemplos de entrenamiento con esas etiquetas.",
    },
    "textcls.data.no_valid": {
        "en": "{path}: no validation examples are left.",
        "es": "{path}: no queda ningún ejemplo de validación.",
    },
    "textcls.data.no_valid.hint": {
        "en": "Add examples, raise --valid-fraction, or give a validation file with --valid.",
        "es": "Añade ejemplos, sube --valid-fraction o indica un archivo de validación con --valid.",
    },
    "textcls.base.no_config": {
        "en": "The base model folder {path} has no config.json.",
        "es": "La carpeta del modelo base {path} no tiene config.json.",
    },
    "textcls.base.no_config.hint": {
        "en": "Give a Hugging Face model folder (config.json, model.safetensors, tokenizer) or a catalog name: `afinar models list`.",
        "es": "Indica una carpeta de modelo de Hugging Face (config.json, model.safetensors, tokenizador) o un nombre del catálogo: `afinar models list`.",
    },
    "textcls.base.no_safetensors": {
        "en": "The base model folder {path} has no .safetensors weights; Afinar does not load pickled (.bin/.pt) weights.",
        "es": "La carpeta del modelo base {path} no tiene pesos .safetensors; Afinar no carga pesos serializados con pickle (.bin/.pt).",
    },
    "textcls.base.no_safetensors.hint": {
        "en": "Convert the weights to safetensors in a trusted environment, or choose another base (`afinar models list`).",
        "es": "Convierte los pesos a safetensors en un entorno de confianza, o elige otra base (`afinar models list`).",
    },
    "textcls.run.exists": {
        "en": "The run folder {path} already holds a run.",
        "es": "La carpeta {path} ya contiene un entrenamiento.",
    },
    "textcls.run.exists.hint": {
        "en": "Choose another --output folder, or delete that one if you no longer need it.",
        "es": "Elige otra carpeta con --output, o borra esa si ya no la necesitas.",
    },
    "textcls.train.failed": {
        "en": "Training failed: {reason}",
        "es": "El entrenamiento falló: {reason}",
    },
    "textcls.train.failed.hint": {
        "en": "The full output is in {log}.",
        "es": "La salida completa está en {log}.",
    },
    # ---- training output
    "textcls.cli.start": {
        "en": "Run {run}\n{train} training and {valid} validation examples; labels: {labels}; base: {base}",
        "es": "Entrenamiento en {run}\n{train} ejemplos de entrenamiento y {valid} de validación; etiquetas: {labels}; base: {base}",
    },
    "textcls.cli.frozen": {
        "en": "The word embeddings of this large-vocabulary base are frozen (much faster on CPU; --freeze-embeddings no to train them).",
        "es": "Los embeddings de palabras de esta base de vocabulario grande quedan congelados (mucho más rápido en CPU; --freeze-embeddings no para entrenarlos).",
    },
    "textcls.cli.training": {"en": "training", "es": "entrenando"},
    "textcls.cli.step": {"en": "epoch {epoch}, loss {loss:.4f}", "es": "época {epoch}, pérdida {loss:.4f}"},
    "textcls.cli.epoch": {
        "en": "Epoch {epoch}: train loss {train_loss:.4f}, valid loss {valid_loss:.4f}, accuracy {accuracy:.3f}, F1 {f1:.3f}",
        "es": "Época {epoch}: pérdida de entrenamiento {train_loss:.4f}, de validación {valid_loss:.4f}, exactitud {accuracy:.3f}, F1 {f1:.3f}",
    },
    "textcls.cli.reporting": {
        "en": "Scoring the baselines and writing the report...",
        "es": "Evaluando las líneas base y escribiendo el informe...",
    },
    "textcls.cli.summary": {
        "en": "Best epoch {epoch} of {epochs} ({seconds:.0f} s of training). Validation ({valid} examples):",
        "es": "Mejor época: {epoch} de {epochs} ({seconds:.0f} s de entrenamiento). Validación ({valid} ejemplos):",
    },
    "textcls.cli.finetuned": {"en": "fine-tuned", "es": "ajustado (fine-tuned)"},
    "textcls.cli.baseline_majority": {"en": "majority class", "es": "clase mayoritaria"},
    "textcls.cli.baseline_tfidf_logreg": {"en": "TF-IDF + logistic reg.", "es": "TF-IDF + regresión logística"},
    "textcls.cli.confusion": {
        "en": "Confusion matrix (rows: true label, columns: predicted):",
        "es": "Matriz de confusión (filas: etiqueta real, columnas: predicha):",
    },
    "textcls.cli.ece": {
        "en": "Expected calibration error of the confidences: {ece:.3f} (0 = perfectly calibrated)",
        "es": "Error de calibración esperado de las confianzas: {ece:.3f} (0 = perfectamente calibrado)",
    },
    "textcls.cli.underconfident": {
        "en": "Tip: the answers are mostly right ({accuracy:.0%}) but said with little confidence ({confidence:.0%} on average); "
              "train longer (e.g. --epochs 10) for confidences that match.",
        "es": "Consejo: las respuestas aciertan casi siempre ({accuracy:.0%}) pero con poca confianza ({confidence:.0%} de media); "
              "entrena más (p. ej. --epochs 10) para que la confianza se corresponda.",
    },
    "textcls.cli.files": {
        "en": "Model: {run}/final  Report: {run}/report.json, confusion_matrix.png, curves.png\n"
              "Try it: afinar predict {run} \"text\"   Share it: afinar export space {run} -o space/",
        "es": "Modelo: {run}/final  Informe: {run}/report.json, confusion_matrix.png, curves.png\n"
              "Pruébalo: afinar predict {run} \"texto\"   Compártelo: afinar export space {run} -o space/",
    },
}

MESSAGES.update({
    # ---- afinar predict
    "predict.not_a_run": {
        "en": "{path} is not a run folder (no meta.json with a task).",
        "es": "{path} no es una carpeta de entrenamiento (no hay meta.json con una tarea).",
    },
    "predict.not_a_run.hint": {
        "en": "Give the folder printed by `afinar train` (by default under AFINAR_HOME/runs/).",
        "es": "Indica la carpeta que mostró `afinar train` (por defecto dentro de AFINAR_HOME/runs/).",
    },
    "predict.unknown_task": {
        "en": "The run {path} is of task \"{task}\", which this version of Afinar cannot {action}.",
        "es": "El entrenamiento {path} es de la tarea \"{task}\", que esta versión de Afinar no sabe {action}.",
    },
    "predict.unknown_task.hint": {
        "en": "Tasks that can: {tasks}.",
        "es": "Tareas que sí: {tasks}.",
    },
    "predict.not_finished": {
        "en": "The run {path} has status \"{status}\": there is no trained model to use yet.",
        "es": "El entrenamiento {path} está en estado \"{status}\": aún no hay un modelo entrenado que usar.",
    },
    "predict.not_finished.hint": {
        "en": "Wait for it to finish, or train again (`afinar train ...`); a failed run's reason is in its meta.json.",
        "es": "Espera a que termine o vuelve a entrenar (`afinar train ...`); el motivo de un fallo está en su meta.json.",
    },
    "textcls.predict.no_model": {
        "en": "The run {path} has no trained model in final/.",
        "es": "El entrenamiento {path} no tiene un modelo entrenado en final/.",
    },
    "textcls.predict.no_model.hint": {
        "en": "Train it again with `afinar train text-classification`.",
        "es": "Vuelve a entrenarlo con `afinar train text-classification`.",
    },
    "predict.nothing": {
        "en": "Nothing to classify: give a text (or several) or --input FILE.",
        "es": "No hay nada que clasificar: indica un texto (o varios) o --input ARCHIVO.",
    },
    "predict.nothing.hint": {
        "en": "Example: afinar predict RUN \"La comida estuvo deliciosa\"",
        "es": "Ejemplo: afinar predict RUN \"La comida estuvo deliciosa\"",
    },
    "predict.both": {
        "en": "Give either texts or --input FILE, not both.",
        "es": "Indica textos o --input ARCHIVO, no ambos.",
    },
    "predict.need_output": {
        "en": "--input needs -o/--output: the CSV to write the predictions to.",
        "es": "--input necesita -o/--output: el CSV donde escribir las predicciones.",
    },
    "predict.same_file": {
        "en": "The output {path} is the input file; predict never overwrites its input.",
        "es": "La salida {path} es el archivo de entrada; predict nunca sobrescribe su entrada.",
    },
    "predict.no_column": {
        "en": "{path}: no column to classify was recognized (columns: {columns}).",
        "es": "{path}: no se reconoce ninguna columna que clasificar (columnas: {columns}).",
    },
    "predict.no_column.hint": {
        "en": "Name it text (or texto, comentario...) or give --column NAME.",
        "es": "Llámala text (o texto, comentario...) o usa --column NOMBRE.",
    },
    "predict.bad_column": {
        "en": "{path}: there is no column \"{column}\"; the columns are: {columns}.",
        "es": "{path}: no hay ninguna columna \"{column}\"; las columnas son: {columns}.",
    },
    "predict.result": {
        "en": "{label} ({confidence:.0%} confidence)",
        "es": "{label} ({confidence:.0%} de confianza)",
    },
    "predict.progress": {"en": "classifying", "es": "clasificando"},
    "predict.written": {
        "en": "{count} rows classified into {path} (columns label and confidence added).",
        "es": "{count} filas clasificadas en {path} (columnas label y confidence añadidas).",
    },
    # ---- afinar export space
    "export.exists": {
        "en": "The folder {path} already exists and is not empty.",
        "es": "La carpeta {path} ya existe y no está vacía.",
    },
    "export.exists.hint": {
        "en": "Choose a new folder with -o, or add --force to replace its contents.",
        "es": "Elige una carpeta nueva con -o, o añade --force para reemplazar su contenido.",
    },
    "export.done": {
        "en": "Space written to {path}: app.py, requirements.txt, README.md and model/.\n"
              "Run it here: cd {path} && python app.py   Upload the folder to a Hugging Face Space (SDK: Gradio) to share it.",
        "es": "Space escrito en {path}: app.py, requirements.txt, README.md y model/.\n"
              "Ejecútalo aquí: cd {path} && python app.py   Sube la carpeta a un Space de Hugging Face (SDK: Gradio) para compartirlo.",
    },
})
