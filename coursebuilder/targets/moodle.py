"""The `moodle` target: files to import into Moodle (question bank, glossary, GIFT)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from coursebuilder.assets import real_paths
from coursebuilder.buildcontext import BuildContext
from coursebuilder.diagnostics import Diagnostic
from coursebuilder.exchange.bank import Span, groups
from coursebuilder.exchange.checks import check_course
from coursebuilder.markdown import Rendering, RenderKey
from coursebuilder.model import Course
from coursebuilder.output import write_chunks
from coursebuilder.prescan import ForkedCall, may_fork
from coursebuilder.sourcedigests import SourceFiles
from coursebuilder.targets.base import Artifact, BuildOptions, Target

if TYPE_CHECKING:
    from coursebuilder.exchange.gift import GiftPart
    from coursebuilder.exchange.text import Renderer

FOLDER = "moodle"
QUESTIONS_FILE = "questions.xml"
GLOSSARY_FILE = "glossary.xml"
GIFT_FILE = "questions.gift.txt"

BANK_WORTH_FORKING = 2_000
"""Questions from which the later part of the bank is written in a forked child (a tenth of a
second of work or more each part; for fewer, the fork costs more than it saves)."""

Outputs = dict[str, Callable[[], Iterable[bytes]]]
"""The target's files in the order they are written: name → its bytes, in pieces."""


class MoodleTarget(Target):
    """Moodle XML question bank and glossary, and the question bank as GIFT."""

    name = "moodle"
    summary = "Moodle XML question bank and glossary, plus GIFT (moodle/questions.xml, glossary.xml)"

    def check(self, course: Course) -> list[Diagnostic]:
        return check_course(course)

    def build(self, context: BuildContext, out_dir: Path, options: BuildOptions) -> list[Artifact]:
        return build_moodle(context, out_dir, options)

    def inputs_digest(self, course: Course, sources: SourceFiles) -> bytes:
        """Every file of the course but the lesson files, whose bodies the Moodle files do not
        hold (a link to a lesson keeps only its text: `Renderer.lessons`): of each lesson, its
        front matter and path (titles, summaries and objectives describe the bank's
        categories, in course order)."""
        digest = hashlib.sha256(sources.digest(leave_out={lesson.path for lesson in course.lessons}))
        for lesson in course.lessons:
            front = lesson.model_dump(mode="json", exclude={"body", "body_line"})
            digest.update(json.dumps(front, sort_keys=True).encode() + b"\0")
        return digest.digest()


def build_moodle(
    context: BuildContext, out_dir: Path, options: BuildOptions, min_questions: int | None = None
) -> list[Artifact]:
    """Write the moodle folder: on two cores for a bank of `min_questions` (by default
    `BANK_WORTH_FORKING`) or more questions (see `LaterPart`)."""
    # The writers are imported here: `validate` needs only the checks.
    from coursebuilder.exchange.gift import GiftWriter, gift_text
    from coursebuilder.exchange.glossary import glossary_xml
    from coursebuilder.exchange.moodlexml import questions_xml_chunks
    from coursebuilder.exchange.text import Renderer

    course = context.course
    lessons = real_paths(course.root, [lesson.path for lesson in course.lessons])
    renderer = Renderer(course.root, renders=context.renders, lessons=lessons)  # all three files: assets encoded once
    count = len(course.questions)
    outputs: Outputs
    least = BANK_WORTH_FORKING if min_questions is None else min_questions
    if count < least or options.workers < 2 or not may_fork():
        outputs = {
            # questions.xml goes to disk as it is made, a question at a time
            QUESTIONS_FILE: lambda: questions_xml_chunks(course, renderer),
            GLOSSARY_FILE: lambda: [glossary_xml(course, renderer)],
            GIFT_FILE: lambda: [gift_text(course, renderer).encode("utf-8")],
        }
    else:
        split = our_share(count, len(course.glossary.entries))
        bank = tuple(groups(course))  # before the fork: the child takes them too
        first, later = Span(0, split, bank), LaterPart(context, renderer, Span(split, None, bank), options.cache)
        # Made while the child writes the XML and GIFT of the later part, before waiting for it.
        glossary = glossary_xml(course, renderer)
        gift = GiftWriter(renderer)
        gift_first = gift.part(course, first)
        outputs = {
            QUESTIONS_FILE: lambda: questions_xml_chunks(course, renderer, first, later.xml),
            GLOSSARY_FILE: lambda: [glossary],
            GIFT_FILE: lambda: [gift.document(course, [gift_first, later.gift()]).encode("utf-8")],
        }
    artifacts = []
    for name, chunks in outputs.items():
        options.progress(f"moodle: {name}")
        path = out_dir / FOLDER / name
        artifacts.append(Artifact(path, write_chunks(path, chunks())))
    return artifacts


GLOSSARY_ENTRY_COST = 1 / 3
"""A glossary entry's XML, in questions' XML and GIFT (about 40 against 120 µs)."""
RETURN_COST = 0.06
"""Sending the child's part back and taking it in, in its share of the work."""


def our_share(questions: int, entries: int) -> int:
    """How many of the first questions this process writes, beside the glossary, so that it
    is done about when the child's part comes back."""
    share = (questions * (1 + RETURN_COST) - entries * GLOSSARY_ENTRY_COST) / (2 + RETURN_COST)
    return min(questions, max(0, round(share)))


class LaterPart:
    """The XML and GIFT of the later questions of a large bank, written in a forked child.

    This process writes the glossary and the first questions meanwhile, and puts the child's
    bytes and text after its own: the split is fixed and each part is what one process would
    write there, so the files are the same bytes whatever the schedule. A child that fails
    costs its time only: the part is then written here (`prescan.ForkedCall`). What the
    child rendered is taken in, so that the build keeps it for the next one as if rendered here.
    """

    def __init__(self, context: BuildContext, renderer: Renderer, span: Span, keep_renderings: bool) -> None:
        self._renders = context.renders
        self._child = ForkedCall(partial(_write_later, context, renderer, span, keep_renderings), fork=True)
        self._made: tuple[bytes, GiftPart] | None = None

    def _result(self) -> tuple[bytes, GiftPart]:
        if self._made is None:
            xml, gift, renderings = self._child.result()
            self._renders.absorb(renderings)
            self._made = xml, gift
        return self._made

    def xml(self) -> bytes:
        """The children of `<quiz>` for the later questions (`questions_xml_part`), waiting for the child."""
        return self._result()[0]

    def gift(self) -> GiftPart:
        """The GIFT of the later questions (`GiftWriter.part`), waiting for the child."""
        return self._result()[1]


def _write_later(
    context: BuildContext, renderer: Renderer, span: Span, keep_renderings: bool
) -> tuple[bytes, GiftPart, dict[RenderKey, Rendering]]:
    """The XML and GIFT of `span`, and the renderings made for them when the build keeps them."""
    from coursebuilder.exchange.gift import GiftWriter
    from coursebuilder.exchange.moodlexml import questions_xml_part

    before = context.renders.renderings().keys() if keep_renderings else set()
    xml = b"".join(questions_xml_part(context.course, renderer, span))
    gift = GiftWriter(renderer).part(context.course, span)
    made: dict[RenderKey, Rendering] = {}
    if keep_renderings:
        made = {key: value for key, value in context.renders.renderings().items() if key not in before}
    return xml, gift, made
