"""Helpers of the Moodle XML tests: build a course, and compare models field by field.

Markdown fields are compared as HTML: the source text rendered by the shared renderer, the
read text as found in the file, both parsed and serialised again by lxml (so `&#123;` and `{`,
or `'` and `&#39;`, compare equal) and with every image or file link replaced by a digest of
the bytes it points to (source: the course file; read: the file embedded in the question).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import lxml.html
from pydantic import BaseModel

from coursebuilder.assets import AssetProblem, is_external, resolve
from coursebuilder.build import build_course
from coursebuilder.exchange.moodlexml import INLINE_FIELDS
from coursebuilder.exchange.text import PLUGINFILE
from coursebuilder.loader import load_or_raise
from coursebuilder.markdown import render
from coursebuilder.model import Cloze, Course, Question, gap_refs, markdown_fields, replace_gaps

Html = Callable[[BaseModel, str, str], str]


def build_moodle(course_dir: Path, out: Path) -> tuple[Course, Path]:
    """Build only the moodle target; return the course and its output folder."""
    build_course(course_dir, out, ["moodle"])
    course, _ = load_or_raise(course_dir)
    return course, out / course.info.id / "moodle"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()[:16]


def canon(text: str, link: Callable[[str], str]) -> str:
    """HTML in a canonical form, with `src`/`href` values mapped by `link`."""
    text = text.strip()
    if not text:
        return ""
    fragment = lxml.html.fragment_fromstring(text, create_parent="div")
    for element in fragment.iter():
        for attribute in ("src", "href"):
            value = element.get(attribute)
            if value is not None:
                element.set(attribute, link(value))
    return lxml.html.tostring(fragment, encoding="unicode")


def source_html(course: Course, source_file: str) -> Html:
    """Markdown fields of source models → canonical HTML, links → digests of the course files."""
    root = Path(course.root)

    def link(value: str) -> str:
        if is_external(value) or value.startswith("#"):
            return value
        try:
            return _digest(resolve(root, source_file, value).path.read_bytes())
        except AssetProblem:
            return value

    def html(owner: BaseModel, field: str, text: str) -> str:
        # Answer options and matching items of one line are rendered without their paragraph.
        inline = (type(owner), field) in INLINE_FIELDS and "\n" not in text.strip()
        return canon(render(text, inline=inline), link)

    return html


def read_html(files: dict[str, bytes]) -> Html:
    """Markdown fields of read models (HTML already) → canonical HTML, links → digests of embedded files."""

    def link(value: str) -> str:
        if not value.startswith(PLUGINFILE):
            return value
        path = unquote(value[len(PLUGINFILE) :].split("#", 1)[0])
        assert path in files, f"{value} is not embedded in the question"
        return _digest(files[path])

    return lambda owner, field, text: canon(text, link)


def view(obj: Any, html: Html) -> Any:
    """A plain structure of a model, Markdown fields turned into canonical HTML."""
    if isinstance(obj, BaseModel):
        marked = markdown_fields(type(obj))
        out = {}
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            out[name] = html(obj, name, value) if name in marked else view(value, html)
        return out
    if isinstance(obj, list):
        return [view(item, html) for item in obj]
    return obj


def renumber_gaps(question: Cloze) -> Cloze:
    """The question as Moodle keeps it: gaps in text order, named gap1, gap2, …"""
    order = [match.group(1) for match in gap_refs(question.text)]
    names = {gap_id: f"gap{number}" for number, gap_id in enumerate(order, start=1)}
    by_id = {gap.id: gap for gap in question.gaps}
    gaps = [by_id[gap_id].model_copy(update={"id": names[gap_id]}) for gap_id in order]
    text = replace_gaps(question.text, lambda gap_id: "{{" + names[gap_id] + "}}")
    return question.model_copy(update={"gaps": gaps, "text": text})


NOT_IN_MOODLE_XML = ("lesson", "category", "name")
"""Compared elsewhere: the lesson and category by the category path, `name` as display name."""


def question_view(question: Question, html: Html) -> dict[str, Any]:
    """What Moodle XML must carry of a question."""
    if isinstance(question, Cloze):
        question = renumber_gaps(question)
    data = view(question, html)
    for key in NOT_IN_MOODLE_XML:
        data.pop(key)
    data["display_name"] = question.display_name
    if data["type"] == "ordering" and data["select_type"] == "all":
        data["select_count"] = 0  # meaningless with `all`; Moodle keeps its own value
    return data


def posix_dir(path: str) -> str:
    return posixpath.dirname(path)


PLUGINFILE_REF = re.compile(r"""(?:src|href)=["']@@PLUGINFILE@@([^"'#]*)""")
