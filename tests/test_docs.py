"""The documentation site covers what the package has: every target, every schema field.

`make docs` (part of `make test`) builds the site strictly; these tests catch what a strict
build cannot: a target without a page, a field missing from the generated reference.
"""

from __future__ import annotations

import importlib.util
import json
import re

import yaml

from coursebuilder.schema import render_schemas
from coursebuilder.targets import all_targets
from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "tools" / "docs_hooks.py")
assert _spec is not None and _spec.loader is not None
docs_hooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(docs_hooks)

DOCS = ROOT / "docs"


def _nav_pages(items: list[object]) -> list[str]:
    pages: list[str] = []
    for item in items:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        pages.extend(_nav_pages(value) if isinstance(value, list) else [str(value)])
    return pages


def test_every_target_has_a_page_in_the_navigation() -> None:
    """A target `coursebuilder targets` lists is described on a page under Targets, as
    `(target \\`name\\`)` or `--target name`."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    [targets] = [item["Targets"] for item in config["nav"] if isinstance(item, dict) and "Targets" in item]
    text = "\n".join((DOCS / page).read_text(encoding="utf-8") for page in _nav_pages(targets))
    undocumented = [name for name in all_targets() if not re.search(rf"target `{name}`|`--target {name}`", text)]
    assert undocumented == []


def test_every_page_is_in_the_navigation() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    pages = set(_nav_pages(config["nav"]))
    on_disk = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert on_disk == pages


def test_the_format_reference_has_every_field_of_every_schema() -> None:
    reference = docs_hooks.schema_reference()
    rows = set(re.findall(r"^\| `([^`]+)` \|", reference, re.M))
    anchors = set(re.findall(r"\{#([\w-]+)\}", reference))
    for name, text in render_schemas().items():
        schema = json.loads(text)
        prefix = name.split(".", 1)[0]
        for definition, body in [("", schema), *schema.get("$defs", {}).items()]:
            missing = set(body.get("properties", {})) - rows
            assert not missing, f"{name} {definition}: {missing} not in the reference"
            if definition:
                assert f"{prefix}-{definition.lower()}" in anchors
    links = set(re.findall(r"\]\(#([\w-]+)\)", reference))
    assert links and links <= anchors, links - anchors


def test_the_page_with_the_marker_gets_the_reference() -> None:
    page = (DOCS / "course-format.md").read_text(encoding="utf-8")
    assert docs_hooks.SCHEMA_MARKER in page
    rendered = docs_hooks.on_page_markdown(page, None, None, None)
    assert docs_hooks.SCHEMA_MARKER not in rendered and "#### Numerical {#quiz-numerical}" in rendered
