"""Turn course Markdown into the HTML of package pages.

The shared renderer makes the HTML; this module then works on the parsed tree, never on the
text: it rewrites file references to package paths (collecting the files to copy), opens
web links outside the LMS frame, and links glossary terms the way Moodle's glossary filter
does, only in text nodes outside links, headings and code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from coursebuilder.assets import AssetProblem, is_external, resolve
from coursebuilder.diagnostics import CourseError, error
from coursebuilder.markdown import render
from coursebuilder.model import GlossaryEntry

_PARSER = lxml_html.HTMLParser(no_network=True)
_REF_ATTRS = {
    "img": "src",
    "source": "src",
    "audio": "src",
    "video": "src",
    "track": "src",
    "script": "src",
    "iframe": "src",
    "a": "href",
}
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
SKIP_LINKING = frozenset(
    {"a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "kbd", "samp", "script", "style"}
    | {"textarea", "button", "select", "option", "label", "svg", "math", "title", "nolink"}
)
"""Elements whose text is never auto-linked (Moodle's filter also skips `nolink`)."""


def term_anchor(term: str, taken: set[str]) -> str:
    """A stable HTML id for a glossary term, unique within `taken` (which it updates)."""
    base = "g-" + (re.sub(r"[^a-z0-9]+", "-", term.casefold()).strip("-") or "term")
    anchor, number = base, 2
    while anchor in taken:
        anchor, number = f"{base}-{number}", number + 1
    taken.add(anchor)
    return anchor


@dataclass(frozen=True)
class Phrase:
    """A term or alias that links to a glossary entry."""

    text: str
    anchor: str
    case_sensitive: bool
    full_match: bool


class GlossaryLinker:
    """Links glossary terms in HTML trees: longest phrase first, honouring each entry's flags."""

    def __init__(self, entries: Iterable[tuple[str, GlossaryEntry]]) -> None:
        phrases = [
            Phrase(name.strip(), anchor, entry.case_sensitive, entry.full_match)
            for anchor, entry in entries
            if entry.auto_link
            for name in (entry.term, *entry.aliases)
            if name.strip()
        ]
        phrases.sort(key=lambda p: (-len(p.text), p.text))
        self.exact = {p.text: p for p in phrases if p.case_sensitive}
        self.folded = {re.sub(r"\s+", " ", p.text.casefold()): p for p in phrases if not p.case_sensitive}
        self.pattern = re.compile("|".join(_phrase_pattern(p) for p in phrases)) if phrases else None

    def anchor_for(self, found: str) -> str | None:
        """The entry anchor of a matched text."""
        normal = re.sub(r"\s+", " ", found)
        phrase = self.exact.get(normal) or self.folded.get(normal.casefold())
        return phrase.anchor if phrase is not None else None

    def link(self, root: etree._Element, title: str) -> None:
        """Wrap every matching phrase in the text of `root` in `<a class="gloss">`."""
        if self.pattern is None:
            return
        for element in list(root.iter()):
            if not isinstance(element.tag, str):
                continue
            if not _skipped(element):
                self._link_text(element, title)
            parent = element.getparent()
            if parent is not None and element.tail and not _skipped(parent):
                self._link_tail(element, title)

    def _pieces(self, text: str) -> list[str | tuple[str, str]]:
        assert self.pattern is not None
        pieces: list[str | tuple[str, str]] = []
        last = 0
        for match in self.pattern.finditer(text):
            anchor = self.anchor_for(match.group())
            if anchor is None:
                continue
            pieces.append(text[last : match.start()])
            pieces.append((match.group(), anchor))
            last = match.end()
        if not pieces:
            return [text]
        pieces.append(text[last:])
        return pieces

    def _anchors(self, pieces: list[str | tuple[str, str]], title: str) -> Iterator[etree._Element]:
        for index in range(1, len(pieces), 2):
            piece = pieces[index]
            assert isinstance(piece, tuple)
            found, anchor = piece
            link = etree.Element("a", {"class": "gloss", "href": f"#{anchor}", "title": title})
            link.text = found
            tail = pieces[index + 1]
            assert isinstance(tail, str)
            link.tail = tail or None
            yield link

    def _link_text(self, element: etree._Element, title: str) -> None:
        if not element.text:
            return
        pieces = self._pieces(element.text)
        if len(pieces) == 1:
            return
        head = pieces[0]
        assert isinstance(head, str)
        element.text = head or None
        for offset, link in enumerate(self._anchors(pieces, title)):
            element.insert(offset, link)

    def _link_tail(self, element: etree._Element, title: str) -> None:
        assert element.tail is not None
        pieces = self._pieces(element.tail)
        if len(pieces) == 1:
            return
        head = pieces[0]
        assert isinstance(head, str)
        element.tail = head or None
        for link in reversed(list(self._anchors(pieces, title))):
            element.addnext(link)


def _phrase_pattern(phrase: Phrase) -> str:
    body = r"\s+".join(re.escape(part) for part in phrase.text.split())
    if not phrase.case_sensitive:
        body = f"(?i:{body})"
    return rf"(?<!\w){body}(?!\w)" if phrase.full_match else body


def _skipped(element: etree._Element) -> bool:
    node: etree._Element | None = element
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag.lower() in SKIP_LINKING or "nolink" in (node.get("class") or "").split():
            return True
        node = node.getparent()
    return False


@dataclass
class ContentRenderer:
    """Renders the course's Markdown for one package and remembers the files it uses."""

    root: Path
    linker: GlossaryLinker | None = None
    glossary_title: str = "Glossary"
    lesson_targets: dict[str, str] = field(default_factory=dict)
    """Lesson file (relative to the course) → where a link to it goes in the package."""
    files: dict[str, Path] = field(default_factory=dict)
    """Package path → source file of every course file the pages reference."""

    def render(
        self,
        text: str,
        source_file: str,
        line: int = 0,
        field_name: str = "",
        inline: bool = False,
        link_terms: bool = False,
        drop_heading: str | None = None,
    ) -> str:
        """Render `text` (written in `source_file`) to HTML ready for a package page."""
        markup = render(text, inline=inline)
        if not markup.strip():
            return ""
        if not link_terms and drop_heading is None and "src=" not in markup and "href=" not in markup:
            return markup  # nothing to rewrite: skip parsing it again
        holder = lxml_html.fragment_fromstring(markup, create_parent="div", parser=_PARSER)
        if drop_heading is not None:
            _drop_title(holder, drop_heading)
            _demote_headings(holder)
        self._rewrite_refs(holder, source_file, line, field_name)
        if link_terms and self.linker is not None:
            self.linker.link(holder, self.glossary_title)
        return inner_html(holder)

    def _rewrite_refs(self, holder: etree._Element, source_file: str, line: int, field_name: str) -> None:
        for element in list(holder.iter(*_REF_ATTRS)):
            attr = _REF_ATTRS[str(element.tag)]
            ref = element.get(attr)
            if ref is None or ref.startswith("#") or not ref.strip():
                continue
            if is_external(ref):
                if element.tag == "a":
                    element.set("target", "_blank")
                    element.set("rel", "noopener noreferrer")
                continue
            if element.tag == "a" and (_SCHEME.match(ref) is None and "." not in ref.rsplit("/", 1)[-1]):
                continue
            try:
                asset = resolve(self.root, source_file, ref)
            except AssetProblem as exc:
                raise CourseError([error(source_file, line, field_name, str(exc), "asset")]) from None
            if asset.rel in self.lesson_targets:
                target = self.lesson_targets[asset.rel]
                if target:
                    element.set(attr, target)
                else:
                    del element.attrib[attr]
                continue
            fragment = ref[len(ref.split("#", 1)[0]) :]
            self.files[asset.rel] = asset.path
            element.set(attr, asset.rel + fragment)


def inner_html(holder: etree._Element) -> str:
    """The serialized content of `holder` without its own tags."""
    parts = [_escape(holder.text or "")]
    parts.extend(lxml_html.tostring(child, encoding="unicode", method="html") for child in holder)
    return "".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_text(markup: str) -> str:
    """The text of an HTML fragment, whitespace collapsed (for titles and LMS descriptions)."""
    if not markup.strip():
        return ""
    holder = lxml_html.fragment_fromstring(markup, create_parent="div", parser=_PARSER)
    return " ".join(_text(holder).split())


def _text(element: etree._Element) -> str:
    return "".join(str(piece) for piece in element.itertext())


def _drop_title(holder: etree._Element, title: str) -> None:
    """Drop a leading `# Title` that repeats the lesson title the page already shows."""
    first = next(iter(holder), None)
    if (
        first is not None
        and first.tag == "h1"
        and not (holder.text or "").strip()
        and " ".join(_text(first).split()).casefold() == " ".join(title.split()).casefold()
    ):
        tail = first.tail
        holder.remove(first)
        if tail and tail.strip():
            holder.text = (holder.text or "") + tail


def _demote_headings(holder: etree._Element) -> None:
    """Lesson bodies sit under the page's `<h1>`: shift their headings so the highest is `<h2>`."""
    headings = list(holder.iter("h1", "h2", "h3", "h4", "h5", "h6"))
    if not headings:
        return
    shift = 2 - min(int(str(h.tag)[1]) for h in headings)
    if shift <= 0:
        return
    for element in headings:
        element.tag = f"h{min(6, int(str(element.tag)[1]) + shift)}"
