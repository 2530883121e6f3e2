"""The studio in a real browser: `afinar serve` (API + studio) in a subprocess on 127.0.0.1 with a
temporary AFINAR_HOME, and Debian's Chromium driven by Playwright (never a downloaded browser).

Screenshots of every page go to tests/artifacts/studio/ (git-ignored); the path is printed.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))
REPO = TESTS.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = TESTS / "artifacts" / "studio"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    print(f"\nstudio screenshots: {ARTIFACTS}")
    return ARTIFACTS


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny random models built in code (a chat model, a BERT, a MobileNetV2) and a zip of generated
    pictures (red squares, blue discs): seconds, nothing downloaded."""
    import csv

    from fixtures.models.tiny_bert import write_tiny_bert
    from fixtures.models.tiny_images import write_base, write_shapes
    from tiny_chat import build

    root = tmp_path_factory.mktemp("tiny")
    texts = []
    for name in ("train.csv", "valid.csv"):
        with open(REPO / "examples" / "restaurante" / name, encoding="utf-8") as fh:
            texts += [" ".join(r.values()) for r in csv.DictReader(fh)]
    catalog = REPO / "examples" / "techstore-catalog" / "docs"
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(catalog.iterdir())]
    shapes = write_shapes(root / "formas", train=8, valid=4)
    archive = shutil.make_archive(str(root / "formas"), "zip", shapes)
    return {"chat": build(root / "chat"), "bert": write_tiny_bert(root / "bert", texts, hidden=32),
            "image_base": write_base(root / "image-base"), "shapes_zip": Path(archive),
            "picture": next((shapes / "validation" / "red").iterdir())}


@pytest.fixture(scope="module")
def studio_url(tmp_path_factory: pytest.TempPathFactory):
    """`afinar serve` with the studio at / on a random port; killed (with its training children) at the end."""
    home = tmp_path_factory.mktemp("studio-home")
    port = _free_port()
    log = home / "server.log"
    env = {**os.environ, "AFINAR_HOME": str(home), "AFINAR_LANG": "es", "OMP_NUM_THREADS": "1",
           "TOKENIZERS_PARALLELISM": "false", "GRADIO_ANALYTICS_ENABLED": "False"}
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "afinar", "serve", "--port", str(port)], env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError("afinar serve exited:\n" + log.read_text(errors="replace"))
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200 and b"gradio" in resp.read().lower():
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the studio did not come up at /:\n" + log.read_text(errors="replace"))
            time.sleep(0.3)
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)
        print("\n--- afinar serve log (tail) ---\n" + log.read_text(errors="replace")[-3000:])


@pytest.fixture(scope="module")
def page(studio_url: str, tmp_path_factory: pytest.TempPathFactory):
    """One Chromium page (Spanish browser, fresh profile) on the studio for the whole module."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_FLAGS, locale="es-ES", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        pg = context.new_page()
        pg.goto(studio_url)
        pg.wait_for_selector("#data-file")
        yield pg
        context.close()
