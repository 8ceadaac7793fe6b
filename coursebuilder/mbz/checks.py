"""What only the course backup needs of a course, beyond the shared checks."""

from __future__ import annotations

from pathlib import Path

from coursebuilder.assets import AssetProblem, is_external, resolve
from coursebuilder.diagnostics import Diagnostic, error
from coursebuilder.htmlsafety import kept_script_warnings
from coursebuilder.layout import COURSE_FILE, GLOSSARY_FILE
from coursebuilder.markdown import references
from coursebuilder.model import Course


def check_backup(course: Course) -> list[Diagnostic]:
    """Files the course summary and glossary intro refer to."""
    diags: list[Diagnostic] = []
    root = Path(course.root)
    texts = (
        (COURSE_FILE, "summary", course.info.summary, course.info),
        (GLOSSARY_FILE, "intro", course.glossary.intro, course.glossary),
    )
    for file, field, text, owner in texts:
        for ref in references(text):
            if is_external(ref.target) or ref.target.startswith("#") or not ref.target:
                continue
            if ref.kind == "link" and "." not in ref.target.rsplit("/", 1)[-1]:
                continue
            try:
                resolve(root, file, ref.target)
            except AssetProblem as exc:
                diags.append(error(file, owner.source_line(field), field=field, message=str(exc), code="asset"))
    # `allow_scripts` opens the SCORM page only: Moodle's cleaner strips active HTML from the
    # lesson's page in the backup, so say so instead of letting it vanish silently.
    diags += kept_script_warnings(
        course.lessons,
        kept_in="the SCORM page (allow_scripts: true) but Moodle's cleaner removes it from the "
        "lesson's page in the course backup",
        code="mbz-scripts",
    )
    return diags
