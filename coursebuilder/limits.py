"""Size limits: past them the tool stops with a message instead of running out of memory.

Every limit is checked before the data is read (sizes come from the file system or the zip
directory), so a 2 GB file costs a `stat`, not 2 GB of memory. The README's "Safety" section
lists them; change both together.
"""

MAX_SOURCE_FILE_BYTES = 20 * 1024 * 1024
"""A YAML or Markdown source file (course.yaml, glossary.yaml, a lesson, a quiz file)."""
MAX_ASSET_BYTES = 50 * 1024 * 1024
"""One asset (image, audio, video)."""
MAX_COURSE_BYTES = 500 * 1024 * 1024
"""The whole course: source files plus every asset they reference."""
MAX_TEXT_CHARS = 200_000
"""One text field (question text, feedback, definition)."""
MAX_BODY_CHARS = 1_000_000
"""One lesson body (a long lesson is 50,000); bounds the time Markdown parsing can take."""
MAX_YAML_DEPTH = 50
"""Deepest nesting of mappings and lists in a YAML file (course files need fewer than 10)."""

MAX_XML_BYTES = 256 * 1024 * 1024
"""An XML file read by `safexml` (Moodle exports with embedded files are large)."""

MAX_ZIP_ENTRIES = 20_000
"""Files and folders in a zip read by `safezip`."""
MAX_ZIP_BYTES = 1024 * 1024 * 1024
"""Total uncompressed size of a zip read by `safezip`, as its directory declares it."""
MAX_ZIP_ENTRY_BYTES = 512 * 1024 * 1024
"""Uncompressed size of one zip entry."""
MAX_ZIP_RATIO = 200
"""Highest uncompressed/compressed ratio of an entry (deflate reaches about 1,000 on a bomb,
text about 10)..."""
ZIP_RATIO_MIN_BYTES = 1024 * 1024
"""...checked for entries larger than this, so small repetitive files pass."""
