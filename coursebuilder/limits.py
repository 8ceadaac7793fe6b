"""Size limits: past them the tool stops with a message instead of running out of memory."""

MAX_SOURCE_FILE_BYTES = 20 * 1024 * 1024
"""A YAML or Markdown source file."""
MAX_ASSET_BYTES = 50 * 1024 * 1024
"""One asset (image, audio, video)."""
MAX_COURSE_BYTES = 500 * 1024 * 1024
"""All assets of a course together."""
MAX_TEXT_CHARS = 200_000
"""One text field (question text, feedback, definition)."""
