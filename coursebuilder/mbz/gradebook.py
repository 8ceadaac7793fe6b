"""Grade items as `backup_gradebook_structure_step` and `backup_activity_grades_structure_step` write them."""

from __future__ import annotations

from coursebuilder.mbz import xml

QUIZ_GRADE = 10.0
"""Moodle's default maximum grade of a quiz."""


def grade_item_fields(
    *,
    categoryid: int | None,
    itemname: str | None,
    itemtype: str,
    itemmodule: str | None,
    iteminstance: int,
    itemnumber: int | None,
    idnumber: str | None,
    gradepass: float,
    aggregationcoef2: float,
    sortorder: int,
    grademax: float = QUIZ_GRADE,
) -> list[tuple[str, xml.Value]]:
    """A grade_items row as backup_gradebook_structure_step writes it."""
    return [
        ("categoryid", categoryid),
        ("itemname", itemname),
        ("itemtype", itemtype),
        ("itemmodule", itemmodule),
        ("iteminstance", iteminstance),
        ("itemnumber", itemnumber),
        ("iteminfo", None),
        ("idnumber", idnumber),
        ("calculation", None),
        ("gradetype", 1),
        ("grademax", xml.decimal(grademax, 5)),
        ("grademin", xml.decimal(0, 5)),
        ("scaleid", None),
        ("outcomeid", None),
        ("gradepass", xml.decimal(gradepass, 5)),
        ("multfactor", xml.decimal(1, 5)),
        ("plusfactor", xml.decimal(0, 5)),
        ("aggregationcoef", xml.decimal(0, 5)),
        ("aggregationcoef2", xml.decimal(aggregationcoef2, 5)),
        ("weightoverride", 0),
        ("sortorder", sortorder),
        ("display", 0),
        ("decimals", None),
        ("hidden", 0),
        ("locked", 0),
        ("locktime", 0),
        ("needsupdate", 0),
        ("timecreated", 0),
        ("timemodified", 0),
    ]
