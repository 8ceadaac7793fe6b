"""Turn Moodle's text fields (HTML, Moodle auto-format, plain text, Markdown) into course Markdown.

A course keeps its texts as Markdown, and raw HTML is valid Markdown, so every HTML text can be
kept as it is. Where the HTML is simple enough (paragraphs, emphasis, code, links, images,
lists, headings), it is written as plain Markdown instead, but only when rendering that Markdown
with the course's one renderer gives the same HTML back: a conversion that would change what the
learner sees is never made. Comparison ignores what HTML itself ignores (collapsible whitespace,
attribute order, entity spelling) and one wrapper `<p>` or `<div>` around the whole text.
"""

from __future__ import annotations

import html
import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

import lxml.html
from lxml import etree

from coursebuilder.formulas.moodle import IGNORE_CLASSES
from coursebuilder.markdown import parsers, render

TextFormat = Literal["html", "moodle_auto_format", "plain_text", "markdown", "wiki_like"]

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frame",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "noframes",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "caption",
        "colgroup",
        "col",
        "iframe",
        "optgroup",
        "option",
        "video",
        "audio",
        "canvas",
        "noscript",
        "textarea",
    ]
)
"""Elements around which whitespace does not render (HTML's block-level and table elements)."""

_PRESERVE = frozenset({"pre", "textarea", "script", "style"})
_WS = re.compile(r"[ \t\n\r\f]+")


@dataclass(frozen=True)
class Converted:
    """A text as Markdown, and whether it is HTML kept as it was (not converted)."""

    markdown: str
    kept_html: bool
    exact: bool = True
    """False when even the kept HTML may render differently (a warning is due)."""


# --------------------------------------------------------------------------- Moodle's formats


def moodle_auto_to_html(text: str) -> str:
    """Moodle's `text_to_html($text, null, false, true)` (lib/weblib.php) for FORMAT_MOODLE."""
    text = re.sub(r">\s+<", "><", text)
    text = re.sub(r"[\n\r]<", " <", text)
    text = re.sub(r">[\n\r]", "> ", text)
    return _nl2br(text)


def plain_to_html(text: str) -> str:
    """Moodle's rendering of FORMAT_PLAIN: escaped text with line breaks kept."""
    return _nl2br(html.escape(text, quote=False))


def _nl2br(text: str) -> str:
    return re.sub(r"(\r\n|\n\r|\n|\r)", r"<br />\1", text)


def as_html(text: str, fmt: TextFormat) -> str:
    """A Moodle text as the HTML Moodle shows for it (Markdown rendered with the course's renderer)."""
    text = text.strip()
    if fmt == "markdown":
        return render(text)
    if fmt == "plain_text":
        return plain_to_html(text)
    if fmt in ("moodle_auto_format", "wiki_like"):
        return moodle_auto_to_html(text)
    return text


def to_markdown(text: str, fmt: TextFormat, inline: bool = False) -> Converted:
    """Convert a Moodle text of format `fmt` to course Markdown (`inline`: see html_to_markdown)."""
    text = text.strip()
    if not text:
        return Converted("", kept_html=False)
    if fmt == "markdown":
        return Converted(text, kept_html=False)
    if fmt == "plain_text":
        return html_to_markdown(plain_to_html(text), inline)
    if fmt in ("moodle_auto_format", "wiki_like"):
        return html_to_markdown(moodle_auto_to_html(text), inline)
    return html_to_markdown(text, inline)


def plain_text_of(text: str, fmt: TextFormat) -> str | None:
    """The text as plain characters when its HTML is nothing but text (else None).

    Used for fields the course keeps as plain strings (ordering items, for example).
    """
    text = text.strip()
    if fmt in ("plain_text", "markdown"):
        return text if fmt == "plain_text" or not _MD_SPECIAL.search(text) else None
    if fmt in ("moodle_auto_format", "wiki_like"):
        text = moodle_auto_to_html(text)
    root = _parse(text)
    if root is None or len(root) > 1:
        return None
    if len(root) == 1:
        child = root[0]
        if child.tag != "p" or child.attrib or len(child) or (root.text or "").strip() or (child.tail or "").strip():
            return None
        content = child.text or ""
    else:
        content = root.text or ""
    plain = _WS.sub(" ", content).strip()
    return plain or None


def text_lines_of(source: str, fmt: TextFormat) -> tuple[str, bool]:
    """Plain text with line breaks from a Moodle text; False when formatting had to be dropped.

    For fields the course keeps as plain text with lines (an essay's response template): HTML
    line breaks become newlines, paragraphs become blank lines, entities become characters.
    """
    if fmt in ("plain_text", "markdown"):
        return source, True
    if fmt in ("moodle_auto_format", "wiki_like"):
        source = moodle_auto_to_html(source)
    root = _parse(source.strip())
    if root is None:
        return source, False
    exact = all(child.tag in ("br", "p") and not child.attrib for child in root.iter() if child is not root)
    parts: list[str] = []

    def add(text: str | None, after_break: bool = False) -> None:
        if text:
            if after_break and text.startswith("\n"):
                text = text[1:]  # the source's own line break after <br>
            parts.append(re.sub(r"[\r\n]+", " ", text))

    def walk(element: etree._Element) -> None:
        add(element.text)
        for child in element:
            if child.tag == "br":
                parts.append("\n")
            elif child.tag == "p":
                if "".join(parts).strip():
                    parts.append("\n\n")
                walk(child)
            elif isinstance(child.tag, str):
                walk(child)
            add(child.tail, after_break=child.tag == "br")

    walk(root)
    return "".join(parts).strip("\n"), exact


_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>&#|~]|^\s*([-+=>]|\d+[.)])", re.M)


# --------------------------------------------------------------------------- HTML → Markdown


def html_to_markdown(source: str, inline: bool = False) -> Converted:
    """Markdown that renders as `source` does: converted where exact, else the HTML itself.

    `inline`: the field is one the course renders without a paragraph when it is one line
    (answer options, matching items), so a one-line result may be checked that way too.
    """
    source = source.strip()
    one_line = inline and "\n" not in source
    if not source:
        return Converted("", kept_html=False)
    root = _parse(source)
    if root is not None:
        for escape in (_LIGHT, _FULL):
            token = _ESCAPING.set(escape)
            try:
                candidate = _convert(root, source)
            finally:
                _ESCAPING.reset(token)
            if candidate is None:
                continue
            exact = render(candidate).rstrip("\n") == source or (
                one_line and "\n" not in candidate and render(candidate, inline=True) == source
            )
            # Blocks kept as HTML are re-serialised: then the HTML as written is better, and exact.
            if exact or (not _has_raw_blocks(candidate) and _renders_as(candidate, root)):
                return Converted(candidate, kept_html=False)
    if render(source).rstrip("\n") == source or (one_line and render(source, inline=True) == source):
        return Converted(source, kept_html=True)  # the text is already Markdown for itself
    return keep_html(source)


def keep_html(source: str) -> Converted:
    """Raw HTML the Markdown renderer passes through untouched (blank lines made safe)."""
    source = source.strip()
    for candidate in (source + "\n", _without_blank_lines(source) + "\n"):
        if render(candidate) == candidate:
            return Converted(candidate, kept_html=True)
    wrapped = f"<div>\n{_without_blank_lines(source)}\n</div>\n"
    if render(wrapped) == wrapped:
        return Converted(wrapped, kept_html=True)
    return Converted(source + "\n", kept_html=True, exact=False)


def _without_blank_lines(source: str) -> str:
    """Drop blank lines (they end a Markdown HTML block); inside `<pre>` keep them as `&#10;`."""
    out: list[str] = []
    depth = 0
    pending_newlines = 0
    for line in source.split("\n"):
        if not line.strip():
            if depth > 0:
                if line:
                    out.append("".join(f"&#{ord(c)};" for c in line))
                else:
                    pending_newlines += 1
            continue
        if pending_newlines:
            line = "&#10;" * pending_newlines + line
            pending_newlines = 0
        out.append(line)
        depth += len(re.findall(r"<(?:pre|textarea)\b", line, re.I))
        depth -= len(re.findall(r"</(?:pre|textarea)\s*>", line, re.I))
        depth = max(depth, 0)
    return "\n".join(out)


def _renders_as(candidate: str, root: lxml.html.HtmlElement) -> bool:
    rendered = _parse(render(candidate))
    return rendered is not None and canonical(rendered) == canonical(root)


def _has_raw_blocks(candidate: str) -> bool:
    return any(token.type == "html_block" for token in parsers().render.parse(candidate))


def _parse(source: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.fragment_fromstring(source, create_parent="div")
    except (etree.ParserError, ValueError):
        return None


def canonical_html(source: str) -> str:
    """A normal form of an HTML fragment: equal forms render the same (see module docstring)."""
    root = _parse(source.strip())
    return "" if root is None else canonical(root)


def canonical(root: lxml.html.HtmlElement) -> str:
    parts = _canon_children(root, block=True, preserve=False)
    if len(parts) == 1 and isinstance(parts[0], tuple) and parts[0][0] in ("p", "div") and not parts[0][1]:
        parts = list(parts[0][2])
    return repr(parts)


_Node = tuple[str, tuple[tuple[str, str], ...], tuple[object, ...]]


def _canon_children(element: etree._Element, block: bool, preserve: bool) -> list[object]:
    items: list[object] = []
    if element.text:
        items.append(element.text)
    for child in element:
        if isinstance(child.tag, str):
            tag = child.tag.lower()
            keep = preserve or tag in _PRESERVE
            attrs = tuple(sorted((str(k), str(v)) for k, v in child.attrib.items()))
            kids = tuple(_canon_children(child, block=tag in BLOCK_TAGS, preserve=keep))
            items.append((tag, attrs, kids))
        elif child.tag is etree.Comment:
            items.append(("!--", (), (child.text or "",)))
        if child.tail:
            items.append(child.tail)
    if preserve:
        return items
    out: list[object] = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            text = _WS.sub(" ", item)
            before = items[index - 1] if index else None
            after = items[index + 1] if index + 1 < len(items) else None
            if (before is None and block) or _is_boundary(before):
                text = text.lstrip(" ")
            if (after is None and block) or _is_boundary(after):
                text = text.rstrip(" ")
            if text:
                if out and isinstance(out[-1], str):
                    out[-1] = out[-1] + text
                else:
                    out.append(text)
        else:
            out.append(item)
    return out


def _is_boundary(item: object) -> bool:
    return isinstance(item, tuple) and (item[0] in BLOCK_TAGS or item[0] == "br")


# --------------------------------------------------------------------------- the converter


class _Unconvertible(Exception):
    """The HTML uses something plain Markdown cannot say exactly."""


def _convert(root: lxml.html.HtmlElement, source: str | None = None) -> str | None:
    """Markdown for the fragment: blocks Markdown cannot say exactly stay as their own HTML."""
    try:
        blocks = [child for child in root if isinstance(child.tag, str) or child.tag is etree.Comment]
        if not any(child.tag in BLOCK_TAGS for child in blocks):
            if any(child.tag is etree.Comment for child in blocks):
                return None
            return _paragraph_text(root)
        if (root.text or "").strip() or any((child.tail or "").strip() for child in blocks):
            return None
        spans = _source_spans(blocks, source) if source is not None else None
        parts: list[str] = []
        raw = 0
        for index, child in enumerate(blocks):
            try:
                parts.append(_block(child))
            except _Unconvertible:
                parts.append(_raw_block(child, spans[index] if spans else None))
                raw += 1
        return None if raw == len(parts) else "\n\n".join(parts)
    except _Unconvertible:
        return None


def _source_spans(blocks: list[etree._Element], source: str) -> list[str] | None:
    """Each top-level block's own source text, when every block starts a line of its own."""
    lines = source.split("\n")
    starts = [getattr(child, "sourceline", None) for child in blocks]
    if not all(isinstance(line, int) for line in starts) or len(set(starts)) != len(starts):
        return None
    numbers = [int(line) for line in starts]  # type: ignore[arg-type]
    spans = []
    for index, start in enumerate(numbers):
        end = numbers[index + 1] - 1 if index + 1 < len(numbers) else len(lines)
        if not 1 <= start <= end <= len(lines) or not lines[start - 1].lstrip().startswith("<"):
            return None
        spans.append("\n".join(lines[start - 1 : end]).strip())
    return spans


def _raw_block(element: etree._Element, own_source: str | None = None) -> str:
    """A block kept as HTML inside Markdown: its source (or serialisation), without blank lines."""
    if isinstance(element.tag, str) and element.tag not in BLOCK_TAGS:
        raise _Unconvertible
    source = own_source
    if source is not None:
        reparsed = _parse(source)
        if reparsed is None or len(reparsed) != 1 or canonical(reparsed) != canonical(_wrap(element)):
            source = None
    if source is None:
        source = lxml.html.tostring(element, encoding="unicode", with_tail=False).strip()
    return _without_blank_lines(source)


def _wrap(element: etree._Element) -> lxml.html.HtmlElement:
    parsed = _parse(lxml.html.tostring(element, encoding="unicode", with_tail=False))
    assert parsed is not None
    return parsed


def _block(element: etree._Element) -> str:
    tag = element.tag
    if tag == "p":
        _no_attrs(element)
        return _paragraph_text(element)
    if isinstance(tag, str) and re.fullmatch(r"h[1-6]", tag):
        _no_attrs(element)
        text = _inline_children(element).strip()
        if not text or "\n" in text:
            raise _Unconvertible
        return "#" * int(tag[1]) + " " + text
    if tag in ("ul", "ol"):
        return _list(element)
    if tag == "pre":
        return _code_block(element)
    if tag == "blockquote":
        _no_attrs(element)
        inner = _convert(element)
        if inner is None:
            raise _Unconvertible
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
    if tag == "hr":
        _no_attrs(element)
        return "---"
    if tag == "div" and element.attrib.get("class") == "math" and len(element.attrib) == 1 and not len(element):
        formula = _DISPLAY_FORMULA.fullmatch((element.text or "").strip())  # as `formulas.notation` writes it
        if formula is None or "$" in formula.group(1) or "\n\n" in formula.group(1):
            raise _Unconvertible
        return f"$$\n{formula.group(1).strip()}\n$$"
    raise _Unconvertible


_DISPLAY_FORMULA = re.compile(r"\\\[(.+?)\\\]", re.S)


def _no_attrs(element: etree._Element, allowed: tuple[str, ...] = ()) -> None:
    if any(key not in allowed for key in element.attrib):
        raise _Unconvertible


def _paragraph_text(element: etree._Element) -> str:
    text = _inline_children(element)
    text = re.sub(r"[ \t]*\n\s*", "\n", text).strip(" \t\n")  # HTML collapses it; Markdown would not
    if not text:
        raise _Unconvertible
    if _OPENS_HTML_BLOCK.match(text):
        raise _Unconvertible  # Markdown would read this line as the start of an HTML block
    lines = text.split("\n")
    return "\n".join(_escape_line_start(line.lstrip(" \t")) for line in lines)


_OPENS_HTML_BLOCK = re.compile(
    r"(<[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)[ \t]*(\n|$)"
    r"|<(script|pre|style|textarea|!|\?)"
    r"|</?(" + "|".join(sorted(BLOCK_TAGS)) + r")(\s|/?>|$)",
    re.I,
)
"""A first line that CommonMark reads as raw HTML: a lone tag (type 7) or a block tag (types 1–6)."""


def _list(element: etree._Element) -> str:
    ordered = element.tag == "ol"
    _no_attrs(element, ("start",) if ordered else ())
    start = 1
    if ordered and "start" in element.attrib:
        value = element.attrib["start"]
        if not value.isdigit():
            raise _Unconvertible
        start = int(value)
    if (element.text or "").strip():
        raise _Unconvertible
    lines: list[str] = []
    loose = any(child.tag in BLOCK_TAGS for item in element for child in item)
    for number, item in enumerate(element, start):
        if item.tag != "li" or (item.tail or "").strip():
            raise _Unconvertible
        _no_attrs(item)
        marker = f"{number}. " if ordered else "- "
        if not len(item) and not (item.text or "").strip():
            lines.append(marker.rstrip())  # an empty item
            continue
        if loose:
            blocks = [child for child in item if isinstance(child.tag, str)]
            if (item.text or "").strip() or not blocks or any(child.tag not in BLOCK_TAGS for child in blocks):
                raise _Unconvertible
            if any((child.tail or "").strip() for child in blocks):
                raise _Unconvertible
            text = "\n\n".join(_block(child) for child in blocks)
        else:
            text = _paragraph_text(item)
        pad = " " * len(marker)
        body = "\n".join(pad + line if line and index else line for index, line in enumerate(text.split("\n")))
        lines.append(marker + body)
    if not lines:
        raise _Unconvertible
    return ("\n\n" if loose else "\n").join(lines)


def _code_block(element: etree._Element) -> str:
    _no_attrs(element)
    if len(element) != 1 or (element.text or "").strip() or (element[0].tail or "").strip():
        raise _Unconvertible
    code = element[0]
    if code.tag != "code" or len(code):
        raise _Unconvertible
    info = ""
    if code.attrib:
        classes = code.attrib.get("class", "")
        if list(code.attrib) != ["class"] or not re.fullmatch(r"language-[^\s`]+", classes):
            raise _Unconvertible
        info = classes[len("language-") :]
    content = code.text or ""
    if not content.endswith("\n"):
        raise _Unconvertible
    fence = "```"
    while fence in content:
        fence += "`"
    return f"{fence}{info}\n{content}{fence}"


def _inline_children(element: etree._Element) -> str:
    out: list[str] = [_escape(element.text or "")]
    for child in element:
        if not isinstance(child.tag, str):
            raise _Unconvertible
        out.append(_inline_or_raw(child))
        tail = child.tail or ""
        if child.tag == "br" and tail.startswith("\n"):
            tail = tail[1:]
        out.append(_escape(tail))
    return "".join(out)


def _inline(element: etree._Element) -> str:
    tag = element.tag
    if tag == "br":
        _no_attrs(element)
        return "\\\n"
    if tag in ("strong", "em"):
        _no_attrs(element)
        inner = _inline_children(element)
        if not inner or inner != inner.strip() or "\n" in inner:
            raise _Unconvertible
        mark = "**" if tag == "strong" else "*"
        return f"{mark}{inner}{mark}"
    if tag == "code":
        _no_attrs(element)
        if len(element):
            raise _Unconvertible
        return _code_span(element.text or "")
    if tag == "span" and element.attrib.get("class") == IGNORE_CLASSES and len(element.attrib) == 1:
        # Prose the course protected from Moodle's filters (`formulas.moodle.protect`): it is
        # text, never a formula, and the renderer protects it again.
        if len(element):
            raise _Unconvertible
        return _escape_prose(element.text or "")
    if tag == "a":
        _no_attrs(element, ("href", "title"))
        href = element.attrib.get("href", "")
        if not href or re.search(r"[\s<>()]", href):
            raise _Unconvertible
        inner = _inline_children(element)
        if not inner.strip():
            raise _Unconvertible
        return f"[{inner}]({href}{_title(element)})"
    if tag == "img":
        _no_attrs(element, ("src", "alt", "title"))
        src = element.attrib.get("src", "")
        if not src or re.search(r"[\s<>()]", src):
            raise _Unconvertible
        alt = _escape(element.attrib.get("alt", ""))
        return f"![{alt}]({src}{_title(element)})"
    raise _Unconvertible


_RAW_INLINE = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "big",
        "cite",
        "del",
        "dfn",
        "font",
        "i",
        "img",
        "ins",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
    ]
)
_VOID = frozenset({"img", "br", "wbr"})


def _inline_or_raw(element: etree._Element) -> str:
    """Markdown for an inline element, or its own tags around Markdown content (raw HTML is Markdown)."""
    try:
        return _inline(element)
    except _Unconvertible:
        if not isinstance(element.tag, str) or element.tag not in _RAW_INLINE:
            raise
    attrs = "".join(f' {key!s}="{html.escape(str(value), quote=True)}"' for key, value in element.attrib.items())
    if element.tag in _VOID:
        if len(element) or element.text:
            raise _Unconvertible
        return f"<{element.tag}{attrs} />"
    return f"<{element.tag}{attrs}>{_inline_children(element)}</{element.tag}>"


def _title(element: etree._Element) -> str:
    title = element.attrib.get("title")
    if title is None:
        return ""
    if '"' in title or "\n" in title:
        raise _Unconvertible
    return f' "{title}"'


def _code_span(content: str) -> str:
    if not content or "\n" in content:
        raise _Unconvertible
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    ticks = "`" * (longest + 1)
    if content.startswith(("`", " ")) or content.endswith(("`", " ")):
        if not content.strip():
            raise _Unconvertible
        return f"{ticks} {content} {ticks}"
    return f"{ticks}{content}{ticks}"


_FULL = re.compile(r"[\\`*_\[\]<>|$]|&(?=#?[A-Za-z0-9]+;)|~(?=~)|(?<=~)~")
"""Every character Markdown might read as syntax."""
_LIGHT = re.compile(r"[\\`*\[\]]|<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;)|~(?=~)|(?<=~)~")
"""Only what is syntax almost everywhere; tried first because it reads better (`_____`, `a > b`)."""
_ESCAPING: ContextVar[re.Pattern[str]] = ContextVar("escaping", default=_FULL)
_LINE_START = re.compile(r"^(#{1,6}(?=\s|$)|[-+=](?=\s|$|[-=]*\s*$)|>|\d{1,9}(?=[.)]))")


def _escape(text: str) -> str:
    """Text as Markdown; Moodle's formulas (`\\(…\\)`, `\\[…\\]`) become the course's `$…$`."""
    if "\\" not in text:
        return _escape_prose(text)
    out: list[str] = []
    last = 0
    for match in _MOODLE_FORMULA.finditer(text):
        inline = match.group(1) is not None
        tex = match.group(1) if inline else match.group(2)
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if "$" in tex or tex != tex.strip() or before.isdigit() or after.isdigit():
            continue  # would not read back as this formula: stays escaped prose
        out.append(_escape_prose(text[last : match.start()]))
        out.append(f"${tex}$" if inline else f"$${tex}$$")
        last = match.end()
    out.append(_escape_prose(text[last:]))
    return "".join(out)


_MOODLE_FORMULA = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)
"""A formula as Moodle's filters read it (filter/tex's rules for `\\(…\\)` and `\\[…\\]`)."""


def _escape_prose(text: str) -> str:
    return _ESCAPING.get().sub(lambda match: "\\" + match.group(0), text).replace("\xa0", "&nbsp;")


def _escape_line_start(line: str) -> str:
    match = _LINE_START.match(line)
    if match is None:
        return line
    head = match.group(0)
    if head[0].isdigit():
        return head + "\\" + line[len(head) :]
    return "\\" + line


PLUGINFILE = re.compile(r"@@PLUGINFILE@@/([^\"'\s<>)?#]+)")
"""A Moodle file reference; group 1 is the (percent-encoded) path below the file area."""
