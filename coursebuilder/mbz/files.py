"""Files of the backup: rendered HTML points at them, files.xml lists them, files/ holds them.

Moodle keeps a file by context, component, file area and item id; HTML refers to it as
`@@PLUGINFILE@@/name` and restore rewrites that to the new place. Each file's bytes sit at
`files/<sha1[:2]>/<sha1>` (`backup/util/helper/backup_file_manager.class.php`), and a file
outside the `question`/`qtype_*` components restores only when an inforef.xml lists its id.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from lxml import etree

from coursebuilder.assets import Asset, AssetProblem, is_external, resolve
from coursebuilder.markdown import RenderCache, render
from coursebuilder.mbz import xml
from coursebuilder.mbz.ids import Ids

EMPTY_SHA1 = hashlib.sha1(b"").hexdigest()
PLUGINFILE = "@@PLUGINFILE@@/"

MIME_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
    ".mp3": "audio/mp3",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".txt": "text/plain",
    ".csv": "text/csv",
}
"""A fixed table, not the system's mime database, so every machine writes the same files.xml."""

_ATTR = re.compile(r"""(\s(?:src|href)\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.I)

TableField = tuple[str, str]
"""The table and the field of Moodle's database a text of the backup is restored into."""

DECODED_FIELDS: frozenset[TableField] = frozenset(
    {
        ("course", "summary"),
        ("course_sections", "summary"),
        ("page", "intro"),
        ("page", "content"),
        ("book", "intro"),
        ("book_chapters", "content"),
        ("glossary", "intro"),
        ("glossary_entries", "definition"),
        ("question", "questiontext"),
        ("question", "generalfeedback"),
        ("question_answers", "answer"),
        ("question_answers", "feedback"),
        ("qtype_multichoice_options", "correctfeedback"),
        ("qtype_multichoice_options", "partiallycorrectfeedback"),
        ("qtype_multichoice_options", "incorrectfeedback"),
        ("qtype_match_options", "correctfeedback"),
        ("qtype_match_options", "partiallycorrectfeedback"),
        ("qtype_match_options", "incorrectfeedback"),
        ("qtype_match_subquestions", "questiontext"),
        ("qtype_essay_options", "graderinfo"),
    }
)
"""The texts (by the table and field they restore into) that restore passes through its link
decoder, which turns `activity_link`s into links to the restored activities: the fields the
`define_decode_contents()` of `restore_course_task`, `restore_section_task` (backup/moodle2/),
the page, book and glossary activity tasks (mod/*/backup/moodle2/),
`restore_qtype_plugin::define_plugin_decode_contents()` (every question type's text, general
feedback, answers and answer feedback) and the question types' restore plugins name
(question/type/*/backup/moodle2/): `restore_qtype_multichoice_plugin` and
`restore_qtype_match_plugin` their combined feedback (and match its subquestions),
`restore_qtype_essay_plugin` the grader information. The file area does not tell: combined
feedback is kept in the `question` component's areas whatever the type, and ordering's
(`qtype_ordering_options`, no `define_decode_contents()`) is not decoded; nor, in Moodle 4.5,
are a question's hints (`question_hints`; 5.2 decodes them). There a link to a lesson keeps
its text only."""

NO_LINK = ""
"""What a reference to a lesson becomes where restore would not decode a link to it: the
attribute is dropped, the link's text kept."""


def activity_link(modname: str, cmid: int, chapter: int | None = None) -> str:
    """How a text in a backup links to the course module `cmid` of a page or a book (or to
    `chapter` of a book): `$@PAGEVIEWBYID*<cmid>@$`, `$@BOOKVIEWBYIDCH*<cmid>*<chapter>@$`,
    which restore (`restore_decode_rule`, with the rules of the module's
    `restore_<modname>_activity_task::define_decode_rules`) turns into
    `<site>/mod/page/view.php?id=<the restored module's id>` (and `&chapterid=<the restored
    chapter's id>`, through the `book_chapter` mapping of book.xml's chapter ids)."""
    if chapter is not None:
        return f"$@{modname.upper()}VIEWBYIDCH*{cmid}*{chapter}@$"
    return f"$@{modname.upper()}VIEWBYID*{cmid}@$"


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


@dataclass(frozen=True, order=True)
class Area:
    """Where Moodle keeps a group of files."""

    contextid: int
    component: str
    filearea: str
    itemid: int

    @property
    def needs_fileref(self) -> bool:
        """Only these restore through an inforef `<fileref>` (`restore_load_included_files`)."""
        return self.component not in ("question", "user", "grade", "group", "grouping") and not (
            self.component.startswith("qtype_")
        )


@dataclass(frozen=True)
class StoredFile:
    """One row of files.xml."""

    id: int
    area: Area
    filename: str
    sha1: str
    size: int
    mimetype: str | None
    filepath: str = "/"

    @property
    def is_directory(self) -> bool:
        return self.filename == "."


@dataclass(frozen=True)
class Lookup:
    """A text's reference to a course file, where its file went and the URL it became (None:
    left as written)."""

    ref: str
    source_file: str
    area: Area
    field: TableField
    url: str | None


class FileStore:
    """Collects the files texts refer to while they are rendered, then writes files.xml."""

    def __init__(
        self,
        root: Path,
        ids: Ids,
        userid: int,
        author: str,
        *,
        renders: RenderCache | None = None,
        lesson_links: Mapping[Path, str] | None = None,
    ) -> None:
        self.root = root
        self.lesson_links = lesson_links or {}
        """Each lesson file (its real path, as `Asset.path`) → the `activity_link` of the page
        or book that shows it: a text's link to the lesson leads there, not to its source."""
        self.renders = renders
        """The build's Markdown renderings, shared with its other targets (None: render each text)."""
        self.ids = ids
        self.userid = userid
        self.author = author
        self.files: list[StoredFile] = []
        self.blobs: dict[str, bytes] = {}
        self._names: dict[tuple[Area, str], str] = {}
        self._taken: set[tuple[Area, str]] = set()
        self._areas: set[Area] = set()
        self._resolved: dict[tuple[str, str], Asset | None] = {}
        """Each reference is resolved once per folder (the same figure recurs in many texts)."""
        self._read: dict[Path, bytes] = {}
        """Each course file is read once."""
        self._in_context: dict[int, list[StoredFile]] = {}
        """The files of each context, in the order stored (an activity asks for its own)."""
        self.lookups: list[Lookup] | None = None
        """When a list, every reference to a course file that texts make is noted there with
        its URL, so that a kept activity can make them again (`coursestore`)."""

    # ------------------------------------------------------------------ rendering

    def html(self, text: str, source_file: str, area: Area, field: TableField, inline: bool = False) -> str:
        """Render Markdown written in `source_file`, to be restored into `field`; its local
        images and files go to `area`."""
        if not text:
            return ""

        def image(src: str) -> str:
            return self._local(src, source_file, area, field) or src

        rendered = render(text, resolve_image=image, inline=inline, cache=self.renders)
        if "=" not in rendered:  # no attribute at all (most texts): nothing to rewrite
            return rendered
        return _ATTR.sub(lambda match: self._attribute(match, source_file, area, field), rendered)

    def _attribute(self, match: re.Match[str], source_file: str, area: Area, field: TableField) -> str:
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        url = self._local(html.unescape(raw), source_file, area, field)
        if url is None:
            return match.group(0)
        if url == NO_LINK:
            return ""
        return f'{match.group(1)}"{html.escape(url)}"'

    def _local(self, ref: str, source_file: str, area: Area, field: TableField) -> str | None:
        """The `@@PLUGINFILE@@` URL of a reference to a course file, or None to leave it."""
        if not ref or ref.startswith(("#", PLUGINFILE)) or is_external(ref) or _SCHEME.match(ref):
            return None
        url = self.course_file(ref, source_file, area, field)
        if self.lookups is not None:
            self.lookups.append(Lookup(ref, source_file, area, field, url))
        return url

    def course_file(self, ref: str, source_file: str, area: Area, field: TableField) -> str | None:
        """Store the course file `ref` (written in `source_file`) in `area` once; its
        `@@PLUGINFILE@@` URL, or None when it does not resolve (the reference stays as written).
        A lesson file is not stored: a link to it leads to its activity (`lesson_links`) where
        restore decodes links (`field` in `DECODED_FIELDS`), and nowhere (`NO_LINK`) elsewhere."""
        key = (posixpath.dirname(source_file), ref)  # all that `resolve` depends on
        if key not in self._resolved:
            try:
                asset = resolve(self.root, source_file, ref)
            except AssetProblem:
                self._resolved[key] = None  # reported by validation; the reference stays as written
            else:
                if asset.path not in self._read and asset.path not in self.lesson_links:
                    self._read[asset.path] = asset.path.read_bytes()
                self._resolved[key] = asset
        found = self._resolved[key]
        if found is None:
            return None
        link = self.lesson_links.get(found.path)
        if link is not None:
            return link if field in DECODED_FIELDS else NO_LINK
        name = self.add(area, found.rel, self._read[found.path])
        return PLUGINFILE + quote(name)

    # ------------------------------------------------------------------ storing

    def add(self, area: Area, rel: str, data: bytes) -> str:
        """Store `data` (course file `rel`) in `area` once; return its name there."""
        key = (area, rel)
        if key in self._names:
            return self._names[key]
        name = _unique_name(posixpath.basename(rel), rel, area, self._taken)
        self._taken.add((area, name))
        self._names[key] = name
        self._store(area, "/", name, data)
        return name

    def add_at(self, area: Area, path: str, data: bytes) -> None:
        """Store `data` under its own folder path in `area` (`dir/file.js` → filepath `/dir/`)."""
        folder, name = posixpath.split(path)
        self._store(area, f"/{folder}/" if folder else "/", name, data)

    def _store(self, area: Area, filepath: str, name: str, data: bytes) -> None:
        in_context = self._in_context.setdefault(area.contextid, [])
        if area not in self._areas:
            self._areas.add(area)
            self.files.append(StoredFile(self.ids.file(), area, ".", EMPTY_SHA1, 0, None))
            in_context.append(self.files[-1])
        sha1 = hashlib.sha1(data).hexdigest()
        self.blobs[f"files/{sha1[:2]}/{sha1}"] = data
        mimetype = MIME_TYPES.get(posixpath.splitext(name)[1].lower(), "application/octet-stream")
        self.files.append(StoredFile(self.ids.file(), area, name, sha1, len(data), mimetype, filepath))
        in_context.append(self.files[-1])

    def course_files_read(self) -> list[tuple[Path, bytes]]:
        """Each course file a text embedded, with the bytes read."""
        return list(self._read.items())

    def refs(self, *areas: Area) -> list[int]:
        """Ids an inforef.xml must list so the files of `areas` restore."""
        wanted = set(areas)
        return [f.id for f in self.files if f.area in wanted and f.area.needs_fileref]

    def refs_in_context(self, contextid: int) -> list[int]:
        """Ids of every file of a context that needs a fileref."""
        return [f.id for f in self._in_context.get(contextid, ()) if f.area.needs_fileref]

    def files_xml(self, others: Iterable[StoredFile] = ()) -> etree._Element:
        """files.xml: this store's files, then `others` (those of the backup's other parts)."""
        root = xml.element("files")
        for stored in itertools.chain(self.files, others):
            directory = stored.is_directory
            xml.child(
                root,
                "file",
                {"id": stored.id},
                [
                    ("contenthash", stored.sha1),
                    ("contextid", stored.area.contextid),
                    ("component", stored.area.component),
                    ("filearea", stored.area.filearea),
                    ("itemid", stored.area.itemid),
                    ("filepath", stored.filepath),
                    ("filename", stored.filename),
                    ("userid", self.userid),
                    ("filesize", stored.size),
                    ("mimetype", stored.mimetype),
                    ("status", 0),
                    ("timecreated", 0),
                    ("timemodified", 0),
                    ("source", None),
                    ("author", None if directory else self.author),
                    ("license", None if directory else "unknown"),
                    ("sortorder", 0),
                    ("repositorytype", None),
                    ("repositoryid", None),
                    ("reference", None),
                ],
            )
        return root


def _unique_name(name: str, rel: str, area: Area, taken: set[tuple[Area, str]]) -> str:
    """`name`, or for a second file of the same name in one area, a name made unique by its path."""
    if (area, name) not in taken:
        return name
    stem, ext = posixpath.splitext(name)
    return f"{stem}-{hashlib.sha1(rel.encode('utf-8')).hexdigest()[:8]}{ext}"
