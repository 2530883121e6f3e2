"""Messages of text-classification and image-folder validation, convert and split.

Finding texts may use ``{line}`` and ``{field}`` plus the finding's own parameters. ``invalid_csv``
carries its explanation in every language (``{problem[en]}``/``{problem[es]}``), built from the
``textcls.problem.*`` entries, so one report still renders in either language.
"""

MESSAGES: dict[str, dict[str, str]] = {
    # ---- text classification: findings
    "finding.invalid_csv": {
        "en": "This cannot be read as CSV: {problem[en]}",
        "es": "Esto no se puede leer como CSV: {problem[es]}",
    },
    "finding.invalid_csv.hint": {
        "en": "Open the file in a spreadsheet or text editor, fix it there and export it again as \"CSV UTF-8\".",
        "es": "Abre el archivo en una hoja de cálculo o en un editor de texto, corrígelo y expórtalo de nuevo como \"CSV UTF-8\".",
    },
    "textcls.problem.binary": {
        "en": "the file holds binary data (NUL bytes), not text.",
        "es": "el archivo contiene datos binarios (bytes NUL), no texto.",
    },
    "textcls.problem.nul": {
        "en": "the row contains NUL bytes (invisible binary characters); they were ignored.",
        "es": "la fila contiene bytes NUL (caracteres binarios invisibles); se ignoraron.",
    },
    "textcls.problem.too_long": {
        "en": "the line is longer than {limit_mb} MB, so it was skipped (is a line break missing?).",
        "es": "la línea ocupa más de {limit_mb} MB, así que se omitió (¿falta un salto de línea?).",
    },
    "textcls.problem.csv_error": {
        "en": "the CSV reader stopped at this record ({detail}).",
        "es": "el lector de CSV se detuvo en este registro ({detail}).",
    },
    "textcls.problem.unclosed_quote": {
        "en": "a quote opened here is never closed, so everything up to line {end_line} became one cell.",
        "es": "unas comillas que se abren aquí no se cierran nunca, así que todo hasta la línea {end_line} quedó en una sola celda.",
    },
    "textcls.problem.field_count": {
        "en": "the row has {found} cells but the header has {expected} (a text with the delimiter in it must be in double quotes).",
        "es": "la fila tiene {found} celdas pero el encabezado tiene {expected} (un texto que contiene el separador debe ir entre comillas dobles).",
    },
    "finding.unknown_columns": {
        "en": "Afinar cannot tell which column is the text and which the label; the columns are: {columns}.",
        "es": "Afinar no sabe qué columna es el texto y cuál la etiqueta; las columnas son: {columns}.",
    },
    "finding.unknown_columns.hint": {
        "en": "Name the columns \"text\" and \"label\" (or \"texto\" and \"etiqueta\") in the first row, or run `afinar data convert FILE -o data.csv --to text-classification --text-col C --label-col C`.",
        "es": "Nombra las columnas \"texto\" y \"etiqueta\" (o \"text\" y \"label\") en la primera fila, o ejecuta `afinar data convert ARCHIVO -o datos.csv --to text-classification --text-col C --label-col C`.",
    },
    "finding.missing_text": {
        "en": "The text (column \"{field}\") is empty.",
        "es": "El texto (columna \"{field}\") está vacío.",
    },
    "finding.missing_text.hint": {
        "en": "Write the text of this example or delete the row.",
        "es": "Escribe el texto de este ejemplo o borra la fila.",
    },
    "finding.missing_label": {
        "en": "The label (column \"{field}\") is empty.",
        "es": "La etiqueta (columna \"{field}\") está vacía.",
    },
    "finding.missing_label.hint": {
        "en": "Write the label of this example or delete the row: every example needs one.",
        "es": "Escribe la etiqueta de este ejemplo o borra la fila: cada ejemplo necesita una.",
    },
    "finding.rare_label": {
        "en": "The label \"{label}\" has only {count} example(s) (the first one here); a model needs at least {minimum} to learn it.",
        "es": "La etiqueta \"{label}\" solo tiene {count} ejemplo(s) (el primero aquí); un modelo necesita al menos {minimum} para aprenderla.",
    },
    "finding.rare_label.hint": {
        "en": "Add more examples of \"{label}\", merge it into a related label, or remove it.",
        "es": "Agrega más ejemplos de \"{label}\", únela a una etiqueta parecida o elimínala.",
    },
    "finding.label_variants": {
        "en": "The label \"{variant}\" ({count} example(s), the first one here) looks like another spelling of \"{canonical}\".",
        "es": "La etiqueta \"{variant}\" ({count} ejemplo(s), el primero aquí) parece otra forma de escribir \"{canonical}\".",
    },
    "finding.label_variants.hint": {
        "en": "If they mean the same, replace \"{variant}\" with \"{canonical}\" everywhere; otherwise the model treats them as two different classes.",
        "es": "Si significan lo mismo, reemplaza \"{variant}\" por \"{canonical}\" en todo el archivo; si no, el modelo las tratará como dos clases distintas.",
    },
    "finding.conflicting_labels": {
        "en": "The same text appears on line {first_line} with the label \"{other_label}\", but here it is \"{label}\".",
        "es": "El mismo texto aparece en la línea {first_line} con la etiqueta \"{other_label}\", pero aquí es \"{label}\".",
    },
    "finding.conflicting_labels.hint": {
        "en": "Decide which label is right and keep one copy: contradictory examples confuse the model.",
        "es": "Decide qué etiqueta es la correcta y deja una sola copia: los ejemplos contradictorios confunden al modelo.",
    },
    "finding.class_imbalance": {
        "en": "The classes are unbalanced: \"{largest}\" has {largest_count} examples and \"{smallest}\" only {smallest_count} ({ratio}×).",
        "es": "Las clases están desbalanceadas: \"{largest}\" tiene {largest_count} ejemplos y \"{smallest}\" solo {smallest_count} ({ratio}×).",
    },
    "finding.class_imbalance.hint": {
        "en": "Add examples of the small classes (or use fewer of the large ones); otherwise the model learns to answer the frequent class.",
        "es": "Agrega ejemplos de las clases pequeñas (o usa menos de las grandes); si no, el modelo aprende a responder siempre la clase frecuente.",
    },
    "finding.too_few_classes": {
        "en": "Only {count} class(es) found; a classifier needs at least {minimum}.",
        "es": "Solo se encontraron {count} clase(s); un clasificador necesita al menos {minimum}.",
    },
    "finding.too_few_classes.hint": {
        "en": "Add examples of at least one more class (for images: one subfolder per class with its pictures).",
        "es": "Agrega ejemplos de al menos otra clase (para imágenes: una subcarpeta por clase con sus fotos).",
    },
    # ---- image folders: findings
    "finding.not_a_folder": {
        "en": "{path} is a file; image classification needs a folder with one subfolder per class.",
        "es": "{path} es un archivo; la clasificación de imágenes necesita una carpeta con una subcarpeta por clase.",
    },
    "finding.not_a_folder.hint": {
        "en": "Give the folder that holds the class subfolders (e.g. fotos/ with fotos/gato/ and fotos/perro/).",
        "es": "Indica la carpeta que contiene las subcarpetas de clases (p. ej. fotos/ con fotos/gato/ y fotos/perro/).",
    },
    "finding.not_an_image": {
        "en": "{field} is not an image Afinar can read; it will be ignored.",
        "es": "{field} no es una imagen que Afinar pueda leer; se ignorará.",
    },
    "finding.not_an_image.hint": {
        "en": "Remove it, or convert it to JPEG or PNG if it is a picture (HEIC/SVG/RAW are not supported).",
        "es": "Quítalo, o conviértelo a JPEG o PNG si es una foto (HEIC/SVG/RAW no se admiten).",
    },
    "finding.corrupt_image": {
        "en": "{field} is damaged or incomplete and cannot be opened ({detail}).",
        "es": "{field} está dañada o incompleta y no se puede abrir ({detail}).",
    },
    "finding.corrupt_image.hint": {
        "en": "Copy the picture again from its source or delete it.",
        "es": "Vuelve a copiar la imagen desde su origen o bórrala.",
    },
    "finding.empty_class": {
        "en": "The class folder {field} has no usable images.",
        "es": "La carpeta de clase {field} no tiene imágenes utilizables.",
    },
    "finding.empty_class.hint": {
        "en": "Put images of this class in it (JPEG or PNG), or delete the folder if the class is not needed.",
        "es": "Pon imágenes de esta clase en ella (JPEG o PNG), o borra la carpeta si la clase no hace falta.",
    },
    "finding.tiny_image": {
        "en": "{field} is only {width}×{height} pixels; the model sees images of about {expected}×{expected}.",
        "es": "{field} mide solo {width}×{height} píxeles; el modelo ve imágenes de unos {expected}×{expected}.",
    },
    "finding.tiny_image.hint": {
        "en": "Use a larger version of the picture if you have one; very small images carry little detail to learn from.",
        "es": "Usa una versión más grande de la imagen si la tienes; las imágenes muy pequeñas tienen poco detalle del que aprender.",
    },
    "finding.missing_validation_split": {
        "en": "There is no validation folder (val/, valid/ or validation/); Afinar will set aside part of the training images.",
        "es": "No hay carpeta de validación (val/, valid/ o validation/); Afinar reservará parte de las imágenes de entrenamiento.",
    },
    "finding.missing_validation_split.hint": {
        "en": "That is fine for a first try. To control it, make train/ and val/ folders, each with the same class subfolders.",
        "es": "Está bien para una primera prueba. Para controlarlo, crea las carpetas train/ y val/, cada una con las mismas subcarpetas de clases.",
    },
    # ---- convert
    "convert.same_file": {
        "en": "The output {path} is the input file; convert never overwrites its input.",
        "es": "La salida {path} es el archivo de entrada; convert nunca sobrescribe su entrada.",
    },
    "convert.same_file.hint": {
        "en": "Choose another name with -o, e.g. -o data.jsonl.",
        "es": "Elige otro nombre con -o, p. ej. -o datos.jsonl.",
    },
    "convert.unsupported": {
        "en": "Afinar cannot convert {suffix} files.",
        "es": "Afinar no puede convertir archivos {suffix}.",
    },
    "convert.unsupported.hint": {
        "en": "Save it as CSV, Excel (.xlsx), JSON, JSONL or Parquet first (old .xls files: \"Save as\" .xlsx).",
        "es": "Guárdalo primero como CSV, Excel (.xlsx), JSON, JSONL o Parquet (archivos .xls antiguos: \"Guardar como\" .xlsx).",
    },
    "convert.parquet_missing": {
        "en": "Reading Parquet files needs the optional package pyarrow, which is not installed.",
        "es": "Leer archivos Parquet requiere el paquete opcional pyarrow, que no está instalado.",
    },
    "convert.parquet_missing.hint": {
        "en": "Install it with: pip install 'afinar[parquet]'",
        "es": "Instálalo con: pip install 'afinar[parquet]'",
    },
    "convert.unreadable": {
        "en": "{path} cannot be read as {format}: {detail}",
        "es": "{path} no se puede leer como {format}: {detail}",
    },
    "convert.unreadable.hint": {
        "en": "Check that the file is complete and really is {format}; `afinar data validate` shows the exact line.",
        "es": "Comprueba que el archivo esté completo y que de verdad sea {format}; `afinar data validate` muestra la línea exacta.",
    },
    "convert.bad_json_line": {
        "en": "Line {line} of {path} is not valid JSON: {detail}",
        "es": "La línea {line} de {path} no es JSON válido: {detail}",
    },
    "convert.bad_json_line.hint": {
        "en": "Run `afinar data fix FILE -o fixed.jsonl` first, or correct that line.",
        "es": "Ejecuta primero `afinar data fix ARCHIVO -o corregido.jsonl`, o corrige esa línea.",
    },
    "convert.bad_csv_row": {
        "en": "Line {line} of {path} cannot be read: it has more cells than the header, or a quote that is never closed.",
        "es": "La línea {line} de {path} no se puede leer: tiene más celdas que el encabezado, o unas comillas que no se cierran.",
    },
    "convert.bad_csv_row.hint": {
        "en": "Put texts that contain the delimiter in double quotes; `afinar data validate {path}` lists every such line.",
        "es": "Pon entre comillas dobles los textos que contienen el separador; `afinar data validate {path}` lista todas esas líneas.",
    },
    "convert.no_sheet": {
        "en": "The workbook has no sheet named \"{sheet}\"; its sheets are: {sheets}.",
        "es": "El libro no tiene una hoja llamada \"{sheet}\"; sus hojas son: {sheets}.",
    },
    "convert.no_sheet.hint": {
        "en": "Use --sheet with one of those names.",
        "es": "Usa --sheet con uno de esos nombres.",
    },
    "convert.missing_column": {
        "en": "No column for the {role[en]} was found; the columns are: {columns}.",
        "es": "No se encontró la columna de {role[es]}; las columnas son: {columns}.",
    },
    "convert.missing_column.hint": {
        "en": "Say which column to use with {flag} NAME (one of the columns above).",
        "es": "Indica qué columna usar con {flag} NOMBRE (una de las columnas de arriba).",
    },
    "convert.no_records": {
        "en": "{path} holds no records to convert.",
        "es": "{path} no contiene registros para convertir.",
    },
    "convert.no_records.hint": {
        "en": "Check that the first row has the column names and the rows below it the data.",
        "es": "Comprueba que la primera fila tenga los nombres de las columnas y las filas de abajo los datos.",
    },
    "convert.role.user": {"en": "user message (question)", "es": "mensaje del usuario (pregunta)"},
    "convert.role.assistant": {"en": "assistant message (answer)", "es": "mensaje del asistente (respuesta)"},
    "convert.role.text": {"en": "text", "es": "texto"},
    "convert.role.label": {"en": "label", "es": "etiqueta"},
    "convert.done": {
        "en": "Wrote {count} {task} examples to {path} (from {source}, {format}).",
        "es": "Se escribieron {count} ejemplos de {task} en {path} (desde {source}, {format}).",
    },
    "convert.columns": {
        "en": "Columns used: {columns}",
        "es": "Columnas usadas: {columns}",
    },
    "convert.skipped.chat": {
        "en": "Skipped {count} rows without a question or an answer: {lines}",
        "es": "Se omitieron {count} filas sin pregunta o sin respuesta: {lines}",
    },
    "convert.skipped.text-classification": {
        "en": "Skipped {count} rows without a text or a label: {lines}",
        "es": "Se omitieron {count} filas sin texto o sin etiqueta: {lines}",
    },
    "convert.skipped_role": {
        "en": "Skipped {count} conversations with an unknown speaker: {lines}",
        "es": "Se omitieron {count} conversaciones con un interlocutor desconocido: {lines}",
    },
    "convert.next": {
        "en": "Next: afinar data validate {path}",
        "es": "Siguiente paso: afinar data validate {path}",
    },
    # ---- split
    "split.unsupported": {
        "en": "split works on a JSONL or CSV file, not on {path}.",
        "es": "split funciona con un archivo JSONL o CSV, no con {path}.",
    },
    "split.unsupported.hint": {
        "en": "For image folders, create train/ and val/ folders with the same class subfolders.",
        "es": "Para carpetas de imágenes, crea las carpetas train/ y val/ con las mismas subcarpetas de clases.",
    },
    "split.bad_line": {
        "en": "Line {line} of {path} is not one JSON object: {detail}",
        "es": "La línea {line} de {path} no es un objeto JSON: {detail}",
    },
    "split.bad_line.hint": {
        "en": "Run `afinar data validate` and `afinar data fix` first; split needs a clean file.",
        "es": "Ejecuta primero `afinar data validate` y `afinar data fix`; split necesita un archivo limpio.",
    },
    "split.bad_csv": {
        "en": "{path} cannot be split: {detail}",
        "es": "{path} no se puede dividir: {detail}",
    },
    "split.bad_csv.hint": {
        "en": "Run `afinar data validate {path}` to see the problem and its line.",
        "es": "Ejecuta `afinar data validate {path}` para ver el problema y su línea.",
    },
    "split.too_few": {
        "en": "{path} has only {count} distinct examples; at least 2 are needed to split.",
        "es": "{path} solo tiene {count} ejemplos distintos; se necesitan al menos 2 para dividir.",
    },
    "split.done": {
        "en": "train: {train} examples → {train_path}\nvalid: {valid} examples → {valid_path}",
        "es": "entrenamiento: {train} ejemplos → {train_path}\nvalidación: {valid} ejemplos → {valid_path}",
    },
    "split.done_pairs": {
        "en": "train: {train} pairs → {train_path}\nvalid: {valid} pairs → {valid_path}",
        "es": "entrenamiento: {train} pares → {train_path}\nvalidación: {valid} pares → {valid_path}",
    },
    "split.by_label": {
        "en": "  {label}: {train} train, {valid} valid",
        "es": "  {label}: {train} entrenamiento, {valid} validación",
    },
    "split.grouped_preference": {
        "en": "{count} pairs that share their conversation were kept on the same side of the split.",
        "es": "{count} pares que comparten su conversación se mantuvieron del mismo lado de la división.",
    },
    "split.grouped": {
        "en": "{count} repeated examples were kept on the same side of the split.",
        "es": "{count} ejemplos repetidos se mantuvieron del mismo lado de la división.",
    },
}
