"""HTML escaping as markdown-it writes it, so text we escape ourselves matches its output."""

from __future__ import annotations


def escape_html(text: str) -> str:
    """`&`, `<`, `>` and `"` as character references; unlike `html.escape`, `'` stays."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def unescape_html(text: str) -> str:
    """The inverse of `escape_html` (and only of it: other references stay as they are)."""
    return text.replace("&quot;", '"').replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")
