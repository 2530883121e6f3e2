"""Generate docs/cli.md from the commands' own --help, so the reference cannot drift.

`make docs` (or `python -m afinar.cli.docgen > docs/cli.md`) rewrites it; a test fails when the
committed file differs from what the code would generate.
"""

from __future__ import annotations

import click

from afinar.cli import cli

HEADER = """# Command reference

Generated from `afinar ... --help` by `python -m afinar.cli.docgen` (run `make docs`).
Do not edit by hand: a test checks this file against the code.
"""


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name in sorted(command.list_commands(click.Context(command))):
            found.extend(_walk(command.get_command(click.Context(command), name), [*path, name]))
    return found


def render() -> str:
    parts = [HEADER]
    for path, command in _walk(cli, ["afinar"]):
        ctx = click.Context(command, info_name=" ".join(path), terminal_width=100, max_content_width=100,
                            help_option_names=["-h", "--help"])
        parts.append(f"\n## `{' '.join(path)}`\n\n```text\n{command.get_help(ctx)}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    print(render(), end="")
