"""A Moodle course backup (.mbz) of the whole course, restorable on Moodle 4.1 LTS to 5.x.

`build_mbz(course)` returns the archive's bytes: sections with a Page per lesson (or one
Book), a Glossary with its entries, a Quiz per lesson (or one final quiz) over the quiz's own
question bank, course settings and, when given, the SCORM 1.2 package as a SCORM activity.
The format follows Moodle's backup code (backup/moodle2/) and a real backup's files.
"""

from coursebuilder.mbz.backup import backup_entries, build_mbz

__all__ = ["backup_entries", "build_mbz"]
