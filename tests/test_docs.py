"""The documentation site: generated pages cover every command, the nav names existing pages."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml with its ``!!python/name:`` tags (mermaid fences) read as plain strings."""


_ConfigLoader.add_multi_constructor(
    "tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix
)
ROOT = Path(__file__).resolve().parents[1]


def _hooks():
    """Import docs/hooks.py, the mkdocs hook that generates the CLI reference."""
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _nav_files(entries: list) -> list[str]:
    """Every Markdown file named in an mkdocs nav, depth first."""
    files = []
    for entry in entries:
        for value in entry.values() if isinstance(entry, dict) else [entry]:
            files += _nav_files(value) if isinstance(value, list) else [value]
    return files


def test_cli_reference_has_every_command_and_common_option():
    hooks = _hooks()
    reference = hooks.cli_reference()
    paths = hooks.commands()
    assert {"archembed search", "archembed pretrain arch2vec", "archembed data doctor"} <= set(
        paths
    )
    for path in paths:
        assert f"`{path}`" in reference, path
    for option in ("--out", "--threads", "--json", "--data-dir", "--resume"):
        assert f"`{option}" in reference or f", {option}" in reference, option


def test_markers_are_replaced_and_other_pages_left_alone():
    hooks = _hooks()
    page = hooks.on_page_markdown(f"# CLI\n\n{hooks.MARKER}\n\n{hooks.QUICKSTART}\n")
    assert hooks.MARKER not in page and hooks.QUICKSTART not in page
    assert "## `archembed query`" in page
    assert "```python" in page and "import archembed" in page
    assert hooks.on_page_markdown("# Other page\n") == "# Other page\n"


def test_nav_pages_exist_and_hold_their_markers():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_ConfigLoader)
    files = _nav_files(config["nav"])
    missing = [name for name in files if not (ROOT / "docs" / name).is_file()]
    assert not missing
    hooks = _hooks()
    assert hooks.MARKER in (ROOT / "docs" / "reference" / "cli.md").read_text()
    assert hooks.QUICKSTART in (ROOT / "docs" / "getting-started.md").read_text()
