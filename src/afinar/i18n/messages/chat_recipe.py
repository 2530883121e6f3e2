"""Messages of the chat recipe (what ``auto`` chose and why), the built-in evaluation and the
training system prompt that travels with a fine-tuned model."""

MESSAGES: dict[str, dict[str, str]] = {
    "recipe.epochs_small": {
        "en": "{epochs} epochs (auto): {examples} examples are few; a small model needs about {passes} "
              "example passes to learn facts (measured: docs/benchmarks.md)",
        "es": "{epochs} épocas (auto): {examples} ejemplos son pocos; un modelo pequeño necesita unas {passes} "
              "pasadas por ejemplos para aprender datos (medido: docs/benchmarks.md)",
    },
    "recipe.epochs_openai": {
        "en": "{epochs} epochs (auto): OpenAI's rule, about 3 epochs and 100–25,000 examples seen",
        "es": "{epochs} épocas (auto): la regla de OpenAI, unas 3 épocas y entre 100 y 25.000 ejemplos vistos",
    },
    "recipe.batch": {
        "en": "batch size {batch_size} (auto): about 0.2 % of {examples} examples, at least 4",
        "es": "tamaño de lote {batch_size} (auto): un 0,2 % de {examples} ejemplos, al menos 4",
    },
    "recipe.epochs_dpo": {
        "en": "{epochs} epochs (auto): preference pairs move the model with every step, a few passes are enough",
        "es": "{epochs} épocas (auto): los pares de preferencias mueven el modelo en cada paso, bastan pocas pasadas",
    },
    "recipe.lr_dpo": {
        "en": "learning rate {learning_rate} (auto, multiplier {multiplier}): a tenth of supervised LoRA's, "
              "so the model keeps its language while it learns the preferences",
        "es": "tasa de aprendizaje {learning_rate} (auto, multiplicador {multiplier}): una décima parte de la del "
              "LoRA supervisado, para que el modelo conserve su idioma mientras aprende las preferencias",
    },
    "recipe.lr_dpo_full": {
        "en": "learning rate {learning_rate} (auto, multiplier {multiplier}): LoRA DPO's divided by 20, as full "
              "supervised training's is LoRA's, since every weight moves",
        "es": "tasa de aprendizaje {learning_rate} (auto, multiplicador {multiplier}): la del DPO con LoRA dividida "
              "entre 20, como la del ajuste supervisado completo respecto a LoRA, porque se mueven todos los pesos",
    },
    "recipe.lr_small": {
        "en": "learning rate {learning_rate} (auto, multiplier {multiplier}): a small job ({passes} example "
              "passes, under {limit}) needs larger steps to learn within its epochs",
        "es": "tasa de aprendizaje {learning_rate} (auto, multiplicador {multiplier}): un trabajo pequeño "
              "({passes} pasadas por ejemplos, menos de {limit}) necesita pasos más grandes para aprender",
    },
    "recipe.lr": {
        "en": "learning rate {learning_rate} (auto, multiplier {multiplier}): {passes} example passes",
        "es": "tasa de aprendizaje {learning_rate} (auto, multiplicador {multiplier}): {passes} pasadas por ejemplos",
    },
    "data.estimate.recipe_title": {
        "en": "  What auto chooses here, and why:",
        "es": "  Lo que auto elige aquí, y por qué:",
    },
    "data.estimate.openai_epochs": {
        "en": "  (OpenAI would train {epochs} epochs: its prices below are for that)",
        "es": "  (OpenAI entrenaría {epochs} épocas: sus precios, abajo, son para eso)",
    },
    "chat.eval.source.eval_prompts": {"en": "your check questions", "es": "tus preguntas de control"},
    "chat.eval.source.validation": {"en": "held-out validation examples", "es": "ejemplos de validación apartados"},
    "chat.eval.source.training": {
        "en": "training questions (too few examples to hold any out: this measures recall, not paraphrases; "
              "give --eval-prompts for that)",
        "es": "preguntas de entrenamiento (muy pocos ejemplos para apartar alguno: mide memoria, no "
              "paráfrasis; usa --eval-prompts para eso)",
    },
    "chat.eval.result": {
        "en": "Evaluation on {checks} {source}: {recalled}/{total} expected facts stated; non-word rate {nonwords}",
        "es": "Evaluación con {checks} {source}: {recalled}/{total} datos esperados dichos; palabras inexistentes {nonwords}",
    },
    "chat.eval.nonwords_unmeasured": {
        "en": "not measured (install hunspell and its dictionary, e.g. apt-get install hunspell hunspell-es)",
        "es": "sin medir (instala hunspell y su diccionario, p. ej. apt-get install hunspell hunspell-es)",
    },
    "chat.eval.skipped_sharded": {
        "en": "Evaluation skipped: a sharded (--fsdp) model answers after training (afinar compare)",
        "es": "Evaluación omitida: un modelo fragmentado (--fsdp) responde después del entrenamiento (afinar compare)",
    },
    "chat.system_default": {
        "en": "Using the system prompt of the training data (--system '' to chat without it): {system}",
        "es": "Uso el mensaje de sistema de los datos de entrenamiento (--system '' para no usarlo): {system}",
    },
    "compare.nonwords": {
        "en": "Non-word rate ({lang} dictionary): base {base}, fine-tuned {tuned}",
        "es": "Palabras inexistentes (diccionario {lang}): base {base}, ajustado {tuned}",
    },
    "compare.system": {
        "en": "Both models answered with the fine-tuned model's training system prompt: {system}",
        "es": "Los dos modelos respondieron con el mensaje de sistema del entrenamiento del ajustado: {system}",
    },
}
