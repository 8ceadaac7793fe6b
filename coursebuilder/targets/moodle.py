"""The `moodle` target: files to import into Moodle (question bank, glossary, GIFT)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from coursebuilder.buildcontext import BuildContext
from coursebuilder.diagnostics import Diagnostic
from coursebuilder.exchange.checks import check_course
from coursebuilder.model import Course
from coursebuilder.output import write_chunks
from coursebuilder.targets.base import Artifact, BuildOptions, Target

FOLDER = "moodle"
QUESTIONS_FILE = "questions.xml"
GLOSSARY_FILE = "glossary.xml"
GIFT_FILE = "questions.gift.txt"


class MoodleTarget(Target):
    """Moodle XML question bank and glossary, and the question bank as GIFT."""

    name = "moodle"
    summary = "Moodle XML question bank and glossary, plus GIFT (moodle/questions.xml, glossary.xml)"

    def check(self, course: Course) -> list[Diagnostic]:
        return check_course(course)

    def build(self, context: BuildContext, out_dir: Path, options: BuildOptions) -> list[Artifact]:
        # The writers are imported here: `validate` needs only the checks.
        from coursebuilder.exchange.gift import gift_text
        from coursebuilder.exchange.glossary import glossary_xml
        from coursebuilder.exchange.moodlexml import questions_xml_chunks
        from coursebuilder.exchange.text import Renderer

        course = context.course
        renderer = Renderer(course.root, renders=context.renders)  # shared: every asset is encoded once
        folder = out_dir / FOLDER
        outputs: dict[str, Callable[[], Iterable[bytes]]] = {
            # questions.xml goes to disk as it is made, a question at a time
            QUESTIONS_FILE: lambda: questions_xml_chunks(course, renderer),
            GLOSSARY_FILE: lambda: [glossary_xml(course, renderer)],
            GIFT_FILE: lambda: [gift_text(course, renderer).encode("utf-8")],
        }
        artifacts = []
        for name, chunks in outputs.items():
            options.progress(f"moodle: {name}")
            path = folder / name
            artifacts.append(Artifact(path, write_chunks(path, chunks())))
        return artifacts
