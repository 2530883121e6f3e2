"""Supervised fine-tuning of causal language models on OpenAI-format chat data."""

import logging

# bitsandbytes (QLoRA's 4-bit layers, imported by peft when installed) warns at import, on CPUs with
# AVX512-BF16, that the optional `kernels` package is missing — a package that would fetch a kernel
# from the Hub, which Afinar never does. A learner saw it in red under every tuned answer.
logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(logging.ERROR)
