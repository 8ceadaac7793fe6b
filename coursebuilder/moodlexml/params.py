"""What `clean_param(PARAM_TEXT)` does to names: PHP's `strip_tags()`.

Moodle cleans question names (question/format.php `clean_question_name()`) and category names
(`split_category_path()`) with PARAM_TEXT (lib/classes/param.php), which ends in `strip_tags()`
(ext/standard/string.c `php_strip_tags_ex`): a `<` followed by white space stays text; any
other `<` opens a tag that lasts to the next `>` outside quotes (`<!--` to `-->`), or to the end
of the text, and is dropped. `>` and `&` outside tags are text. So `pH < 7 & pH > 7` stays as it
is, while `x<7` becomes `x`.
"""

from __future__ import annotations

import re

_TAG = re.compile(
    r"<!--.*?(?:-->|\Z)|<(?![ \t\n\r\x0b\x0c])(?:\"[^\"]*(?:\"|\Z)|'[^']*(?:'|\Z)|[^>\"'])*(?:>|\Z)", re.S
)
_PHP_TRIM = " \t\n\r\0\x0b"
NAME_MAX = 255


def strip_tags(text: str) -> str:
    """PHP's `strip_tags($text)`."""
    return _TAG.sub("", text)


def clean_question_name(name: str) -> str:
    """question/format.php `clean_question_name()`: PARAM_TEXT, trimmed, at most 255 characters."""
    return strip_tags(name).strip(_PHP_TRIM)[:NAME_MAX]


def changes_name(name: str) -> bool:
    """Whether PARAM_TEXT changes `name` (beyond trimming)."""
    return strip_tags(name) != name
