"""Formulas for Moodle (Moodle XML, GIFT, course backups): the TeX between `\\( \\)` or `\\[ \\]`.

Moodle's MathJax filter (filter/mathjaxloader, on by default) and its TeX filter (filter/tex)
both render these delimiters; the TeX itself is written unchanged, escaped only as HTML
(`<` `>` `&` `"`), which MathJax reads from the page's text and the TeX filter decodes with
`html_entity_decode()`.

Both filters also take `$$`, `\\(` and `\\[` anywhere in a text as the start of a formula
(`$$` as display math, in MathJax 2's default `displayMath`). So where prose or code holds
one of those sequences, `$` and `\\` are written as character references, which the TeX
filter's regular expressions (run on the HTML source) do not match, and the prose is put in
a `tex2jax_ignore` span, which MathJax (2 and 3) skips.
"""

from __future__ import annotations

import re

from markdown_it.common.utils import escapeHtml

_DELIMITERS = re.compile(r"\$\$|\\[()\[\]]")
"""What either filter takes for the start or end of a formula."""


def formula_html(tex: str, display: bool) -> str:
    """A formula as Moodle's filters read it."""
    body = escapeHtml(tex)
    return f"\\[{body}\\]" if display else f"\\({body}\\)"


def needs_protection(text: str) -> bool:
    """Whether prose `text` holds a sequence Moodle's filters would take for a formula."""
    return _DELIMITERS.search(text) is not None


def protect(escaped_html: str, code: bool = False) -> str:
    """Prose (already HTML-escaped) that neither filter reads as a formula.

    Code needs no span: MathJax skips `<code>` and `<pre>`.
    """
    neutral = escaped_html.replace("$", "&#36;").replace("\\", "&#92;")
    return neutral if code else f'<span class="tex2jax_ignore">{neutral}</span>'
