"""Moodle's code tables: the numbers and names Moodle stores for our settings.

Each comes from the Moodle constant it names; the Moodle XML writer and reader, the course
backup and the importer take them from here.
"""

from __future__ import annotations

CONTEXT_MODULE = 70
"""lib/accesslib.php's CONTEXT_MODULE."""
FORMAT_MOODLE = 0
FORMAT_HTML = 1
FORMAT_PLAIN = 2
"""lib/weblib.php's FORMAT_MOODLE, FORMAT_HTML and FORMAT_PLAIN."""

MOODLE_QTYPE = {
    "multichoice": "multichoice",
    "truefalse": "truefalse",
    "shortanswer": "shortanswer",
    "numerical": "numerical",
    "matching": "match",
    "essay": "essay",
    "description": "description",
    "cloze": "multianswer",
    "ordering": "ordering",
}
"""Our question types and Moodle's names for them."""

SHOW_UNITS = {"input": 0, "choice": 1, "select": 2, "none": 3}
"""qtype_numerical::UNITINPUT, UNITRADIO, UNITSELECT, UNITNONE."""
UNIT_GRADING = {"none": 0, "response": 1, "question": 2}
"""qtype_numerical::UNITOPTIONAL, UNITGRADEDOUTOFMARK, UNITGRADEDOUTOFMAX."""
ORDERING_LAYOUT = {"vertical": 0, "horizontal": 1}
ORDERING_SELECT = {"all": 0, "random": 1, "contiguous": 2}
ORDERING_GRADING = {
    "all_or_nothing": -1,
    "absolute_position": 0,
    "relative_next_exclude_last": 1,
    "relative_next_include_last": 2,
    "relative_one_previous_and_next": 3,
    "relative_all_previous_and_next": 4,
    "longest_ordered_subset": 5,
    "longest_contiguous_subset": 6,
}
"""qtype_ordering_question::LAYOUT_*, SELECT_* and GRADING_* constants."""
CLOZE_TYPE = {
    "shortanswer": "SHORTANSWER",
    "shortanswer_case": "SHORTANSWER_C",
    "numerical": "NUMERICAL",
    "multichoice": "MULTICHOICE",
    "multichoice_vertical": "MULTICHOICE_V",
    "multichoice_horizontal": "MULTICHOICE_H",
    "multiresponse": "MULTIRESPONSE",
    "multiresponse_horizontal": "MULTIRESPONSE_H",
}
CLOZE_LAYOUT = {
    "multichoice": 0,
    "multichoice_vertical": 1,
    "multichoice_horizontal": 2,
    "multiresponse": 1,
    "multiresponse_horizontal": 2,
}
"""qtype_multichoice_base::LAYOUT_DROPDOWN, LAYOUT_VERTICAL, LAYOUT_HORIZONTAL."""

COURSE_QTYPE = {moodle: ours for ours, moodle in MOODLE_QTYPE.items()}
"""Moodle's question type names and ours."""
SHOW_UNITS_BY_CODE = {str(code): name for name, code in SHOW_UNITS.items()}
"""`<showunits>` as Moodle XML writes it → our `show_units`."""
UNIT_GRADING_BY_CODE = {str(code): name for name, code in UNIT_GRADING.items()}
"""`<unitgradingtype>` as Moodle XML writes it → our `unit_grading`."""
