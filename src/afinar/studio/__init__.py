"""The web studio: Afinar's pages in the browser (Gradio), in Spanish and English.

``build_studio(service)`` returns the ``gradio.Blocks`` that ``afinar serve`` mounts at ``/``;
``service`` is the server's ``Service`` (files, fine-tuning jobs, models, chat). Without one
(``python -m afinar.studio``), the pages that need no job queue still work on the library directly.
"""

from __future__ import annotations

import os

# No telemetry: Gradio reads this before it is imported.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from afinar.studio.app import CSS, build_studio

__all__ = ["CSS", "build_studio"]
