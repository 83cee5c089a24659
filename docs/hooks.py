"""Content of the docs site generated at build time, so it never goes stale.

An mkdocs hook (``hooks:`` in mkdocs.yml). In a page, :data:`MARKER` becomes the CLI
reference, one section per command with its help text, usage line and options, read from the
Typer app ``archembed.cli.app``; :data:`QUICKSTART` becomes the README's Python quickstart,
which the tests execute. ``python docs/hooks.py`` prints the CLI reference.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

MARKER = "<!-- cli-reference -->"
QUICKSTART = "<!-- readme-quickstart -->"
README = Path(__file__).resolve().parents[1] / "README.md"
QUICKSTART_HEADING = "## Python quickstart"


def _walk(command: Any, ctx: Any) -> Iterator[tuple[Any, Any]]:
    """Yield (command, context) for a command and every subcommand below it, in help order."""
    yield command, ctx
    for name in getattr(command, "list_commands", lambda _ctx: [])(ctx):
        sub = command.get_command(ctx, name)
        if sub is None or sub.hidden:
            continue
        yield from _walk(sub, sub.context_class(sub, info_name=name, parent=ctx))


def _cell(text: str) -> str:
    """One Markdown table cell: a single line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _section(command: Any, ctx: Any) -> str:
    """Markdown for one command: heading, help, usage, arguments and options."""
    path = ctx.command_path
    depth = 2 + max(path.count(" ") - 1, 0)
    lines = [f"{'#' * depth} `{path}`", ""]
    if command.help:
        text = command.help.split("\f")[0].replace("\b\n", "")
        lines += [text.strip(), ""]
    lines += ["```text", command.get_usage(ctx).strip(), "```", ""]
    records = [param.get_help_record(ctx) for param in command.get_params(ctx)]
    rows = [f"| `{_cell(name)}` | {_cell(text)} |" for name, text in filter(None, records)]
    if rows:
        lines += ["| argument or option | description |", "|---|---|", *rows, ""]
    return "\n".join(lines)


def commands() -> list[str]:
    """Every command path of the CLI, ``archembed`` first."""
    return [ctx.command_path for _, ctx in _iterate()]


def _iterate() -> Iterator[tuple[Any, Any]]:
    """Walk the Typer app from its root command."""
    import typer

    from archembed.cli import app

    root = typer.main.get_command(app)
    yield from _walk(root, root.context_class(root, info_name="archembed"))


def cli_reference() -> str:
    """The Markdown of the whole CLI reference."""
    return "\n".join(_section(command, ctx) for command, ctx in _iterate())


def readme_quickstart() -> str:
    """The README's Python quickstart section, its links to docs/ made relative to docs/."""
    text = README.read_text(encoding="utf-8")
    section = text.split(QUICKSTART_HEADING, 1)[1].split("\n## ", 1)[0].strip()
    return section.replace("](docs/", "](")


def on_page_markdown(markdown: str, **_: Any) -> str:
    """mkdocs hook: put the generated content where a page holds one of the markers."""
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, cli_reference())
    if QUICKSTART in markdown:
        markdown = markdown.replace(QUICKSTART, readme_quickstart())
    return markdown


if __name__ == "__main__":
    print(cli_reference())
