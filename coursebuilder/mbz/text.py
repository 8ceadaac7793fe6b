"""Small text helpers shared by the activity writers."""

from __future__ import annotations

import html


def paragraph(text: str) -> str:
    """Plain text (not Markdown) as one HTML paragraph, or nothing."""
    return f"<p>{html.escape(text, quote=False)}</p>" if text.strip() else ""


def bullet_list(items: list[str]) -> str:
    """Plain-text items as an HTML list, or nothing."""
    if not items:
        return ""
    return "<ul>" + "".join(f"<li>{html.escape(item, quote=False)}</li>" for item in items) + "</ul>"
