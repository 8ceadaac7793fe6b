"""Text fields as Moodle's importer reads them: Markdown rendered to HTML once, with every file
the text references embedded in the same field as base64 and referenced as `@@PLUGINFILE@@/name`.

One `Renderer` serves a whole build, so each asset is resolved, read and base64-encoded once
however many texts use it, and identical texts are rendered once.
"""

from __future__ import annotations

import base64
import html
import posixpath
import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote

from lxml import etree

from coursebuilder.assets import Asset, AssetProblem, is_external, resolve
from coursebuilder.markdown import RenderCache, may_reference_files, render

if TYPE_CHECKING:
    from coursebuilder.model import Question

PLUGINFILE = "@@PLUGINFILE@@"
"""How Moodle XML refers to a file embedded in the same field."""


class EmbeddedFile(NamedTuple):
    """A file carried inside a text field (`<file name path encoding="base64">`)."""

    name: str
    path: str
    """Moodle file path: `/`, or `/sub/dir/` when two files of a field share a name."""
    base64: str


class Html(NamedTuple):
    """A rendered text field: HTML and the files it references."""

    text: str
    files: tuple[EmbeddedFile, ...] = ()


EMPTY = Html("")

_UNSAFE_FILE_CHARS = re.compile("[\x00-\x1f\x7f&<>\"`|':\\\\/]")


def safe_file_name(name: str) -> str:
    """A name Moodle's file storage accepts (it refuses what `clean_param(PARAM_FILE)` strips)."""
    return _UNSAFE_FILE_CHARS.sub("_", name)


_TAG = re.compile(r"<[A-Za-z][^>]*>")
_ATTR = re.compile(r"""(\s(src|href)\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class Renderer:
    """Renders the course's Markdown for Moodle, embedding referenced files (one per build)."""

    def __init__(self, root: Path | str, *, renders: RenderCache | None = None, lessons: Collection[Path] = ()) -> None:
        self.root = Path(root)
        self.renders = renders
        """The build's Markdown renderings, shared with its other targets (None: render each text)."""
        self.lessons = frozenset(lessons)
        """The lesson files of the course (real paths, as `Asset.path`): a link to one keeps its
        text but leads nowhere, since a question bank has no lessons to lead to."""
        self._assets: dict[tuple[str, str], Asset | None] = {}
        self._base64: dict[Path, str] = {}
        self._memo: dict[tuple[str, str, bool], Html] = {}

    def markdown(self, text: str, source_file: str, inline: bool = False) -> Html:
        """Render `text` (written in `source_file`, relative to the course) for a Moodle field.

        `inline` drops the paragraph around a one-line text (answer options, matching items).
        """
        return self.markdown_in(text, posixpath.dirname(source_file), inline) if text else EMPTY

    def markdown_in(self, text: str, base: str, inline: bool = False) -> Html:
        """As `markdown`, for a text written in a file of folder `base` (relative to the course)."""
        if not text:
            return EMPTY
        key = (text, base, inline)  # as asked: a text met again is found before any other work
        cached = self._memo.get(key)
        if cached is None:
            cached = self._memo[key] = self._render(text, base, inline and "\n" not in text.strip())
        return cached

    def _render(self, text: str, base: str, inline: bool) -> Html:
        files: dict[tuple[str, str], tuple[Path, EmbeddedFile]] = {}

        def resolve_image(src: str) -> str:
            return self._embed(src, base, files, is_link=False) or src

        rendered = render(text, resolve_image=resolve_image, inline=inline, cache=self.renders)
        if may_reference_files(text):
            rendered = self._rewrite_raw(rendered, base, files)
        return Html(rendered.strip(), tuple(file for _, file in files.values()))

    def plain(self, text: str) -> Html:
        """A plain-text value as HTML (escaped, line breaks kept)."""
        if not text:
            return EMPTY
        return Html("<br>".join(html.escape(line, quote=False) for line in text.split("\n")))

    def asset_base64(self, asset: Asset) -> str:
        """The file's content as base64, encoded once per build."""
        encoded = self._base64.get(asset.path)
        if encoded is None:
            encoded = base64.b64encode(asset.path.read_bytes()).decode("ascii")
            self._base64[asset.path] = encoded
        return encoded

    def resolve(self, base: str, ref: str) -> Asset | None:
        """The course file `ref` names when written in a file of folder `base` (None if it names none)."""
        key = (base, ref)
        if key not in self._assets:
            try:
                self._assets[key] = resolve(self.root, posixpath.join(base, "_"), ref)
            except AssetProblem:
                self._assets[key] = None
        return self._assets[key]

    def _embed(
        self, ref: str, base: str, files: dict[tuple[str, str], tuple[Path, EmbeddedFile]], is_link: bool
    ) -> str | None:
        """The reference as the field carries it: `@@PLUGINFILE@@/name` for a course file, which
        is embedded in `files`; None for a lesson file, whose link is dropped (`lessons`)."""
        if ref.startswith(PLUGINFILE) or is_external(ref) or ref.startswith("#") or _SCHEME.match(ref):
            return ref
        if is_link and "." not in ref.split("#", 1)[0].split("?", 1)[0].rsplit("/", 1)[-1]:
            return ref  # a link to a page, not to a file
        asset = self.resolve(base, ref)
        if asset is None:
            return ref
        if asset.path in self.lessons:
            return None
        name, path = safe_file_name(asset.name), "/"
        taken = files.get((path, name))
        if taken is not None and taken[0] != asset.path:  # two files of one name: keep their folders apart
            folder = posixpath.dirname(asset.rel) or "course"
            path = "/" + "/".join(safe_file_name(part) for part in folder.split("/")) + "/"
        if (path, name) not in files:
            files[(path, name)] = (asset.path, EmbeddedFile(name, path, self.asset_base64(asset)))
        fragment = "#" + ref.split("#", 1)[1] if "#" in ref else ""
        return PLUGINFILE + quote(path + name) + fragment

    def _rewrite_raw(self, rendered: str, base: str, files: dict[tuple[str, str], tuple[Path, EmbeddedFile]]) -> str:
        """Embed files named by `src`/`href` of raw HTML and Markdown links."""

        def attribute(match: re.Match[str]) -> str:
            raw = next(group for group in match.groups()[2:] if group is not None)
            value = html.unescape(raw)
            new = self._embed(value, base, files, is_link=match.group(2).lower() == "href")
            if new is None:
                return ""  # `<a>the lesson</a>`: its text, leading nowhere
            if new == value:
                return match.group(0)
            return f'{match.group(1)}"{html.escape(new)}"'

        return _TAG.sub(lambda tag: _ATTR.sub(attribute, tag.group(0)), rendered)


# --------------------------------------------------------------------------- XML helpers

_SPECIAL = re.compile("[<>&\"'\r]")


class QuestionMarkdown:
    """A question's Markdown rendered against its file's folder (images are relative to it),
    the folder looked up once per question: the writers ask for a question's texts in a row."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self._question: Question | None = None
        self._base = ""

    def __call__(self, question: Question, text: str, inline: bool = False) -> Html:
        if not text:
            return EMPTY
        if question is not self._question:
            self._question, self._base = question, posixpath.dirname(question.source_file)
        return self.renderer.markdown_in(text, self._base, inline)


copy_element: Callable[[etree._Element], etree._Element] = etree._Element.__copy__  # type: ignore[attr-defined]
"""lxml's copy of an element's whole tree, called without `copy.copy`'s dispatch (a third of
the time); lxml's type stubs do not declare it. The writers copy the elements they make again
and again from shapes made once (see `moodlexml`)."""


def set_text(element: etree._Element, value: str) -> None:
    """Set element text as Moodle's question exporter does: CDATA when escaping would change it.

    Moodle reads these files with `xmlize()`, which drops every piece of character data that is
    only whitespace; the XML parser hands over each entity reference as a piece of its own, so
    the space in `&lt;/em&gt; &lt;b&gt;` would be lost. A CDATA section is one piece. Text holding
    `]]>` is written as two sections (`]]` ends one, `>` starts the next; lxml splits them), and
    a carriage return becomes a line feed, as in Moodle's own export.
    """
    element.text = etree.CDATA(value) if value and _SPECIAL.search(value) else value


def flag(value: bool) -> str:
    """A 0/1 flag."""
    return "1" if value else "0"
