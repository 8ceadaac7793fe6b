"""MkDocs hooks: reference pages written from the package itself when the site is built.

The course format reference comes from the JSON Schemas that `coursebuilder schema` writes,
so the site cannot describe a field the models do not have, or miss one they do.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from coursebuilder.schema import SCHEMAS, render_schemas

_REMOTE_LOAD = re.compile(
    r"""<(?:script|img|iframe|source|video|audio)\b[^>]*\bsrc=["']?(?:https?:)?//"""
    r"""|<link\b(?=[^>]*\brel=["']?(?:stylesheet|preload|preconnect|icon|modulepreload))[^>]*\bhref=["']?(?:https?:)?//"""
    r"""|@import\s+(?:url\()?["']?(?:https?:)?//""",
    re.I,
)
"""A page or stylesheet that loads something from another host (links to read are fine)."""

SCHEMA_MARKER = "<!-- coursebuilder:schema-reference -->"
"""Where a page wants the generated course format reference."""

FILES = {
    "course.schema.json": "course.yaml",
    "lesson.schema.json": "lesson front matter",
    "glossary.schema.json": "glossary.yaml",
    "quiz.schema.json": "quiz files (quiz/*.yaml)",
}


def _cell(text: str) -> str:
    """Text fit for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _anchor(prefix: str, name: str) -> str:
    return f"{prefix}-{name.lower()}"


def _type(prop: dict[str, Any], prefix: str) -> str:
    """A schema fragment as a short Markdown phrase: `string`, `list of [Hint](#…)`, `one of …`."""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{_anchor(prefix, name)})"
    if "const" in prop:
        return f"`{json.dumps(prop['const'], ensure_ascii=False)}`"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{json.dumps(v, ensure_ascii=False)}`" for v in prop["enum"])
    for key in ("anyOf", "oneOf"):
        if key in prop:
            options = [option for option in prop[key] if option.get("type") != "null"]
            phrase = " or ".join(_type(option, prefix) for option in options)
            if len(options) < len(prop[key]):
                phrase += " (or empty)"
            return phrase
    kind = prop.get("type")
    if kind == "array":
        return "list of " + _type(prop.get("items", {}), prefix) + _limits(prop, "items")
    if kind == "object":
        extra = prop.get("additionalProperties")
        if isinstance(extra, dict):
            return "mapping of text to " + _type(extra, prefix)
        return "mapping"
    words = {"string": "text", "integer": "integer", "number": "number", "boolean": "`true` or `false`"}
    return (words.get(str(kind), str(kind)) if kind else "any") + _limits(prop, "")


def _limits(prop: dict[str, Any], unit: str) -> str:
    found = []
    for key, word in (("minLength", "≥ {} characters"), ("maxLength", "≤ {} characters")):
        if key in prop:
            found.append(word.format(prop[key]))
    for key, word in (("minItems", "≥ {} " + unit), ("maxItems", "≤ {} " + unit)):
        if key in prop:
            found.append(word.format(prop[key]).strip())
    for key, word in (
        ("minimum", "≥ {}"),
        ("exclusiveMinimum", "> {}"),
        ("maximum", "≤ {}"),
        ("exclusiveMaximum", "< {}"),
    ):
        if key in prop:
            found.append(word.format(prop[key]))
    if "pattern" in prop:
        found.append(f"matching `{prop['pattern']}`")
    return f" ({', '.join(found)})" if found else ""


def _object(name: str, schema: dict[str, Any], prefix: str, level: str) -> list[str]:
    """A heading for one object, its description, and a table of its fields."""
    lines = [f"{level} {name} {{#{_anchor(prefix, name)}}}", ""]
    if schema.get("description"):
        lines += [" ".join(schema["description"].split()), ""]
    properties: dict[str, Any] = schema.get("properties", {})
    if not properties:
        return lines
    required = set(schema.get("required", []))
    lines += ["| field | type | required | default | meaning |", "|---|---|---|---|---|"]
    for field, prop in properties.items():
        default = ""
        if "default" in prop and prop["default"] is not None:
            default = f"`{json.dumps(prop['default'], ensure_ascii=False)}`"
        lines.append(
            f"| `{field}` | {_cell(_type(prop, prefix))} | {'yes' if field in required else ''} "
            f"| {_cell(default)} | {_cell(prop.get('description', ''))} |"
        )
    if schema.get("additionalProperties") is False:
        lines += ["", "Any other field is an error."]
    return [*lines, ""]


def schema_reference() -> str:
    """Markdown for every source file's schema: the file's own fields, then each object it uses."""
    rendered = render_schemas()
    lines: list[str] = []
    for name in SCHEMAS:
        schema = json.loads(rendered[name])
        prefix = name.split(".", 1)[0]
        lines += [f"### {FILES.get(name, name)} {{#{prefix}}}", ""]
        lines += [f"Schema: `schemas/{name}`.", ""]
        top = {key: value for key, value in schema.items() if key != "$defs"}
        lines += _object(f"{prefix} file", top, prefix, "####")[2:]
        for definition, body in sorted(schema.get("$defs", {}).items()):
            lines += _object(definition, body, prefix, "####")
    return "\n".join(lines) + "\n"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Put the generated reference where a page has the marker."""
    if SCHEMA_MARKER in markdown:
        markdown = markdown.replace(SCHEMA_MARKER, schema_reference())
    return markdown


def on_post_build(config: Any) -> None:
    """Fail the build when a built page or stylesheet would load anything from the network."""
    site = Path(config["site_dir"])
    remote = [
        f"{path.relative_to(site)}: {match.group(0)[:80]}"
        for path in sorted(site.rglob("*"))
        if path.suffix in (".html", ".css")
        for match in _REMOTE_LOAD.finditer(path.read_text(encoding="utf-8", errors="replace"))
    ]
    if remote:
        raise RuntimeError("the site would load from the network:\n" + "\n".join(remote))
