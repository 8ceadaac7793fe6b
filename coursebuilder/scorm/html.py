"""Turn course Markdown into the HTML of package pages.

The shared renderer makes the HTML; this module then works on the parsed tree, never on the
text: it rewrites file references to package paths (collecting the files to copy), opens
web links outside the LMS frame, and links glossary terms the way Moodle's glossary filter
does, only in text nodes outside links, headings and code.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from lxml import etree
from lxml import html as lxml_html

from coursebuilder.assets import Asset, AssetProblem, by_real_path, is_external, resolve
from coursebuilder.diagnostics import CourseError, error
from coursebuilder.markdown import RenderCache, render
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


class Phrase(NamedTuple):
    """A term or alias that links to a glossary entry."""

    text: str
    anchor: str
    case_sensitive: bool
    full_match: bool


class GlossaryLinker:
    """Links glossary terms in HTML trees: longest phrase first, honouring each entry's flags.

    What gets linked is defined by one alternation of every phrase, longest first
    (`reference_pattern`); but trying thousands of alternatives at every character is
    quadratic in terms x text. The linker finds the same matches with one prefix tree of
    phrases per pair of flags, each compiled once into a regular expression that yields the
    longest phrase of its group at the leftmost position; the leftmost, then longest, of the
    groups' matches is the alternation's match (see `_group_patterns` for why). Trees of
    case-insensitive phrases match case-sensitively on a case-folded copy of the text, which
    is several times faster than `re.IGNORECASE`.

    Compiling the trees of a large glossary takes longer than linking a few texts: a build that
    links only a few (the others kept from an earlier build) links each `alone`, with the
    trees of just the phrases that text contains (`_search_for`), which find the same matches.
    """

    def __init__(self, entries: Iterable[tuple[str, GlossaryEntry]], page: str = "") -> None:
        """`page`: where the glossary is, when not on the page being linked (e.g. `glossary.html`)."""
        self.page = page
        phrases = [
            Phrase(name.strip(), anchor, entry.case_sensitive, entry.full_match)
            for anchor, entry in entries
            if entry.auto_link
            for name in (entry.term, *entry.aliases)
            if name.strip()
        ]
        phrases.sort(key=lambda p: (-len(p.text), p.text))
        self.phrases = phrases
        self.exact = {p.text: p for p in phrases if p.case_sensitive}
        self.folded = {re.sub(r"\s+", " ", p.text.casefold()): p for p in phrases if not p.case_sensitive}
        self.fold = CaseFold()
        any_case = "".join(p.text for p in phrases if not p.case_sensitive)
        self._keys = str.maketrans({char: self.fold.key(char) for char in sorted(set(any_case)) if not char.isspace()})
        """Each character of the phrases of any case → its key: `fold` knows them all from the start."""
        self._whole: _Search | None = None
        self._needles: list[str] | None = None
        """What a text holds wherever each phrase matches in it (`_search_for`)."""
        self._separator = _SEPARATOR if not any(_SEPARATOR in p.text for p in phrases) else None
        """Joins a tree's texts into one to search (None: a phrase has it, search each text)."""

    def _search(self) -> _Search:
        """The search for every phrase, compiled when first needed."""
        if self._whole is None:
            self._whole = _Search(self.phrases, self.fold)
        return self._whole

    @property
    def groups(self) -> list[tuple[re.Pattern[str], bool]] | None:
        """(pattern, matches the folded text) per flag pair; None when only the alternation is exact."""
        return self._search().groups

    @property
    def reference_pattern(self) -> re.Pattern[str]:
        """The alternation of every phrase, longest first: the definition of what links."""
        return self._search().reference_pattern

    def anchor_for(self, found: str) -> str | None:
        """The entry anchor of a matched text."""
        normal = re.sub(r"\s+", " ", found)
        phrase = self.exact.get(normal) or self.folded.get(normal.casefold())
        return phrase.anchor if phrase is not None else None

    def link(self, root: etree._Element, title: str, *, alone: bool = False) -> None:
        """Wrap every matching phrase in the text of `root` in `<a class="gloss">`.

        Texts inside a skipped element (see `SKIP_LINKING`) stay as they are, and so do the
        tails of comments; links made here are never searched again. The tree is walked
        once, each element inheriting whether an ancestor is skipped. `alone`: search with
        the phrases this tree's text contains, not the whole glossary's trees.
        """
        if not self.phrases:
            return
        texts: list[tuple[etree._Element, str, bool]] = []
        """(element, text, whether it is the element's tail) of every text to link in."""
        pending = [(root, _skipped(root))]
        while pending:
            element, skipped = pending.pop()
            if not skipped and element.text:
                texts.append((element, element.text, False))
            for child in element:
                if not isinstance(child.tag, str):
                    continue
                if child.tail and not skipped:
                    texts.append((child, child.tail, True))
                pending.append((child, skipped or _skips(child)))
        if self._separator is None:
            for element, _, tail in texts:
                (self._link_tail if tail else self._link_text)(element, title)
            return
        # One search over all the texts, joined by a character no match can contain or be
        # next to as a word character: each text's matches are those of its own search.
        joined = self._separator.join(text for _, text, _ in texts)
        search = self._search_for(joined) if alone else self._search()
        found = iter(search.spans(joined))
        span = next(found, None)
        start = 0
        for element, text, tail in texts:
            end = start + len(text)
            spans = []
            while span is not None and span[0] < end:
                spans.append((span[0] - start, span[1] - start))
                span = next(found, None)
            if spans:
                pieces = self._pieces(text, spans)
                if len(pieces) > 1:
                    (self._insert_tail if tail else self._insert_text)(element, pieces, title)
            start = end + 1

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Start and end of each match in `text`, as `reference_pattern.finditer` finds them."""
        return self._search().spans(text)

    def _needles_of_phrases(self) -> list[str]:
        """Each phrase's words joined by one space, case-folded (`fold.key`) when it matches in
        any case: what a text holds, its whitespace runs made one space, wherever it matches."""
        if self._needles is None:
            self._needles = [
                " ".join(p.text.split()) if p.case_sensitive else " ".join(p.text.split()).translate(self._keys)
                for p in self.phrases
            ]
        return self._needles

    def _search_for(self, text: str) -> _Search:
        """A search for the phrases that can match in `text`: a phrase matches only where the
        text, its whitespace runs made one space (and case-folded for phrases of any case),
        holds the phrase's words so joined; the others cannot change what the alternation finds."""
        plain = " ".join(text.split())
        folded = self.fold(plain)
        if folded is None:  # the phrases of any case are matched by the alternation: all of them
            return self._search()
        needles = self._needles_of_phrases()
        grams = {plain[i : i + _GRAM] for i in range(len(plain) - _GRAM + 1)}
        folded_grams = grams if folded == plain else {folded[i : i + _GRAM] for i in range(len(folded) - _GRAM + 1)}
        found = []
        for phrase, needle in zip(self.phrases, needles, strict=True):
            subject, subject_grams = (plain, grams) if phrase.case_sensitive else (folded, folded_grams)
            if (len(needle) < _GRAM or needle[:_GRAM] in subject_grams) and needle in subject:
                found.append(phrase)
        return _Search(found, self.fold)

    def _pieces(self, text: str, spans: Iterable[tuple[int, int]] | None = None) -> list[str | tuple[str, str]]:
        """`text` split into plain runs and (phrase, anchor) links, alternately; `spans` if already found."""
        pieces: list[str | tuple[str, str]] = []
        last = 0
        for start, end in self.spans(text) if spans is None else spans:
            found = text[start:end]
            anchor = self.anchor_for(found)
            if anchor is None:
                continue
            pieces.append(text[last:start])
            pieces.append((found, anchor))
            last = end
        if not pieces:
            return [text]
        pieces.append(text[last:])
        return pieces

    def _anchors(self, pieces: list[str | tuple[str, str]], title: str) -> Iterator[etree._Element]:
        for index in range(1, len(pieces), 2):
            piece = pieces[index]
            assert isinstance(piece, tuple)
            found, anchor = piece
            link = etree.Element("a", {"class": "gloss", "href": f"{self.page}#{anchor}", "title": title})
            link.text = found
            tail = pieces[index + 1]
            assert isinstance(tail, str)
            link.tail = tail or None
            yield link

    def _link_text(self, element: etree._Element, title: str) -> None:
        if not element.text:
            return
        pieces = self._pieces(element.text)
        if len(pieces) > 1:
            self._insert_text(element, pieces, title)

    def _insert_text(self, element: etree._Element, pieces: list[str | tuple[str, str]], title: str) -> None:
        head = pieces[0]
        assert isinstance(head, str)
        element.text = head or None
        for offset, link in enumerate(self._anchors(pieces, title)):
            element.insert(offset, link)

    def _link_tail(self, element: etree._Element, title: str) -> None:
        assert element.tail is not None
        pieces = self._pieces(element.tail)
        if len(pieces) > 1:
            self._insert_tail(element, pieces, title)

    def _insert_tail(self, element: etree._Element, pieces: list[str | tuple[str, str]], title: str) -> None:
        head = pieces[0]
        assert isinstance(head, str)
        element.tail = head or None
        for link in reversed(list(self._anchors(pieces, title))):
            element.addnext(link)


_SEPARATOR = "\x00"
"""Neither a word character nor whitespace: no match of phrases without it crosses it, and the
whole-word checks see it as they see the start or end of a text."""


_GRAM = 3
"""Characters of a phrase's start looked up among a text's before searching the text for it."""


class _Search:
    """Finds the matches of `phrases` (longest first), as their alternation finds them."""

    def __init__(self, phrases: list[Phrase], fold: CaseFold) -> None:
        self.phrases = phrases
        self.fold = fold
        self.groups = _group_patterns(phrases, fold)
        """(pattern, matches the folded text) per flag pair; None when only the alternation is exact."""
        self._folds = self.groups is not None and any(on_folded for _, on_folded in self.groups)
        self._reference: re.Pattern[str] | None = None

    @property
    def reference_pattern(self) -> re.Pattern[str]:
        """The alternation of the phrases, longest first."""
        if self._reference is None:
            self._reference = re.compile("|".join(_phrase_pattern(p) for p in self.phrases))
        return self._reference

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Start and end of each match in `text`, as `reference_pattern.finditer` finds them."""
        if not self.phrases:
            return
        groups = self.groups
        folded = self.fold(text) if self._folds else text
        if groups is None or folded is None:
            for match in self.reference_pattern.finditer(text):
                yield match.span()
        elif len(groups) == 1:
            pattern, on_folded = groups[0]
            for match in pattern.finditer(folded if on_folded else text):
                yield match.span()
        else:
            yield from _spans([pattern for pattern, _ in groups], [folded if f else text for _, f in groups])


def _phrase_pattern(phrase: Phrase) -> str:
    body = r"\s+".join(re.escape(part) for part in phrase.text.split())
    if not phrase.case_sensitive:
        body = f"(?i:{body})"
    return rf"(?<!\w){body}(?!\w)" if phrase.full_match else body


_WORD = re.compile(r"\w")
_ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyz"


class CaseFold:
    """Case folding that agrees with Python's `re.IGNORECASE` on the characters of phrases.

    `key(char)` names the set of characters `re` treats as equal to a phrase character
    (lower case, ASCII when the set has an ASCII letter; `re` itself decides membership).
    Calling it on a text gives a copy of the same length in which each character that
    `re.IGNORECASE` equates with a key is that key, so a case-sensitive match of keys on the
    copy is exactly a case-insensitive match on the text. None when the copy would change
    whether a character is a word character (`\\w`) for the whole-word checks.
    """

    def __init__(self) -> None:
        self.keys: list[tuple[str, re.Pattern[str]]] = []
        self.of_phrase: dict[str, str] = {}
        self.of_text: dict[str, str] = {}
        self.unsafe: set[str] = set()
        """Text characters whose key differs from them in being a word character."""

    def key(self, char: str) -> str:
        """The key of a phrase character (registering a new one)."""
        found = self.of_phrase.get(char)
        if found is None:
            found = self._find(char)
            if found is None:
                found = char
                lower = char.lower()
                if len(lower) == 1 and _same(char, lower):
                    found = lower
                if not found.isascii():
                    found = next((letter for letter in _ASCII_LETTERS if _same(found, letter)), found)
                self.keys.append((found, re.compile(re.escape(found), re.IGNORECASE)))
                self.of_text.clear()
            self.of_phrase[char] = found
        return found

    def _find(self, char: str) -> str | None:
        return next((key for key, pattern in self.keys if pattern.fullmatch(char)), None)

    def __call__(self, text: str) -> str | None:
        if text.isascii():
            return text.lower()  # ASCII letters are keys in lower case; no other key equals one
        table = self.of_text
        for char in set(text).difference(table):
            key = self._find(char) or char
            if key != char and (_WORD.match(char) is None) != (_WORD.match(key) is None):
                self.unsafe.add(char)
            table[char] = key
        if self.unsafe and not self.unsafe.isdisjoint(text):
            return None
        return "".join(map(table.__getitem__, text))


def _same(char: str, other: str) -> bool:
    """Whether `re.IGNORECASE` matches `other` with the literal `char`."""
    return re.fullmatch(re.escape(char), other, re.IGNORECASE) is not None


_GAP = " "
"""Prefix-tree key of the whitespace between two words of a phrase (words hold none)."""
_END = ""
"""Prefix-tree key marking that a phrase ends at this node."""
_Node = dict[str, "_Node"]


def _group_patterns(phrases: list[Phrase], fold: CaseFold) -> list[tuple[re.Pattern[str], bool]] | None:
    """One prefix-tree pattern per (case_sensitive, full_match) pair, and whether it runs on folded text.

    The alternation tries the longest phrase *text* first. Two phrases that match at the same
    position match one the prefix of the other, sharing the whitespace runs of the shorter;
    so when every phrase separates its words with exactly one whitespace character, the
    longer text is the longer match and "longest match at the leftmost position" is the
    alternation's choice (equal lengths are the same text, so the same anchor). Otherwise,
    or for a tree too deep to compile, None: the alternation itself is used.
    """
    if any(len(p.text) != len(" ".join(p.text.split())) for p in phrases):
        return None
    groups: dict[tuple[bool, bool], list[Phrase]] = {}
    for phrase in phrases:
        groups.setdefault((phrase.case_sensitive, phrase.full_match), []).append(phrase)
    patterns = []
    try:
        for (case_sensitive, full_match), members in sorted(groups.items()):
            key = (lambda char: char) if case_sensitive else fold.key
            patterns.append((_tree_pattern(members, key, full_match), not case_sensitive))
    except (RecursionError, re.error):
        return None
    return patterns


def _tree_pattern(phrases: list[Phrase], key: Callable[[str], str], full_match: bool) -> re.Pattern[str]:
    """A pattern that matches the longest of `phrases` at the leftmost position it can."""
    root: _Node = {}
    for phrase in phrases:
        node = root
        for number, word in enumerate(phrase.text.split()):
            if number:
                node = node.setdefault(_GAP, {})
            for char in word:
                node = node.setdefault(key(char), {})
        node[_END] = {}
    return re.compile(_alternatives(root, full_match, first=True), re.DOTALL)


def _alternatives(node: _Node, full_match: bool, first: bool = False) -> str:
    """The pattern of a subtree: longer continuations before ending here, so the longest wins.

    Keys differ and words hold no whitespace, so at most one branch can match the next
    character: trying branches in order, ending last, finds the longest phrase. A whole-word
    phrase checks the character before it just after its first one (`(?<!\\w.)`), so the
    pattern opens with plain characters the regex engine scans for quickly.
    """
    branches = []
    for key in sorted(k for k in node if k != _END):
        piece = r"\s+" if key == _GAP else re.escape(key)
        if first and full_match:
            piece += r"(?<!\w.)"
        branches.append(piece + _alternatives(node[key], full_match))
    if _END in node:
        branches.append(r"(?!\w)" if full_match else "")
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _spans(patterns: list[re.Pattern[str]], subjects: list[str]) -> Iterator[tuple[int, int]]:
    """The leftmost, then longest, of the groups' matches, searching on after each one."""
    found = [pattern.search(subject) for pattern, subject in zip(patterns, subjects, strict=True)]
    position = 0
    while True:
        best: tuple[int, int] | None = None
        for index, match in enumerate(found):
            if match is not None and match.start() < position:
                match = found[index] = patterns[index].search(subjects[index], position)
            if match is not None and (
                best is None or match.start() < best[0] or (match.start() == best[0] and match.end() > best[1])
            ):
                best = match.span()
        if best is None:
            return
        yield best
        position = best[1]


def _skipped(element: etree._Element) -> bool:
    """Whether `element` or one of its ancestors is never linked in."""
    node: etree._Element | None = element
    while node is not None:
        if _skips(node):
            return True
        node = node.getparent()
    return False


def _skips(node: etree._Element) -> bool:
    tag = node.tag if isinstance(node.tag, str) else ""
    return tag.lower() in SKIP_LINKING or "nolink" in (node.get("class") or "").split()


Reference = tuple[str, str, str]
"""A course file or lesson a rendering points to: the file it is written in, the reference as
written, and the course-relative path it resolved to."""


@dataclass
class ContentRenderer:
    """Renders the course's Markdown for one package and remembers the files it uses."""

    root: Path
    linker: GlossaryLinker | None = None
    glossary_title: str = "Glossary"
    lesson_targets: dict[str, str] = field(default_factory=dict)
    """Lesson file (relative to the course) → where a link to it goes in the package."""
    _lessons_by_path: dict[Path, str] | None = field(default=None, init=False)
    """`lesson_targets` by the lesson files' real paths (as `Asset.path`): a link through a
    linked folder, or a linked file, to a lesson goes where a link to the lesson goes."""
    files: dict[str, Path] = field(default_factory=dict)
    """Package path → source file of every course file the pages reference."""
    _resolved: dict[tuple[str, str], Asset | AssetProblem] = field(default_factory=dict)
    """Each reference is resolved once per folder (the same figure recurs in many texts)."""
    renders: RenderCache | None = None
    """The build's Markdown renderings, shared with its other targets (None: render each text)."""
    link_alone: bool = False
    """Link each text with the phrases it contains (`GlossaryLinker.link`): for a build that
    links only a few texts, which compiling a large glossary's trees would take longer than."""

    def render(
        self,
        text: str,
        source_file: str,
        line: int | Callable[[], int] = 0,
        field_name: str = "",
        inline: bool = False,
        link_terms: bool = False,
        drop_heading: str | None = None,
        *,
        noted: list[Reference] | None = None,
    ) -> str:
        """Render `text` (written in `source_file`) to HTML ready for a package page.

        `line` (or a function that finds it, asked only for a message) locates `field_name`.
        `noted` receives each course file or lesson the HTML points to (see `adopt`).
        """
        markup = render(text, inline=inline, math="mathml", cache=self.renders)
        if not markup.strip():
            return ""
        if not link_terms and drop_heading is None and "src=" not in markup and "href=" not in markup:
            return markup  # nothing to rewrite: skip parsing it again
        holder = lxml_html.fragment_fromstring(markup, create_parent="div", parser=_PARSER)
        if drop_heading is not None:
            _drop_title(holder, drop_heading)
            _demote_headings(holder)
        self._rewrite_refs(holder, source_file, line, field_name, noted)
        if link_terms and self.linker is not None:
            self.linker.link(holder, self.glossary_title, alone=self.link_alone)
        return inner_html(holder)

    def adopt(self, references: Iterable[Reference]) -> bool:
        """Take in the course files of HTML an earlier build rendered, which pointed to
        `references`: True when each still resolves to the same course file, False (render
        the text again) when one does not, or no longer resolves at all."""
        found: dict[str, Path] = {}
        for source_file, ref, rel in references:
            asset = self._resolve(source_file, ref)
            if isinstance(asset, AssetProblem) or asset.rel != rel:
                return False
            if self._lesson_target(asset) is None:
                found[rel] = asset.path
        self.files.update(found)
        return True

    def _lesson_target(self, asset: Asset) -> str | None:
        """Where a link to `asset` goes when it is a lesson file, whatever the path it is
        reached by (None when it is not a lesson)."""
        if self._lessons_by_path is None:
            self._lessons_by_path = by_real_path(self.root, self.lesson_targets.items())
        return self._lessons_by_path.get(asset.path)

    def _resolve(self, source_file: str, ref: str) -> Asset | AssetProblem:
        key = (posixpath.dirname(source_file), ref)  # all that `resolve` depends on
        found = self._resolved.get(key)
        if found is None:
            try:
                found = resolve(self.root, source_file, ref)
            except AssetProblem as exc:
                found = exc
            self._resolved[key] = found
        return found

    def _rewrite_refs(
        self,
        holder: etree._Element,
        source_file: str,
        line: int | Callable[[], int],
        field_name: str,
        noted: list[Reference] | None,
    ) -> None:
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
            found = self._resolve(source_file, ref)
            if isinstance(found, AssetProblem):
                where = line() if callable(line) else line
                raise CourseError(
                    [error(source_file, where, field=field_name, message=str(found), code="asset")]
                ) from None
            asset = found
            if noted is not None:
                noted.append((source_file, ref, asset.rel))
            target = self._lesson_target(asset)
            if target is not None:
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
    """The text of an HTML fragment, whitespace collapsed (for titles and LMS descriptions).

    A formula counts as its TeX (kept in its annotation), not as the text of its MathML.
    """
    if not markup.strip():
        return ""
    holder = lxml_html.fragment_fromstring(markup, create_parent="div", parser=_PARSER)
    for math in list(holder.iter("math")):
        tex = "".join(math.xpath(".//annotation/text()"))
        tail = math.tail
        math.clear()
        math.text, math.tail = tex, tail
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
