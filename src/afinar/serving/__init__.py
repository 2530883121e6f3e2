"""Every answer Afinar gives goes through here: the API's chat completions, the studio's
Playground, Comparar and Conocimiento, ``afinar chat``, ``afinar compare`` and ``afinar rag ask``.

- :mod:`afinar.serving.resolve` — which model names this machine has (nothing is ever downloaded
  for an answer) and whether a model is a chat model or an embedder.
- :mod:`afinar.serving.engine` — one loaded chat model: concurrent requests are decoded together
  by transformers' continuous batching, bounded (context, queue), cancellable within one step.
- :mod:`afinar.serving.pool` — the loaded engines (a small LRU), one pool per process.
- :mod:`afinar.serving.text` — text out of token streams: whole characters only, stop strings.
"""

from afinar.serving.engine import ContextTooLong, Generation, QueueFull
from afinar.serving.pool import ModelPool, default_pool

__all__ = ["ContextTooLong", "Generation", "ModelPool", "QueueFull", "default_pool"]
