"""The page: a title, the es/en switch and one tab per part of the product.

The language is the one chosen before in this browser (kept in its local storage), else the
browser's Accept-Language (``default_lang`` when it names neither Spanish nor English); the switch
relabels every registered component at once, re-renders the results on screen and sets the
language of Gradio's own texts (upload boxes...), those drawn already included.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from afinar.i18n import LANGS
from afinar.studio.texts import Texts, pick_lang

# Optional extra styling; ``afinar serve`` may pass it as ``mount_gradio_app(..., css=CSS)``.
# Table headers of the result tables (sources, metrics) break between words, never inside one.
# Ajuste fino's tables need it forced on Gradio's inner header elements too ("Pas o", "entrenamient o"
# in the checkpoints' narrow columns, seen in a screenshot), with columns wide enough for their words.
CSS = (".studio-title h1 {margin-bottom: 0}\n"
       "#kb-sources th, #cls-metrics th, #img-metrics th, #cmp-all-results th "
       "{word-break: normal; overflow-wrap: normal; hyphens: none}\n"
       "#ft-checkpoints th, #ft-checkpoints th *, #ft-events th, #ft-events th * "
       "{word-break: normal !important; overflow-wrap: normal !important; hyphens: none !important}\n"
       "#kb-sources td:first-child {white-space: nowrap}")
LANG_STORAGE_KEY = "afinar-studio-lang"
# Gradio's own texts (upload boxes...) follow the browser's locale. This sets Gradio's front end to
# the page's language (changeLocale of its core module, already loaded by the page) and mends the
# upload boxes Gradio drew before: Gradio hands each component the translator of the moment it was
# created, so a box drawn at start-up (or drawn again after a file is removed) keeps the browser's
# language. Every text node of an upload box that is one of Gradio's upload texts in a language seen
# on this page is rewritten in the current one, now and whenever Gradio draws it again (a
# MutationObserver). Gradio's translator is found among the core module's exports as the store whose
# value translates "upload_text.click_to_upload"; without it only changeLocale is done.
GRADIO_LOCALE_JS = """
async (lang) => {
  const core = performance.getEntriesByType("resource").map((e) => e.name)
    .find((name) => /\\/assets\\/core-[^/]+\\.js$/.test(name));
  if (!core) return lang;
  const module = await import(core);
  const KEYS = ["upload_text.drop_file", "upload_text.drop_image", "upload_text.click_to_upload", "common.or"];
  const state = window.afinarGradioLocale ??= {seen: new Map(), current: null, store: undefined};
  const current = (store) => { let value; store.subscribe((v) => { value = v; })(); return value; };
  if (state.store === undefined) {
    state.store = Object.values(module).find((v) => {
      if (!v || typeof v.subscribe !== "function") return false;
      try {
        const f = current(v);
        return typeof f === "function" && f("upload_text.click_to_upload") !== "upload_text.click_to_upload";
      } catch (err) { return false; }
    }) || null;
    if (state.store) {
      const texts = (f) => Object.fromEntries(KEYS.map((k) => [k, k === "common.or" ? `- ${f(k)} -` : f(k)]));
      const mend = (root) => {
        if (!state.current) return;
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = node.nodeValue.trim(), key = state.seen.get(text);
          if (!key || state.current[key] === text) continue;
          const block = node.parentElement && node.parentElement.closest(".block");
          if (block && block.querySelector("input[type=file]")) node.nodeValue = node.nodeValue.replace(text, state.current[key]);
        }
      };
      const learn = (f) => {
        if (typeof f !== "function" || f("upload_text.click_to_upload") === "upload_text.click_to_upload") return;
        for (const [key, text] of Object.entries(texts(f))) state.seen.set(text, key);
      };
      learn(current(state.store));  // the language Gradio drew the page in
      state.store.subscribe((f) => {
        if (typeof f !== "function" || f("upload_text.click_to_upload") === "upload_text.click_to_upload") return;
        learn(f);
        state.current = texts(f);
        mend(document.body);
      });
      new MutationObserver((changes) => {
        for (const change of changes) {
          if (change.type === "characterData") mend(change.target.parentNode || document.body);
          for (const node of change.addedNodes) mend(node.nodeType === Node.TEXT_NODE ? node.parentNode : node);
        }
      }).observe(document.body, {childList: true, subtree: true, characterData: true});
    }
  }
  if (module.changeLocale) module.changeLocale(lang);
  return lang;
}
"""


def build_studio(service: Any = None, default_lang: str = "es") -> Any:
    """The studio's ``gradio.Blocks``. ``service``: ``afinar.server.service.Service`` or None."""
    from afinar.studio import (
        data_tab,
        images_tab,
        knowledge_tab,
        models_tab,
        playground_tab,
        textcls_tab,
    )
    from afinar.studio.local import backend_for

    T = Texts(default_lang)
    on_load: list[tuple[Any, ...]] = []  # (function, outputs[, inputs]) run when a page opens
    backend = backend_for(service)
    with gr.Blocks(title="Afinar", analytics_enabled=False) as blocks:
        with gr.Row():
            T.make(gr.Markdown, "studio.title", attr="value", elem_classes="studio-title", scale=4)
            lang = gr.Radio(choices=[("Español", "es"), ("English", "en")], value=default_lang,
                            label="Idioma / Language", elem_id="studio-lang", scale=1)
        with gr.Tabs():
            pages = [("data", lambda: data_tab.build(T, lang, service))]
            if service is not None:  # the pages that train: their runs are jobs of the server's queue
                from afinar.studio import finetune_tab

                pages.append(("finetune", lambda: finetune_tab.build(T, lang, service)))
            pages.append(("playground", lambda: playground_tab.build(T, lang, backend)))
            if service is not None:
                pages += [("textcls", lambda: textcls_tab.build(T, lang, service)),
                          ("images", lambda: images_tab.build(T, lang, service))]
            pages += [("knowledge", lambda: knowledge_tab.build(T, lang, backend)),
                      ("models", lambda: models_tab.build(T, lang, backend))]
            for name, build_page in pages:
                with T.make(gr.Tab, f"studio.tab.{name}", id=name, elem_id=f"tab-{name}") as tab:
                    loaders = build_page()
                # what a page shows from the server's state is read again whenever the page is opened
                for fn, outputs, *inputs in loaders:
                    tab.select(fn, inputs[0] if inputs else None, outputs)
                on_load += loaders

        remembered = gr.BrowserState("", storage_key=LANG_STORAGE_KEY)

        def detect(saved: str, request: gr.Request) -> str:
            if saved in LANGS:
                return saved
            header = request.headers.get("accept-language") if request is not None else None
            return pick_lang(header, default_lang)

        blocks.load(detect, remembered, lang).then(None, lang, None, js=GRADIO_LOCALE_JS)
        lang.input(lambda chosen: chosen, lang, remembered)
        lang.change(None, lang, None, js=GRADIO_LOCALE_JS)
        for fn, outputs, *inputs in on_load:
            blocks.load(fn, inputs[0] if inputs else None, outputs)
        lang.change(T.relabel, lang, T.components)
    return blocks
