"""What to tell the user when training stops: the cause, and the knob to turn."""

from __future__ import annotations


def describe(err: BaseException) -> str:
    text = f"{type(err).__name__}: {err}"
    lowered = text.lower()
    if "out of memory" in lowered or type(err).__name__ in ("OutOfMemoryError", "MemoryError"):
        return ("Out of memory. Lower --batch-size, lower --max-length, add --gradient-checkpointing, "
                "or use --method lora instead of full fine-tuning. "
                f"({text[:300]})")
    if isinstance(err, KeyboardInterrupt):
        return "Training was interrupted; resume it with --resume from the last checkpoint."
    return f"Training failed: {text[:500]}. The last checkpoint is kept; fix the cause and use --resume."
