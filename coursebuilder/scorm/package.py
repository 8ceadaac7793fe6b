"""Lay out a SCORM package: pages, the player, course files and schema files.

Both SCORM versions and both structures come from here; a version changes only the manifest
and the data the player reads (which API to look for, which response formats to write).

- `single`: one SCO, `index.html`, holding every lesson, the glossary and the quiz as
  sections of one page, so the learner moves around without the LMS re-launching anything.
- `multi`: one SCO per lesson (`lesson-<id>.html`, with the glossary) and one for the final
  quiz (`quiz.html`), so the LMS's table of contents tracks each.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache, partial
from importlib.resources import files
from importlib.resources.abc import Traversable
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal, NamedTuple

from jinja2 import Environment, StrictUndefined, select_autoescape
from markupsafe import Markup

from coursebuilder.diagnostics import CourseError, error
from coursebuilder.layout import COURSE_FILE, GLOSSARY_FILE
from coursebuilder.markdown import RenderCache
from coursebuilder.model import Course, Lesson, final_questions
from coursebuilder.output import Deflated, zip_bytes
from coursebuilder.scorm.html import ContentRenderer, GlossaryLinker, Reference, plain_text, term_anchor
from coursebuilder.scorm.i18n import Messages
from coursebuilder.scorm.manifest import PackagePlan, Sco, manifest_12, manifest_2004
from coursebuilder.scorm.pagestore import KeptSection, PageStore, deflate_page, digest
from coursebuilder.scorm.quiz import QuizBuilder, QuizPlan
from coursebuilder.templating import PrecompiledLoader

Version = Literal["1.2", "2004"]
Structure = Literal["single", "multi"]

RUNTIME = ("player.js", "player.css")
"""The player: every script and style sheet a package adds, shared by all its pages."""
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
    "media-src 'self'; font-src 'self'; connect-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'"
)
"""Everything from the package itself, nothing from the network, no eval (`unsafe-inline`
styles only: Markdown tables align cells with `style` attributes)."""
JS_MESSAGES = (
    "question_n",
    "correct",
    "partial",
    "incorrect",
    "unanswered",
    "mark",
    "score",
    "passed",
    "failed",
    "answered",
    "no_lms",
    "moved",
    "progress",
    "glossary_count",
    "glossary_none",
)
"""Messages the player script shows; the others are written into the pages."""


class Flavour(NamedTuple):
    """What differs between SCORM versions."""

    version: Version
    schema_folder: str
    """Folder of `static/xsd` with the official schema files the manifest references."""

    def manifest(self, plan: PackagePlan) -> bytes:
        return manifest_12(plan) if self.version == "1.2" else manifest_2004(plan)


FLAVOURS: dict[str, Flavour] = {
    "1.2": Flavour("1.2", "scorm12"),
    "2004": Flavour("2004", "scorm2004"),
}


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PrecompiledLoader(),  # compiled in advance (`templating`)
        autoescape=select_autoescape(["j2", "html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
        auto_reload=False,  # package data: no need to stat each template at every include
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}
    return env


def static_file(name: str) -> bytes:
    """A file of the player shipped in the package data (`coursebuilder/static`)."""
    return (files("coursebuilder") / "static" / name).read_bytes()


def runtime_size() -> int:
    """Bytes of JavaScript and CSS the player adds to every package (uncompressed)."""
    return sum(len(static_file(name)) for name in RUNTIME)


def schema_files(flavour: Flavour) -> dict[str, bytes]:
    """The official schema files a manifest of this version references, by package path."""
    found: dict[str, bytes] = {}

    def walk(folder: Traversable, prefix: str) -> Iterator[tuple[str, bytes]]:
        for entry in folder.iterdir():
            if entry.is_dir():
                yield from walk(entry, f"{prefix}{entry.name}/")
            elif entry.is_file():
                yield f"{prefix}{entry.name}", entry.read_bytes()

    found.update(walk(files("coursebuilder") / "static" / "xsd" / flavour.schema_folder, ""))
    return dict(sorted(found.items()))


def lesson_page(lesson: Lesson) -> str:
    return f"lesson-{lesson.id}.html"


def lesson_section(lesson: Lesson) -> str:
    return f"l-{lesson.id}"


PHRASES_PER_TEXT = 40
"""Linking one lesson alone (`ContentRenderer.link_alone`) costs about what compiling the
whole glossary's search costs for this many of its phrases: a build links each lesson alone
while it has fewer lessons to link than the glossary has phrases / `PHRASES_PER_TEXT`.
(Measured, lessons linked alone in the time of one whole compile: 1.5 for the example
course's 52 phrases, 2.7 for 67, 18 for 667, 160 for 6,667.)"""


class SharedContent:
    """What a course's packages of one structure have in common, whatever the SCORM version.

    The Markdown of lessons, glossary, summary and quiz is rendered (and glossary terms
    linked) once, and each course file read once, then shared by the SCORM 1.2 and 2004
    packages of one build and the SCORM activity of the course backup (the build keeps it,
    see `targets.scorm`). `renders` shares the Markdown with the build's other targets.
    With `keep`, a folder, the lessons' and glossary's sections and the compressed runs of
    large pages are kept there for the next build, and taken from there when what they are
    made from is unchanged (`pagestore`).
    """

    def __init__(
        self, course: Course, structure: Structure, *, renders: RenderCache | None = None, keep: Path | None = None
    ) -> None:
        self.course = course
        self.info = course.info
        self.structure = structure
        self.msg = Messages(self.info.language)
        taken: set[str] = set()
        self.glossary = [(term_anchor(entry.term, taken), entry) for entry in course.glossary.entries]
        self.content = ContentRenderer(
            root=Path(course.root),
            linker=GlossaryLinker(self.glossary),
            glossary_title=self.msg("glossary"),
            lesson_targets={
                lesson.path: (f"#{lesson_section(lesson)}" if structure == "single" else "")
                for lesson in course.lessons
            },
            renders=renders,
        )
        questions = final_questions(course)
        self.quiz: QuizPlan | None = QuizBuilder(self.content, self.msg).build(course, questions) if questions else None
        self.has_glossary = bool(self.glossary)
        self.store = PageStore(keep)
        self._lessons: list[dict[str, Any]] | None = None
        self._page: str | None = None
        self._lesson_keys: list[str] | None = None
        self._glossary: dict[str, Any] | None = None
        self._summary: str | None = None
        self._file_data: dict[str, bytes] = {}
        self._sections: dict[str, bytes] = {}
        """Each page section's HTML by its id (`sections_html`)."""
        self.zips: dict[Version, bytes] = {}
        """Finished zips by version (for the course backup, which wants the 1.2 package again)."""

    def lesson_views(self) -> list[dict[str, Any]]:
        """One view per lesson as the structure shows it, without its body (made with the
        section, `sections_html`); fresh dicts."""
        return [dict(view) for view in self._views()]

    def _views(self) -> list[dict[str, Any]]:
        if self._lessons is None:
            lessons = self.course.lessons
            views: list[dict[str, Any]] = [
                {
                    "kind": "lesson",
                    "id": lesson_section(lesson),
                    "index": index,
                    "number": index + 1,
                    "total": len(lessons),
                    "title": lesson.title,
                    "minutes": lesson.minutes,
                    "objectives": lesson.objectives,
                    "prev": None,
                    "next": None,
                    "glossary": self.has_glossary,
                    "menu_hint": self.structure == "multi",
                }
                for index, lesson in enumerate(lessons)
            ]
            if self.structure == "single":
                for before, after in pairwise(views):
                    before["next"] = {"id": after["id"], "title": after["title"]}
                    after["prev"] = {"id": before["id"], "title": before["title"]}
                if self.quiz is not None and views:
                    views[-1]["next"] = {"id": "quiz", "title": self.quiz.title}
            self._lessons = views
        return self._lessons

    def glossary_view(self, noted: list[Reference] | None = None) -> dict[str, Any]:
        """The glossary section's view; `noted` receives the course files its texts point to."""
        if self._glossary is None:
            glossary = self.course.glossary
            entries = []
            for anchor, entry in self.glossary:
                html = self.content.render(
                    entry.definition, GLOSSARY_FILE, partial(entry.source_line, "definition"), "definition", noted=noted
                )
                search = " ".join([entry.term, *entry.aliases, plain_text(html)]).lower()
                entries.append(
                    {
                        "anchor": anchor,
                        "term": entry.term,
                        "aliases": entry.aliases,
                        "html": Markup(html),
                        "search": search,
                    }
                )
            intro = self.content.render(
                glossary.intro, GLOSSARY_FILE, partial(glossary.source_line, "intro"), "intro", noted=noted
            )
            self._glossary = {
                "kind": "glossary",
                "id": "glossary",
                "title": glossary.name,
                "intro": Markup(intro),
                "entries": entries,
            }
        return self._glossary

    def summary(self) -> str:
        if self._summary is None:
            self._summary = self.content.render(
                self.info.summary, COURSE_FILE, partial(self.info.source_line, "summary"), "summary"
            )
        return self._summary

    def sections_html(self, sections: list[dict[str, Any]]) -> list[bytes]:
        """A page's sections in UTF-8, each made once for both SCORM versions and every page
        that shows it (a multi-SCO package's lesson pages all show the glossary). The versions'
        pages differ only in the record the player reads (`PackageBuilder.data`), and a
        section is known by its id (home, a lesson's, glossary, quiz), which makes the same
        HTML within a structure. A lesson's section is made from `lesson_views` and the
        glossary's from `glossary_view`, whatever view of them `sections` holds."""
        made = []
        for section in sections:
            html = self._sections.get(section["id"])
            if html is None:
                if section["kind"] == "lesson":
                    html = self._lesson_html(section["index"])
                elif section["kind"] == "glossary":
                    html = self._glossary_html()
                else:
                    html = self._render(section)
                self._sections[section["id"]] = html
            made.append(html)
        return made

    def _render(self, section: dict[str, Any]) -> bytes:
        template = _environment().get_template("scorm/section.html.j2")
        text = template.render(
            section=section,
            info=self.info,
            msg=self.msg,
            quiz=self.quiz,
            passing=_percent(self.info.settings.passing_score),
        )
        return text.encode("utf-8")

    # ------------------------------------------------------------------ kept sections

    def _page_key(self) -> str:
        """What every kept section of this structure's pages depends on beyond its own texts:
        the structure, the messages, the glossary's phrases and where lessons are linked."""
        if self._page is None:
            linker = self.content.linker
            phrases = [[p.text, p.anchor, p.case_sensitive, p.full_match] for p in linker.phrases] if linker else []
            self._page = digest(
                self.structure,
                self.msg.table,
                self.content.glossary_title,
                phrases,
                sorted(self.content.lesson_targets.items()),
            )
        return self._page

    def _keys_of_lessons(self) -> list[str]:
        """Each lesson section's key: the page's, the lesson's file and text, and its view.

        Made for all lessons when the first is needed: a build that renders only a few of
        them (the others kept) links those with the phrases each contains."""
        if self._lesson_keys is None:
            page = self._page_key()
            self._lesson_keys = [
                digest(page, "lesson", lesson.path, view, text=lesson.body)
                for lesson, view in zip(self.course.lessons, self._views(), strict=True)
            ]
            missing = sum(self.store.section(key) is None for key in self._lesson_keys)
            phrases = len(self.content.linker.phrases) if self.content.linker is not None else 0
            self.content.link_alone = missing * PHRASES_PER_TEXT < phrases
        return self._lesson_keys

    def _kept(self, key: str) -> bytes | None:
        """The section kept under `key`, when the course files it points to are still the ones it was made with."""
        kept = self.store.section(key)
        if kept is None or not self.content.adopt(kept.references):
            return None
        self.store.keep_section(key, kept)
        return kept.html

    def _lesson_html(self, index: int) -> bytes:
        key = self._keys_of_lessons()[index]
        html = self._kept(key)
        if html is None:
            lesson = self.course.lessons[index]
            noted: list[Reference] = []
            body = self.content.render(
                lesson.body,
                lesson.path,
                lesson.body_line,
                "body",
                link_terms=True,
                drop_heading=lesson.title,
                noted=noted,
            )
            html = self._render({**self._views()[index], "body": Markup(body)})
            self.store.keep_section(key, KeptSection(html, tuple(noted)))
        return html

    def _glossary_html(self) -> bytes:
        glossary = self.course.glossary
        entries = [[anchor, e.term, e.aliases, e.definition] for anchor, e in self.glossary]
        key = digest(self._page_key(), "glossary", glossary.name, glossary.intro, entries)
        html = self._kept(key)
        if html is None:
            noted: list[Reference] = []
            html = self._render(self.glossary_view(noted))
            self.store.keep_section(key, KeptSection(html, tuple(noted)))
        return html

    def file_data(self, name: str, path: Path) -> bytes:
        """The bytes of a course file the pages use, read once."""
        data = self._file_data.get(name)
        if data is None:
            data = self._file_data[name] = path.read_bytes()
        return data


class PackageBuilder:
    """Renders the files of one package; `files()` returns them by package path."""

    def __init__(self, shared: SharedContent, version: Version) -> None:
        self.shared = shared
        self.course = shared.course
        self.info = shared.info
        self.flavour = FLAVOURS[version]
        self.structure = shared.structure
        self.msg = self.shared.msg
        self.content = self.shared.content
        self.quiz = self.shared.quiz
        self.has_glossary = self.shared.has_glossary

    # ------------------------------------------------------------------ views

    def lesson_views(self) -> list[dict[str, Any]]:
        return self.shared.lesson_views()

    def data(self, sco: str, lessons: list[int]) -> dict[str, Any]:
        """The record the player script reads from the page."""
        quiz = self.quiz if sco in ("course", "quiz") else None
        return {
            "v": self.flavour.version,
            "mode": self.structure,
            "sco": sco,
            "lessons": [lesson_section(self.course.lessons[i]) for i in lessons],
            "pass": self.info.settings.passing_score,
            "quiz": quiz.data(self.flavour.version) if quiz is not None else None,
            "msg": {key: self.msg.table[key] for key in JS_MESSAGES},
        }

    def page(
        self, title: str, sections: list[dict[str, Any]], data: dict[str, Any], toc: list[dict[str, Any]]
    ) -> list[bytes]:
        """A page in pieces: its start, its sections, which both versions share, and its end."""
        environment = _environment()
        progress = len(data["lessons"]) if self.structure == "single" else 0
        start = environment.get_template("scorm/page_start.html.j2").render(
            lang=self.info.language,
            title=title,
            info=self.info,
            msg=self.msg,
            csp=CSP,
            toc=toc,
            progress=progress,
        )
        end = environment.get_template("scorm/page_end.html.j2").render(data=data)
        return [start.encode("utf-8"), *self.shared.sections_html(sections), end.encode("utf-8")]

    # ------------------------------------------------------------------ structures

    def pages(self) -> tuple[dict[str, list[bytes]], list[Sco]]:
        """Each page in pieces (`page`) by its path in the zip, and the SCOs."""
        return self._single() if self.structure == "single" else self._multi()

    def _mastery(self) -> float | None:
        return self.info.settings.passing_score if self.quiz is not None and self.quiz.scored else None

    def _single(self) -> tuple[dict[str, list[bytes]], list[Sco]]:
        lessons = self.lesson_views()
        extras = []
        if self.has_glossary:
            extras.append({"id": "glossary", "title": self.course.glossary.name})
        if self.quiz is not None:
            extras.append({"id": "quiz", "title": self.quiz.title})
        summary = self.shared.summary()
        home = {
            "kind": "home",
            "id": "home",
            "summary": Markup(summary),
            "lessons": [{"id": v["id"], "title": v["title"], "minutes": v["minutes"]} for v in lessons],
            "extras": extras,
        }
        sections: list[dict[str, Any]] = [home, *lessons]
        if self.has_glossary:
            sections.append({"kind": "glossary", "id": "glossary"})
        if self.quiz is not None:
            sections.append({"kind": "quiz", "id": "quiz"})
        toc = [{"id": "home", "title": self.msg("start"), "lesson": False}]
        toc += [{"id": v["id"], "title": v["title"], "lesson": True} for v in lessons]
        toc += [{"id": e["id"], "title": e["title"], "lesson": False} for e in extras]
        data = self.data("course", list(range(len(lessons))))
        page = self.page(self.info.title, sections, data, toc)
        sco = Sco(
            key=self.info.id, title=self.info.title, href="index.html", files=("index.html",), mastery=self._mastery()
        )
        return {"index.html": page}, [sco]

    def _multi(self) -> tuple[dict[str, list[bytes]], list[Sco]]:
        pages: dict[str, list[bytes]] = {}
        scos: list[Sco] = []
        glossary = [{"kind": "glossary", "id": "glossary"}] if self.has_glossary else []
        for view, lesson in zip(self.lesson_views(), self.course.lessons, strict=True):
            name = lesson_page(lesson)
            data = self.data("lesson", [view["index"]])
            pages[name] = self.page(f"{lesson.title} · {self.info.title}", [view, *glossary], data, [])
            scos.append(Sco(key=f"L-{lesson.id}", title=lesson.title, href=name, files=(name,), lesson=True))
        if self.quiz is not None:
            data = self.data("quiz", [])
            pages["quiz.html"] = self.page(
                f"{self.quiz.title} · {self.info.title}", [{"kind": "quiz", "id": "quiz"}], data, []
            )
            scos.append(
                Sco(key="QUIZ", title=self.quiz.title, href="quiz.html", files=("quiz.html",), mastery=self._mastery())
            )
        return pages, scos

    # ------------------------------------------------------------------ the package

    def files(self) -> dict[str, bytes]:
        """Every file of the package by its path in the zip, the manifest included."""
        pages, others = self.contents()
        return {**{name: b"".join(pieces) for name, pieces in pages.items()}, **others}

    def zip_entries(self) -> list[tuple[str, bytes | Deflated]]:
        """The package's files as `output.zip_bytes` takes them, large pages compressed in
        runs the other version and the next build share (`pagestore.deflate_page`)."""
        pages, others = self.contents()
        version = self.flavour.version
        compressed = [(name, deflate_page(pieces, self.shared.store, version)) for name, pieces in pages.items()]
        return [*compressed, *others.items()]

    def contents(self) -> tuple[dict[str, list[bytes]], dict[str, bytes]]:
        """The pages in pieces by path, and every other file of the package, the manifest included."""
        pages, scos = self.pages()
        out: dict[str, bytes] = {}
        for name in RUNTIME:
            out[name] = static_file(name)
        schemas = schema_files(self.flavour)
        out.update(schemas)
        course_files = dict(sorted(self.content.files.items()))
        clashes = sorted(set(course_files) & (set(pages) | set(out) | {"imsmanifest.xml"}))
        if clashes:
            raise CourseError(
                [
                    error(
                        name,
                        0,
                        field="",
                        message="this file's name is one the SCORM package needs for itself; rename it",
                        code="asset",
                    )
                    for name in clashes
                ]
            )
        for name, path in course_files.items():
            out[name] = self.shared.file_data(name, path)
        plan = PackagePlan(
            info=self.info,
            scos=tuple(scos),
            common=tuple(sorted([*RUNTIME, *course_files])),
            schemas=tuple(schemas),
        )
        out["imsmanifest.xml"] = self.flavour.manifest(plan)
        return pages, out


def _percent(value: float) -> str:
    return f"{value:g}"


def package_files(shared: SharedContent, version: Version) -> dict[str, bytes]:
    """The files of the SCORM package for `version`, made from content the other version shares."""
    return PackageBuilder(shared, version).files()


def package_zip(shared: SharedContent, version: Version) -> bytes:
    """The zip of the SCORM package for `version`, made from content the other version shares;
    what the build may keep for the next is kept (`SharedContent.store`)."""
    data = zip_bytes(PackageBuilder(shared, version).zip_entries())
    shared.store.save(version)
    return data


def build_package(course: Course, version: Version, structure: Structure) -> dict[str, bytes]:
    """The files of the course's SCORM package for `version` and `structure`, sharing nothing."""
    return package_files(SharedContent(course, structure), version)
