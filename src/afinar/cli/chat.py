"""`afinar chat`: talk to a base or fine-tuned model, once (-p) or interactively (streaming)."""

from __future__ import annotations

import sys

import click

from afinar import i18n
from afinar.cli.options import lang_option


@click.command()
@click.option("-m", "--model", required=True,
              help="Catalog name, hub id, model folder, run folder or ft: model id (…:ckpt-step-N too).")
@click.option("--system", help="System message for the conversation (default: the one the fine-tuned model's "
                                "training data shared, if any; --system '' for none).")
@click.option("-p", "--prompt", help="Answer this once, print the answer and exit.")
@click.option("--max-tokens", default=256, show_default=True, type=click.IntRange(1, 8192))
@click.option("--temperature", default=0.0, show_default=True, type=click.FloatRange(0, 2),
              help="0 answers deterministically (greedy).")
@lang_option
def chat(model: str, system: str | None, prompt: str | None, max_tokens: int, temperature: float) -> int:
    """Chat with MODEL: with -p, one plain-text answer on stdout; otherwise an interactive session."""
    from afinar.serving import default_pool
    from afinar.tasks.chat.predict import locate

    target = locate(model)  # a catalog base not pulled yet is pulled here, its license shown
    engine = default_pool().get(model)
    if system is None and target.system_prompt:
        system = target.system_prompt
        click.echo(i18n.t("chat.system_default", system=system), err=True)
    history = [{"role": "system", "content": system}] if system else []
    if prompt is not None:
        reply = engine.submit([*history, {"role": "user", "content": prompt}], max_tokens=max_tokens,
                              temperature=temperature, stream=False).run()
        click.echo(reply["text"])
        return 0
    click.echo(i18n.t("chat.repl.intro", model=target.name), err=True)
    messages = list(history)
    while True:
        try:
            line = input(f"{i18n.t('chat.repl.you')}> ")
        except EOFError:
            break
        if not line.strip():
            break
        if line.strip() == "/reset":
            messages = list(history)
            continue
        messages.append({"role": "user", "content": line})
        generation = engine.submit(messages, max_tokens=max_tokens, temperature=temperature)
        for piece in generation:
            sys.stdout.write(piece)
            sys.stdout.flush()
        sys.stdout.write("\n")
        messages.append({"role": "assistant", "content": generation.result["text"]})
    return 0
