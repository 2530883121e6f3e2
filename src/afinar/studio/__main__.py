"""``python -m afinar.studio [--port N] [--lang es|en] [--with-service]``: the studio on 127.0.0.1 alone.

Without ``--with-service`` the pages that need the job queue (Ajuste fino) are left out; the rest
works on the library directly. ``afinar serve`` is the normal way to run it (API + studio).
"""

from __future__ import annotations

import argparse
import os


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    parser = argparse.ArgumentParser(prog="python -m afinar.studio", description=__doc__)
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--lang", choices=["es", "en"], default="es")
    parser.add_argument("--with-service", action="store_true", help="Start the server's job service too.")
    args = parser.parse_args(argv)
    from afinar.studio import CSS, build_studio

    service = None
    if args.with_service:
        from afinar.server.service import Service

        service = Service()
        service.start()
    blocks = build_studio(service, default_lang=args.lang)
    blocks.queue().launch(server_name="127.0.0.1", server_port=args.port, css=CSS, footer_links=[],
                          show_error=True, quiet=True)


if __name__ == "__main__":
    main()
