"""The Playground page: chat with any model (streaming), and "Comparar": the same prompt to a base
and a fine-tuned model side by side, with the course's test cases one click away and their
expected facts scored (``afinar.evaluate.compare``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.studio.datasets import error_text
from afinar.studio.local import items
from afinar.studio.texts import Texts, tr

# The course's TechStore test cases (examples/techstore/test_prompts.jsonl in the repository).
TEST_PROMPTS = Path(__file__).resolve().parents[3] / "examples" / "techstore" / "test_prompts.jsonl"
MAX_TOKENS = 200


def test_cases(path: Path = TEST_PROMPTS) -> list[Any]:
    from afinar.evaluate.compare import read_prompts

    return read_prompts(path) if path.is_file() else []


def model_choices(backend: Any) -> list[str]:
    """The chat models: fine-tuned ones first (newest first), then the chat bases in the cache
    (never an embedder, an image backbone or a knowledge base)."""
    ids = [m["id"] for m in items(backend.list_models()) if m.get("task", "chat") == "chat"]
    tuned = [i for i in reversed(ids) if i.startswith("ft:")]
    return tuned + [i for i in ids if not i.startswith("ft:")]


def base_of(model_id: str | None, bases: list[str]) -> str | None:
    """The base a fine-tuned model was trained from (``ft:BASE:...``), when it is among ``bases``."""
    parts = (model_id or "").split(":")
    return parts[1] if len(parts) > 2 and parts[0] == "ft" and parts[1] in bases else None


def stream_reply(backend: Any, model: str, messages: list[dict], lang: str,
                 max_tokens: int = MAX_TOKENS) -> Iterator[str]:
    """The reply so far, growing with each delta; an error ends it with the explanation."""
    text = ""
    try:
        for delta in backend.chat_stream(model, messages, max_tokens=int(max_tokens), temperature=0.0):
            text += delta
            yield text
    except AfinarError as err:
        yield (text + "\n\n" if text else "") + error_text(err, lang)


def facts_line(answer: str, expected: list[str], lang: str) -> str:
    from afinar.evaluate.compare import score

    if not expected:
        return ""
    found = score(answer, expected)
    marks = " · ".join(("✓ " if ok else "✗ ") + pattern.replace("\\", "") for pattern, ok in zip(expected, found))
    return f"\n\n_{tr('studio.play.facts', lang, found=sum(found), total=len(found))}: {marks}_"


def system_prompt_of(model: str | None) -> str:
    """The fine-tuned model's training system prompt ('' when it has none): the Playground starts
    with it and Comparar asks both models with it, as `afinar chat` and `afinar compare` do."""
    from afinar.tasks.chat.predict import training_system_prompt

    return (training_system_prompt(model) or "") if model else ""


def with_system(system: str, prompt: str) -> list[dict]:
    return ([{"role": "system", "content": system}] if system.strip() else []) + [{"role": "user", "content": prompt}]


def full_reply(backend: Any, model: str, prompt: str, lang: str, max_tokens: int, system: str = "") -> str:
    text = ""
    for text in stream_reply(backend, model, with_system(system, prompt), lang, max_tokens):
        pass
    return text


def all_cases(backend: Any, cases: list[Any], base_id: str, tuned_id: str, lang: str,
              max_tokens: int = MAX_TOKENS) -> Iterator[dict[str, Any]]:
    """Every course test case to both models (like ``afinar compare``), case by case: the results so
    far, which ``cases_table`` writes in a language (again when the page's language changes)."""
    from afinar.evaluate.compare import score

    if not base_id or not tuned_id:
        yield {"need": True}
        return
    done: dict[str, Any] = {"base": base_id, "tuned": tuned_id, "rows": [], "found": {"base": 0, "tuned": 0},
                            "total": sum(len(c.expected) for c in cases), "finished": False}
    system = system_prompt_of(tuned_id)
    for case in cases:
        cells = []
        for key, model in (("base", base_id), ("tuned", tuned_id)):
            answer = full_reply(backend, model, case.prompt, lang, max_tokens, system)
            hits = score(answer, case.expected)
            done["found"][key] += sum(hits)
            cells.append([" ".join(answer.split()).replace("|", "\\|")[:300], sum(hits), len(hits)])
        done["rows"].append([case.case or "", case.prompt, cells])
        yield {**done, "rows": list(done["rows"]), "found": dict(done["found"])}
    yield {**done, "finished": True}


def cases_table(done: dict[str, Any] | None, lang: str) -> str:
    """The results of ``all_cases`` as a Markdown table in ``lang``, with the facts found in total at the end."""
    if not done:
        return ""
    if done.get("need"):
        return tr("studio.play.compare_need", lang)
    head = [f"| {tr('studio.play.case', lang)} | {done['base']} | {done['tuned']} |", "|---|---|---|"]
    rows = [f"| **{case}** {prompt} | " + " | ".join(f"{text} **({hits}/{n})**" for text, hits, n in cells) + " |"
            for case, prompt, cells in done["rows"]]
    text = "\n".join(head + rows)
    if done["finished"]:
        text += "\n\n" + tr("studio.play.total", lang, base=done["found"]["base"], tuned=done["found"]["tuned"],
                             total=done["total"])
    return text


def compare_texts(result: dict[str, Any] | None, lang: str) -> tuple[str, str]:
    """Comparar's two answers so far, each followed by the expected facts it contains once it is
    complete, in ``lang``."""
    if not result:
        return "", ""
    if result.get("need"):
        return tr("studio.play.compare_need", lang), ""
    if result["tuned"] is None:  # the base is still answering
        return result["base"], ""
    tuned = result["tuned"] + (facts_line(result["tuned"], result["facts"], lang) if result["finished"] else "")
    return result["base"] + facts_line(result["base"], result["facts"], lang), tuned


def build(T: Texts, lang_box: Any, backend: Any) -> list[tuple[Any, list[Any]]]:
    """The page's components; returns (function, outputs) pairs to run when the page loads."""
    import gradio as gr

    def refresh(*current: str | None) -> tuple[Any, Any, Any]:
        """New choices; a value already chosen (or typed, e.g. a model folder) is kept."""
        choices = model_choices(backend)
        tuned = [c for c in choices if c.startswith("ft:")]
        bases = [c for c in choices if not c.startswith("ft:")]
        lists = (choices, bases, tuned + bases)
        defaults = (choices[:1], bases[:1], (tuned or bases)[:1])
        values = [(now if now else (d[0] if d else None)) for now, d in zip(current or (None,) * 3, defaults)]
        if not (current and current[1]):  # Comparar's base: the tuned model's own base, when there is one
            values[1] = base_of(values[2], bases) or values[1]
        return tuple(gr.update(choices=c, value=v) for c, v in zip(lists, values))

    T.make(gr.Markdown, "studio.play.intro", attr="value")
    with gr.Row():
        model = T.make(gr.Dropdown, "studio.play.model", choices=[], allow_custom_value=True, elem_id="play-model",
                       scale=3)
        refresh_btn = T.make(gr.Button, "studio.refresh", attr="value", elem_id="play-refresh", scale=1)
    with gr.Row():
        system = T.make(gr.Textbox, "studio.play.system", placeholder="studio.play.system_hint",
                        elem_id="play-system", scale=3)
        length = T.make(gr.Slider, "studio.play.max_tokens", minimum=8, maximum=1024, step=8, value=MAX_TOKENS,
                        info="studio.play.max_tokens_info", elem_id="play-max-tokens", scale=1)
    chatbot = T.make(gr.Chatbot, "studio.play.chat", elem_id="play-chat", height=320)
    with gr.Row():
        prompt = T.make(gr.Textbox, "studio.play.prompt", placeholder="studio.play.prompt_hint", elem_id="play-prompt",
                        scale=4)
        send = T.make(gr.Button, "studio.play.send", attr="value", variant="primary", elem_id="play-send", scale=1)
        clear = T.make(gr.Button, "studio.play.clear", attr="value", elem_id="play-clear", scale=1)

    def chat(message: str, history: list[dict], model_id: str, system_text: str, max_tokens: int, lang: str):
        history = list(history or [])
        if not (message or "").strip():
            yield history, message
            return
        if not model_id:
            yield history + [{"role": "assistant", "content": tr("studio.play.need_model", lang)}], message
            return
        history.append({"role": "user", "content": message})
        messages = ([{"role": "system", "content": system_text}] if (system_text or "").strip() else []) + \
            [{"role": m["role"], "content": m["content"]} for m in history]
        for text in stream_reply(backend, model_id, messages, lang, max_tokens):
            yield history + [{"role": "assistant", "content": text}], ""

    send.click(chat, [prompt, chatbot, model, system, length, lang_box], [chatbot, prompt])
    prompt.submit(chat, [prompt, chatbot, model, system, length, lang_box], [chatbot, prompt])
    clear.click(lambda: ([], ""), None, [chatbot, prompt])
    # a fine-tuned model starts with its training system prompt, visible and editable
    model.change(lambda model_id: gr.update(value=system_prompt_of(model_id)), model, system)

    base, tuned = build_compare(T, lang_box, backend, length)
    # choosing a fine-tuned model to compare brings its own base to the other side
    tuned.change(lambda tuned_id, base_id: gr.update(value=base_of(tuned_id, model_choices(backend)) or base_id),
                 [tuned, base], base)
    pickers = [model, base, tuned]
    refresh_btn.click(refresh, pickers, pickers)
    return [(refresh, pickers, pickers)]


def build_compare(T: Texts, lang_box: Any, backend: Any, length: Any) -> tuple[Any, Any]:
    """The Comparar section: two model pickers, the course's cases, side-by-side answers, all cases."""
    import gradio as gr

    with T.make(gr.Accordion, "studio.play.compare", open=True, elem_id="play-compare-box"):
        T.make(gr.Markdown, "studio.play.compare_intro", attr="value")
        with gr.Row():
            base = T.make(gr.Dropdown, "studio.play.base", choices=[], allow_custom_value=True, elem_id="cmp-base")
            tuned = T.make(gr.Dropdown, "studio.play.tuned", choices=[], allow_custom_value=True, elem_id="cmp-tuned")
        cases = test_cases()
        cmp_prompt = T.make(gr.Textbox, "studio.play.prompt", elem_id="cmp-prompt")
        if cases:
            case_table = T.make(gr.Dataset, "studio.play.cases", components=[gr.Textbox(visible=False)],
                                samples=[[c.prompt] for c in cases], type="index", elem_id="cmp-cases")
            case_table.click(lambda index: cases[index].prompt, case_table, cmp_prompt)
        with gr.Row():
            compare_btn = T.make(gr.Button, "studio.play.compare_button", attr="value", variant="primary",
                                 elem_id="cmp-run", scale=2)
            all_btn = T.make(gr.Button, "studio.play.all_cases", attr="value", elem_id="cmp-all", visible=bool(cases),
                             scale=1)
        with gr.Row():
            base_out = T.make(gr.Markdown, "studio.play.base", elem_id="cmp-base-answer", container=True,
                              show_label=True, min_height=80)
            tuned_out = T.make(gr.Markdown, "studio.play.tuned", elem_id="cmp-tuned-answer", container=True,
                               show_label=True, min_height=80)
        all_out = gr.Markdown(elem_id="cmp-all-results")

    said, all_done = gr.State(None), gr.State(None)  # the answers on screen, to write again in another language

    def compare(text: str, base_id: str, tuned_id: str, max_tokens: int, lang: str):
        if not (text or "").strip() or not base_id or not tuned_id:
            yield (*compare_texts({"need": True}, lang), {"need": True})
            return
        # a course test case keeps its expected facts, scored like `afinar compare` does
        result: dict[str, Any] = {"base": "", "tuned": None, "finished": False,
                                  "facts": next((c.expected for c in cases if c.prompt == text.strip()), [])}
        messages = with_system(system_prompt_of(tuned_id), text.strip())
        for answer in stream_reply(backend, base_id, messages, lang, max_tokens):
            result["base"] = answer
            yield (*compare_texts(result, lang), result)
        result["tuned"] = ""
        for answer in stream_reply(backend, tuned_id, messages, lang, max_tokens):
            result["tuned"] = answer
            yield (*compare_texts(result, lang), result)
        result["finished"] = True
        yield (*compare_texts(result, lang), result)

    def run_all(base_id: str, tuned_id: str, max_tokens: int, lang: str) -> Iterator[tuple[str, dict]]:
        for done in all_cases(backend, cases, base_id, tuned_id, lang, max_tokens):
            yield cases_table(done, lang), done

    compare_btn.click(compare, [cmp_prompt, base, tuned, length, lang_box], [base_out, tuned_out, said])
    all_btn.click(run_all, [base, tuned, length, lang_box], [all_out, all_done])
    lang_box.change(lambda result, lang: compare_texts(result, lang) if result else (gr.update(), gr.update()),
                    [said, lang_box], [base_out, tuned_out])
    lang_box.change(lambda done, lang: cases_table(done, lang) if done else gr.update(), [all_done, lang_box], all_out)
    return base, tuned
