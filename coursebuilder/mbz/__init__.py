"""A Moodle course backup (.mbz) of the whole course, restorable on Moodle 4.1 LTS to 5.x.

`build_mbz(course)` returns the archive's bytes: sections with a Page per lesson (or one
Book), a Glossary with its entries, a Quiz per lesson (or one final quiz) over the quiz's own
question bank, course settings and, when given, the SCORM 1.2 package as a SCORM activity.
The format follows Moodle's backup code (backup/moodle2/) and a real backup's files.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coursebuilder.mbz.backup import backup_entries, build_mbz

__all__ = ["backup_entries", "build_mbz"]


def __getattr__(name: str) -> object:
    """Imported on first use: `validate` needs the package's checks, not its writer."""
    if name in __all__:
        from coursebuilder.mbz.backup import backup_entries, build_mbz

        return {"backup_entries": backup_entries, "build_mbz": build_mbz}[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
