"""Lay out a Common Cartridge: lesson and glossary pages, course files, assessments, a question bank.

Everything sits at the root of the zip beside `imsmanifest.xml`, so the pages and the QTI files
reach the course files by the same relative paths as the SCORM pages do (`assets/...`), and
both importers resolve them: Moodle against the folder of the page or QTI file
(`entities::update_sources`, `cc11_resource`), Canvas against the files of the cartridge's web
content (`find_file_migration_id`). Lessons are rendered by the SCORM pages' renderer, with
glossary terms linked to `glossary.html`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import TypeVar

from jinja2 import Environment, StrictUndefined, select_autoescape
from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup

from coursebuilder.cc.manifest import ASSESSMENT, QUESTION_BANK, WEBCONTENT, Item, Resource, manifest
from coursebuilder.cc.qti import Converted, Note, assessment, convert, objectbank
from coursebuilder.diagnostics import CourseError, error
from coursebuilder.layout import GLOSSARY_FILE
from coursebuilder.markdown import RenderCache
from coursebuilder.model import Course, GlossaryEntry, Lesson, Question, questions_by_lesson
from coursebuilder.scorm.html import ContentRenderer, GlossaryLinker, term_anchor
from coursebuilder.scorm.i18n import Messages
from coursebuilder.templating import PrecompiledLoader

MANIFEST = "imsmanifest.xml"
GLOSSARY_PAGE = "glossary.html"
BANK_FILE = "question-bank.xml"
FILES_RESOURCE = "R_files"
BANK_RESOURCE = "R_bank"

T = TypeVar("T")
_PARSER = lxml_html.HTMLParser(no_network=True)


def lesson_page(lesson: Lesson) -> str:
    return f"lesson-{lesson.id}.html"


def assessment_file(lesson: Lesson) -> str:
    return f"assessment-{lesson.id}.xml"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PrecompiledLoader(),  # compiled in advance (`templating`)
        autoescape=select_autoescape(["j2", "html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def notes(course: Course) -> list[Note]:
    """What the cartridge changes or leaves out, question by question (without rendering anything)."""
    words = _true_false(Messages(course.info.language))
    found: list[Note] = []
    by_lesson = questions_by_lesson(course.questions)
    for lesson in course.lessons:
        for question in by_lesson.get(lesson.id, ()):
            found.extend(convert(question, lambda text, q, f: text, words).notes)
    return found


def _true_false(msg: Messages) -> tuple[str, str]:
    return msg("true"), msg("false")


@dataclass
class _Builder:
    """Renders the files of one cartridge and records which course files each resource uses."""

    course: Course
    renders: RenderCache | None = None
    """The build's Markdown renderings, shared with its other targets."""
    msg: Messages = field(init=False)
    content: ContentRenderer = field(init=False)
    entries: list[tuple[str, GlossaryEntry]] = field(init=False)
    course_files: dict[str, Path] = field(default_factory=dict)

    def __post_init__(self) -> None:
        course = self.course
        self.msg = Messages(course.info.language)
        taken: set[str] = set()
        self.entries = entries = [(term_anchor(entry.term, taken), entry) for entry in course.glossary.entries]
        self.content = ContentRenderer(
            root=Path(course.root),
            linker=GlossaryLinker(entries, page=GLOSSARY_PAGE) if entries else None,
            glossary_title=self.msg("glossary"),
            lesson_targets={lesson.path: lesson_page(lesson) for lesson in course.lessons},
            renders=self.renders,
        )

    def using_files(self, make: Callable[[], T]) -> tuple[T, set[str]]:
        """Run `make` (which renders) and return its result with the course files it referenced."""
        self.content.files = {}
        result = make()
        used = self.content.files
        self.course_files.update(used)
        return result, set(used)

    def linked_pages(self, page: bytes) -> set[str]:
        """The cartridge's pages (lessons, glossary) a page links to, for its dependencies."""
        tree = lxml_html.fromstring(page, parser=_PARSER)
        targets = {str(anchor.get("href", "")).split("#", 1)[0] for anchor in tree.iter("a")}
        return targets & ({lesson_page(lesson) for lesson in self.course.lessons} | {GLOSSARY_PAGE})

    def page(self, title: str, **views: object) -> bytes:
        template = _environment().get_template("cc/page.html.j2")
        values = {"lesson": None, "glossary": None, **views}
        return template.render(lang=self.course.info.language, title=title, msg=self.msg, **values).encode("utf-8")

    def lesson(self, index: int, lesson: Lesson) -> bytes:
        body = self.content.render(
            lesson.body, lesson.path, lesson.body_line, "body", link_terms=True, drop_heading=lesson.title
        )
        view = {
            "number": index + 1,
            "total": len(self.course.lessons),
            "minutes": lesson.minutes,
            "objectives": lesson.objectives,
            "body": Markup(body),
        }
        return self.page(lesson.title, lesson=view)

    def glossary_page(self) -> bytes:
        glossary = self.course.glossary
        entries = []
        for anchor, entry in self.entries:
            html = self.content.render(
                entry.definition, GLOSSARY_FILE, partial(entry.source_line, "definition"), "definition"
            )
            entries.append({"anchor": anchor, "term": entry.term, "aliases": entry.aliases, "html": Markup(html)})
        intro = self.content.render(glossary.intro, GLOSSARY_FILE, partial(glossary.source_line, "intro"), "intro")
        return self.page(glossary.name, glossary={"intro": Markup(intro), "entries": entries})

    def render_question(self, text: str, question: Question, fieldname: str) -> str:
        top = fieldname.split("[", 1)[0].split(".", 1)[0]
        return self.content.render(
            text, question.source_file, question.source_line(top), question.field_path(fieldname)
        )

    def items(self, questions: list[Question]) -> list[etree._Element]:
        words = _true_false(self.msg)
        converted: Iterator[Converted] = (convert(q, self.render_question, words) for q in questions)
        return [c.item for c in converted if c.item is not None]


def build_cartridge(course: Course, *, renders: RenderCache | None = None) -> dict[str, bytes]:
    """Every file of the cartridge by its path in the zip, the manifest included.

    `renders` shares the Markdown renderings of the build's other targets.
    """
    builder = _Builder(course, renders)
    info = course.info
    out: dict[str, bytes] = {}
    resources: list[Resource] = []
    organization: list[Item] = []
    bank: list[etree._Element] = []
    bank_uses_files = False
    pages = {lesson_page(lesson): f"R_page_{lesson.id}" for lesson in course.lessons}
    by_lesson = questions_by_lesson(course.questions)
    if builder.entries:
        pages[GLOSSARY_PAGE] = "R_glossary"
    for index, lesson in enumerate(course.lessons):
        name = lesson_page(lesson)
        out[name], used = builder.using_files(partial(builder.lesson, index, lesson))
        resources.append(_page_resource(pages[name], name, used, {pages[p] for p in builder.linked_pages(out[name])}))
        children = [Item(f"I_page_{lesson.id}", lesson.title, pages[name])]
        items, used = builder.using_files(partial(builder.items, by_lesson.get(lesson.id, [])))
        if items:
            quiz_file = assessment_file(lesson)
            title = builder.msg("lesson_quiz", lesson=lesson.title)
            bank.extend(copy.deepcopy(item) for item in items)
            bank_uses_files = bank_uses_files or bool(used)
            out[quiz_file] = assessment(f"A_{lesson.id}", title, items)
            resources.append(Resource(f"R_quiz_{lesson.id}", ASSESSMENT, (quiz_file,), dependencies=_uses_files(used)))
            children.append(Item(f"I_quiz_{lesson.id}", title, f"R_quiz_{lesson.id}"))
        organization.append(Item(f"I_lesson_{lesson.id}", lesson.title, children=tuple(children)))
    if builder.entries:
        out[GLOSSARY_PAGE], used = builder.using_files(builder.glossary_page)
        links = {pages[p] for p in builder.linked_pages(out[GLOSSARY_PAGE])}
        resources.append(_page_resource("R_glossary", GLOSSARY_PAGE, used, links))
        glossary_item = Item("I_glossary_page", course.glossary.name, "R_glossary")
        organization.append(Item("I_glossary", course.glossary.name, children=(glossary_item,)))
    if bank:
        out[BANK_FILE] = objectbank(f"B_{info.id}", bank)
        resources.append(
            Resource(BANK_RESOURCE, QUESTION_BANK, (BANK_FILE,), dependencies=_uses_files(bank_uses_files))
        )
    course_files = dict(sorted(builder.course_files.items()))
    clashes = sorted(set(course_files) & (set(out) | {MANIFEST}))
    if clashes:
        raise CourseError(
            [
                error(
                    name,
                    0,
                    field="",
                    message="this file's name is one the cartridge needs for itself; rename it",
                    code="asset",
                )
                for name in clashes
            ]
        )
    if course_files:
        resources.append(Resource(FILES_RESOURCE, WEBCONTENT, tuple(course_files)))
        for name, path in course_files.items():
            out[name] = path.read_bytes()
    out[MANIFEST] = manifest(info, organization, resources)
    return out


def _uses_files(used: object) -> tuple[str, ...]:
    return (FILES_RESOURCE,) if used else ()


def _page_resource(identifier: str, page: str, used: set[str], links: set[str]) -> Resource:
    """A page's resource: the page, and what it needs: course files and the pages it links to."""
    links = links - {identifier}
    return Resource(identifier, WEBCONTENT, (page,), href=page, dependencies=_uses_files(used) + tuple(sorted(links)))
