"""What only the course backup needs of a course, beyond the shared checks."""

from __future__ import annotations

from pathlib import Path

from coursebuilder.assets import AssetProblem, is_external, resolve
from coursebuilder.diagnostics import Diagnostic, error, warning
from coursebuilder.htmlsafety import find_unsafe_html
from coursebuilder.layout import COURSE_FILE, GLOSSARY_FILE
from coursebuilder.markdown import references
from coursebuilder.model import Course


def check_backup(course: Course) -> list[Diagnostic]:
    """Files the course summary and glossary intro refer to."""
    diags: list[Diagnostic] = []
    root = Path(course.root)
    texts = (
        (COURSE_FILE, "summary", course.info.summary, course.info.source_line("summary")),
        (GLOSSARY_FILE, "intro", course.glossary.intro, course.glossary.source_line("intro")),
    )
    for file, field, text, line in texts:
        for ref in references(text):
            if is_external(ref.target) or ref.target.startswith("#") or not ref.target:
                continue
            if ref.kind == "link" and "." not in ref.target.rsplit("/", 1)[-1]:
                continue
            try:
                resolve(root, file, ref.target)
            except AssetProblem as exc:
                diags.append(error(file, line, field, str(exc), "asset"))
    for lesson in course.lessons:
        # `allow_scripts` opens the SCORM page only: Moodle's cleaner strips active HTML from
        # the lesson's page in the backup, so say so instead of letting it vanish silently.
        found = find_unsafe_html(lesson.body) if lesson.allow_scripts else []
        if found:
            diags.append(
                warning(
                    lesson.source_file,
                    lesson.body_line + found[0].line,
                    "body",
                    f"{found[0].what} is kept in the SCORM page (allow_scripts: true) but Moodle's cleaner "
                    "removes it from the lesson's page in the course backup",
                    "mbz-scripts",
                )
            )
    return diags
