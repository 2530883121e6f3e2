"""Messages of `afinar export gguf|ollama|hf` (chat fine-tunes)."""

MESSAGES: dict[str, dict[str, str]] = {
    "chat.export.not_finetune": {
        "en": "{model} is not a chat fine-tune: export gguf, ollama and hf take an ft: model id, a chat run "
              "folder or one of its checkpoints.",
        "es": "{model} no es un ajuste fino de chat: export gguf, ollama y hf reciben un id ft:, una carpeta "
              "de ejecución de chat o uno de sus checkpoints.",
    },
    "chat.export.not_finetune.hint": {
        "en": "See your fine-tunes with `afinar jobs list`, or pass the folder `afinar train chat` wrote "
              "(for example runs/ftjob-…). Base models are already available as GGUF from their authors.",
        "es": "Mira tus ajustes finos con `afinar jobs list`, o indica la carpeta que escribió "
              "`afinar train chat` (por ejemplo runs/ftjob-…). Los modelos base ya existen en GGUF publicados "
              "por sus autores.",
    },
    "chat.export.not_chat": {
        "en": "{model} is a {task} run, not a chat fine-tune; GGUF, Ollama and merged folders are for chat models.",
        "es": "{model} es una ejecución de {task}, no un ajuste fino de chat; GGUF, Ollama y las carpetas "
              "fusionadas son para modelos de chat.",
    },
    "chat.export.not_chat.hint": {
        "en": "Share a classifier with `afinar export space RUN -o space/`.",
        "es": "Comparte un clasificador con `afinar export space RUN -o space/`.",
    },
    "chat.export.no_weights": {
        "en": "No model weights (config.json and model.safetensors) in {path}.",
        "es": "No hay pesos del modelo (config.json y model.safetensors) en {path}.",
    },
    "chat.export.no_weights.hint": {
        "en": "The base model folder may have been removed: `afinar models pull NAME` brings a catalog base back.",
        "es": "Puede que la carpeta del modelo base se haya borrado: `afinar models pull NOMBRE` recupera una "
              "base del catálogo.",
    },
    "chat.export.adapter_unsupported": {
        "en": "The trained weights in {path} hold tensors the export cannot merge (only LoRA on linear "
              "layers, or a full fine-tune, is supported).",
        "es": "Los pesos entrenados de {path} contienen tensores que la exportación no sabe fusionar (solo "
              "LoRA en capas lineales, o un ajuste completo).",
    },
    "chat.export.adapter_unsupported.hint": {
        "en": "Export the adapter as it is with `afinar export hf MODEL --adapter-only -o DIR`.",
        "es": "Exporta el adaptador tal cual con `afinar export hf MODELO --adapter-only -o CARPETA`.",
    },
    "chat.export.quant_llama_cpp": {
        "en": "--quant {quant} is a llama.cpp quantization the gguf package cannot write. It writes: {choices}.",
        "es": "--quant {quant} es una cuantización de llama.cpp que el paquete gguf no sabe escribir. "
              "Escribe: {choices}.",
    },
    "chat.export.quant_llama_cpp.hint": {
        "en": "Export with --quant f16, then run llama.cpp's `llama-quantize model-f16.gguf model-{quant}.gguf "
              "{quant}`. Or use q4_0 / q5_0, which are written directly.",
        "es": "Exporta con --quant f16 y luego ejecuta `llama-quantize model-f16.gguf model-{quant}.gguf {quant}` "
              "de llama.cpp. O usa q4_0 / q5_0, que se escriben directamente.",
    },
    "chat.export.quant_unknown": {
        "en": "--quant {quant} is not a tensor type Afinar can write. Choose one of: {choices}.",
        "es": "--quant {quant} no es un tipo de tensor que Afinar sepa escribir. Elige uno de: {choices}.",
    },
    "chat.export.quant_unknown.hint": {
        "en": "q8_0 is nearly lossless at half the size of f16; q4_0 is the smallest.",
        "es": "q8_0 casi no pierde calidad y ocupa la mitad que f16; q4_0 es el más pequeño.",
    },
    "chat.export.quant_shape": {
        "en": "--quant {quant} stores rows in blocks of {block} values, and these weights have rows of "
              "another length: {tensors}.",
        "es": "--quant {quant} guarda las filas en bloques de {block} valores, y estos pesos tienen filas de "
              "otro largo: {tensors}.",
    },
    "chat.export.quant_shape.hint": {
        "en": "Use --quant f16 (or bf16 / f32), which take any shape.",
        "es": "Usa --quant f16 (o bf16 / f32), que aceptan cualquier forma.",
    },
    "chat.export.arch_unsupported": {
        "en": "{model} is a {arch} model; GGUF export knows these architectures: {supported}.",
        "es": "{model} es un modelo {arch}; la exportación a GGUF conoce estas arquitecturas: {supported}.",
    },
    "chat.export.arch_unsupported.hint": {
        "en": "Export a merged Hugging Face folder with `afinar export hf MODEL -o DIR`, then convert it with "
              "llama.cpp's convert_hf_to_gguf.py.",
        "es": "Exporta una carpeta de Hugging Face fusionada con `afinar export hf MODELO -o CARPETA` y "
              "conviértela con convert_hf_to_gguf.py de llama.cpp.",
    },
    "chat.export.rope_unsupported": {
        "en": "{model} uses rotary scaling {rope}, which the GGUF export does not write yet.",
        "es": "{model} usa el escalado rotatorio {rope}, que la exportación a GGUF aún no escribe.",
    },
    "chat.export.rope_unsupported.hint": {
        "en": "Export a merged folder with `afinar export hf MODEL -o DIR` and convert it with llama.cpp's "
              "convert_hf_to_gguf.py.",
        "es": "Exporta una carpeta fusionada con `afinar export hf MODELO -o CARPETA` y conviértela con "
              "convert_hf_to_gguf.py de llama.cpp.",
    },
    "chat.export.unknown_tensor": {
        "en": "{model} has a tensor GGUF has no name for: {tensor}.",
        "es": "{model} tiene un tensor que GGUF no sabe nombrar: {tensor}.",
    },
    "chat.export.unknown_tensor.hint": {
        "en": "Export a merged folder with `afinar export hf MODEL -o DIR` instead.",
        "es": "Exporta en su lugar una carpeta fusionada con `afinar export hf MODELO -o CARPETA`.",
    },
    "chat.export.tokenizer_unsupported": {
        "en": "The tokenizer of {model} ({kind}) is not a byte-level BPE tokenizer, the kind the GGUF export writes.",
        "es": "El tokenizador de {model} ({kind}) no es un BPE a nivel de bytes, el tipo que escribe la "
              "exportación a GGUF.",
    },
    "chat.export.tokenizer_unsupported.hint": {
        "en": "Export a merged folder with `afinar export hf MODEL -o DIR` and convert it with llama.cpp's "
              "convert_hf_to_gguf.py.",
        "es": "Exporta una carpeta fusionada con `afinar export hf MODELO -o CARPETA` y conviértela con "
              "convert_hf_to_gguf.py de llama.cpp.",
    },
    "chat.export.tokenizer_mismatch": {
        "en": "The tokenizer in {path}, the GGUF file the base of {model} came from, has {found} tokens and "
              "the model {rows}.",
        "es": "El tokenizador de {path}, el archivo GGUF del que salió la base de {model}, tiene {found} "
              "tokens y el modelo {rows}.",
    },
    "chat.export.tokenizer_mismatch.hint": {
        "en": "Export a merged folder with `afinar export hf MODEL -o DIR` and convert it with llama.cpp's "
              "convert_hf_to_gguf.py.",
        "es": "Exporta una carpeta fusionada con `afinar export hf MODELO -o CARPETA` y conviértela con "
              "convert_hf_to_gguf.py de llama.cpp.",
    },
    "chat.export.exists": {
        "en": "{path} already exists (and, for a folder, is not empty); nothing was written.",
        "es": "{path} ya existe (y, si es una carpeta, no está vacía); no se escribió nada.",
    },
    "chat.export.exists.hint": {
        "en": "Choose another -o, or add --force to replace it.",
        "es": "Elige otro -o, o añade --force para reemplazarlo.",
    },
    "chat.export.no_adapter": {
        "en": "{model} was trained with --method {method}: it has no adapter, only full weights.",
        "es": "{model} se entrenó con --method {method}: no tiene adaptador, solo pesos completos.",
    },
    "chat.export.no_adapter.hint": {
        "en": "Drop --adapter-only to write the full model.",
        "es": "Quita --adapter-only para escribir el modelo completo.",
    },
    "chat.export.progress": {"en": "writing tensors", "es": "escribiendo tensores"},
    "chat.export.gguf_done": {
        "en": "GGUF written to {path} ({quant}, {tensors} tensors, {size} MB).\n"
              "Run it: llama-cli -m {path} -cnv   or import it in LM Studio or Ollama.",
        "es": "GGUF escrito en {path} ({quant}, {tensors} tensores, {size} MB).\n"
              "Ejecútalo: llama-cli -m {path} -cnv   o impórtalo en LM Studio u Ollama.",
    },
    "chat.export.ollama_done": {
        "en": "Ollama folder written to {path} (model.gguf in {quant} and Modelfile). Run it with:",
        "es": "Carpeta para Ollama escrita en {path} (model.gguf en {quant} y Modelfile). Ejecútalo con:",
    },
    "chat.export.hf_done": {
        "en": "Merged model written to {path}: load it with transformers, `vllm serve {path}` or "
              "`afinar chat -m {path}`.",
        "es": "Modelo fusionado escrito en {path}: cárgalo con transformers, `vllm serve {path}` o "
              "`afinar chat -m {path}`.",
    },
    "chat.export.adapter_done": {
        "en": "Adapter written to {path}: load it with peft's PeftModel.from_pretrained(base, \"{path}\").",
        "es": "Adaptador escrito en {path}: cárgalo con PeftModel.from_pretrained(base, \"{path}\") de peft.",
    },
}
