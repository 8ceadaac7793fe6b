"""The `moodle` target: files to import into Moodle (question bank, glossary, GIFT)."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from coursebuilder.assets import real_paths
from coursebuilder.buildcontext import BuildContext
from coursebuilder.diagnostics import Diagnostic
from coursebuilder.exchange.bank import Span, groups, units
from coursebuilder.exchange.checks import check_course
from coursebuilder.markdown import Rendering, RenderKey
from coursebuilder.model import Course
from coursebuilder.output import write_chunks
from coursebuilder.prescan import Claims, ForkedCall, UnitStream, may_fork, no_answer
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
"""Questions from which part of the bank is written in a forked helper (a tenth of a second of
work or more each part; for fewer, the fork costs more than it saves)."""

Outputs = dict[str, Callable[[], Iterable[bytes]]]
"""The target's files in the order they are written: name → its bytes, in pieces."""


class MoodleTarget(Target):
    """Moodle XML question bank and glossary, and the question bank as GIFT."""

    name = "moodle"
    summary = "Moodle XML question bank and glossary, plus GIFT (moodle/questions.xml, glossary.xml)"

    def check(self, course: Course) -> list[Diagnostic]:
        return check_course(course)

    def begin(self, context: BuildContext, options: BuildOptions) -> None:
        """A large bank's helper, writing from the back while this process checks the course."""
        if context.bank is None:
            context.bank = SharedBank.begin(context, options)

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
    `BANK_WORTH_FORKING`) or more questions (`SharedBank`)."""
    # The writers are imported here: `validate` needs only the checks.
    from coursebuilder.exchange.gift import GiftWriter, gift_text
    from coursebuilder.exchange.glossary import glossary_xml
    from coursebuilder.exchange.moodlexml import questions_xml_document, questions_xml_part

    course = context.course
    renderer = _renderer(context)  # all three files: assets encoded once
    shared, context.bank = context.bank, None
    if shared is None:
        shared = SharedBank.begin(context, options, min_questions)
    outputs: Outputs
    if shared is None:
        outputs = {
            # questions.xml goes to disk as it is made, a question at a time
            QUESTIONS_FILE: lambda: questions_xml_document(questions_xml_part(course, renderer)),
            GLOSSARY_FILE: lambda: [glossary_xml(course, renderer)],
            GIFT_FILE: lambda: [gift_text(course, renderer).encode("utf-8")],
        }
    else:
        glossary = glossary_xml(course, renderer)  # while the helper writes its first units
        gift = GiftWriter(renderer)
        gift_parts: list[GiftPart] = []
        outputs = {
            QUESTIONS_FILE: lambda: questions_xml_document(shared.write(renderer, gift_parts)),
            GLOSSARY_FILE: lambda: [glossary],
            GIFT_FILE: lambda: [gift.document(course, gift_parts).encode("utf-8")],
        }
    artifacts = []
    for name, chunks in outputs.items():
        options.progress(f"moodle: {name}")
        path = out_dir / FOLDER / name
        artifacts.append(Artifact(path, write_chunks(path, chunks())))
    return artifacts


def _renderer(context: BuildContext) -> Renderer:
    from coursebuilder.exchange.text import Renderer

    lessons = real_paths(context.course.root, [lesson.path for lesson in context.course.lessons])
    return Renderer(context.course.root, renders=context.renders, lessons=lessons)


UNIT = 200
"""Questions in each unit of a bank that two processes write (`SharedBank`): each takes a few
milliseconds, so the two end within that of each other."""


class SharedBank:
    """The XML and GIFT of a large bank, written by this process and a forked helper together.

    The bank is cut into units of `UNIT` questions (`bank.units`). This process takes them from
    the first on, the helper from the last back, each as it gets to them (`prescan.Claims`),
    so both end at about the same time however long each was held up elsewhere: the helper
    is begun as soon as the course's model is made (`MoodleTarget.begin`), and works while
    this process checks the course. Each unit is what one process would write there, so the
    files are the same bytes whatever the schedule. The helper hands over each unit's XML as
    it is written (`prescan.UnitStream`, a temporary file), which costs less than sending it
    through the answer's pipe (about 16 MB for 10,000 questions). A helper that fails costs
    its time only: the units it claimed are written here. What it rendered is taken in, so
    that the build keeps it for the next one as if rendered here.
    """

    def __init__(
        self, context: BuildContext, spans: list[Span], claims: Claims, stream: UnitStream, keep: bool
    ) -> None:
        self._context, self._units, self._claims, self._stream = context, spans, claims, stream
        work = partial(_write_from_the_back, context, spans, claims, stream, keep)
        self._helper = ForkedCall(work, fork=True, instead=no_answer)
        stream.started()

    @classmethod
    def begin(cls, context: BuildContext, options: BuildOptions, min_questions: int | None = None) -> SharedBank | None:
        """A helper for the bank when it is worth one (`min_questions`, by default
        `BANK_WORTH_FORKING`) and two processes may run; None otherwise."""
        least = BANK_WORTH_FORKING if min_questions is None else min_questions
        count = len(context.course.questions)
        if count < least or options.workers < 2 or not may_fork():
            return None
        size = max(UNIT, -(-count // Claims.LIMIT))  # a bank of more units than can be claimed: larger ones
        spans = units(tuple(groups(context.course)), size)  # before the fork: the helper takes them too
        try:
            stream = UnitStream()
        except OSError:  # no temporary file or descriptor left
            return None
        try:
            claims = Claims(len(spans))
        except OSError:  # no descriptor left for the pipe
            stream.close()
            return None
        sys.stdout.flush()  # the helper would print what is buffered again
        sys.stderr.flush()
        return cls(context, spans, claims, stream, options.cache)

    def write(self, renderer: Renderer, gift_parts: list[GiftPart]) -> Iterator[bytes]:
        """The XML of the whole bank in order, the units claimed here written as they are
        claimed; the GIFT of each unit goes to `gift_parts`, in order."""
        from coursebuilder.exchange.gift import GiftWriter
        from coursebuilder.exchange.moodlexml import questions_xml_part

        course = self._context.course
        gift = GiftWriter(renderer)
        try:  # however it ends, the helper and its file go with it
            while (index := self._claims.front()) is not None:
                yield from questions_xml_part(course, renderer, self._units[index])
                gift_parts.append(gift.part(course, self._units[index]))
            ours = self._claims.taken
            theirs = self._theirs(len(self._units) - ours)
            for index, unit in enumerate(self._units[ours:]):
                if theirs is not None:
                    sent = len(theirs) - 1 - index  # the helper sent the last unit first
                    yield self._read(sent)
                    gift_parts.append(theirs[sent])
                else:  # the helper failed: its units are written here
                    yield from questions_xml_part(course, renderer, unit)
                    gift_parts.append(gift.part(course, unit))
        finally:
            self.close()

    def _theirs(self, count: int) -> list[GiftPart] | None:
        """The GIFT of the helper's `count` units, in the order it sent them, once every one of
        them has come whole (waits for the helper); None when it failed."""
        self._claims.close()
        answer = self._helper.result()
        while self._stream.open:  # the helper has ended: what it sent is there
            self._stream.receive(wait=True)
        if answer is None:
            return None
        gifts, renderings = answer
        if len(gifts) != count or self._stream.sent != count or not self._stream.whole():
            return None
        self._context.renders.absorb(renderings)
        return list(gifts)

    def _read(self, sent: int) -> bytes:
        data = self._stream.unit(sent)
        if data is None:
            raise OSError(f"the bank's temporary file no longer holds the helper's unit {sent}")
        return data

    def close(self) -> None:
        """End the helper, if its answer was not taken, and drop its temporary file."""
        self._claims.close()
        self._helper.close()
        self._stream.close()


def _write_from_the_back(
    context: BuildContext, spans: list[Span], claims: Claims, stream: UnitStream, keep_renderings: bool
) -> tuple[list[GiftPart], dict[RenderKey, Rendering]]:
    """In the helper: send the XML of each unit it claims, last first, through `stream`;
    return their GIFT, and the renderings made for them when the build keeps them."""
    from coursebuilder.exchange import moodlexml
    from coursebuilder.exchange.gift import GiftWriter

    course = context.course
    renderer = _renderer(context)
    before = context.renders.renderings().keys() if keep_renderings else set()
    gift = GiftWriter(renderer)
    gifts: list[GiftPart] = []
    while (index := claims.back()) is not None:
        stream.send(b"".join(moodlexml.questions_xml_part(course, renderer, spans[index])))
        gifts.append(gift.part(course, spans[index]))
    renderings: dict[RenderKey, Rendering] = {}
    if keep_renderings:
        renderings = {key: value for key, value in context.renders.renderings().items() if key not in before}
    return gifts, renderings
