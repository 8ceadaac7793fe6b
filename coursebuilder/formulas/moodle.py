"""Formulas for Moodle (Moodle XML, GIFT, course backups): the TeX between `\\( \\)` or `\\[ \\]`.

Moodle's MathJax filter (filter/mathjaxloader, on by default) and its TeX filter (filter/tex)
both render these delimiters; the TeX itself is written unchanged, escaped only as HTML
(`<` `>` `&` `"`), which MathJax reads from the page's text and the TeX filter decodes with
`html_entity_decode()`.

Both filters also take `$$`, `\\(` and `\\[` anywhere in a text as the start of a formula
(`$$` is in MathJax's default `displayMath`), and MathJax takes `\\begin{…}` too
(`processEnvironments`). So where prose or code holds one of those sequences, `$` and `\\`
are written as character references, which the TeX filter's regular expressions (run on the
HTML source) do not match, and the prose is put in a span of the classes MathJax skips
(`tex2jax_ignore` in MathJax 2, Moodle 4.x; `mathjax_ignore` in MathJax 3 and 4, Moodle 5.x).
"""

from __future__ import annotations

import re

from coursebuilder.htmlescape import escape_html

_DELIMITERS = re.compile(r"\$\$|\\[()\[\]]|\\begin\{")
"""What either filter takes for the start or end of a formula."""
IGNORE_CLASSES = "tex2jax_ignore mathjax_ignore"
"""Elements of these classes are not searched for formulas by MathJax 2, 3 or 4."""


def formula_html(tex: str, display: bool) -> str:
    """A formula as Moodle's filters read it."""
    body = escape_html(tex)
    return f"\\[{body}\\]" if display else f"\\({body}\\)"


def needs_protection(text: str) -> bool:
    """Whether prose `text` holds a sequence Moodle's filters would take for a formula."""
    return _DELIMITERS.search(text) is not None


def protect(escaped_html: str, code: bool = False) -> str:
    """Prose (already HTML-escaped) that neither filter reads as a formula.

    Code needs no span: MathJax skips `<code>` and `<pre>`.
    """
    neutral = escaped_html.replace("$", "&#36;").replace("\\", "&#92;")
    return neutral if code else f'<span class="{IGNORE_CLASSES}">{neutral}</span>'
