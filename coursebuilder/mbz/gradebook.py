"""Grade items as `backup_gradebook_structure_step` and `backup_activity_grades_structure_step` write them."""

from __future__ import annotations

from lxml import etree

from coursebuilder.mbz import xml
from coursebuilder.mbz.ids import COURSE_GRADE_CATEGORY

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


def activity_gradebook(
    *,
    grade_item: int,
    module: str,
    name: str,
    instance: int,
    gradepass: float,
    sortorder: int,
    weight: float = 0,
    grademax: float = QUIZ_GRADE,
) -> etree._Element:
    """An activity's grades.xml (`backup_activity_grades_structure_step`): its one grade item,
    in the course's grade category, with no grades and no letters."""
    root = xml.element("activity_gradebook")
    item = xml.child(
        xml.child(root, "grade_items"),
        "grade_item",
        {"id": grade_item},
        grade_item_fields(
            categoryid=COURSE_GRADE_CATEGORY,
            itemname=name,
            itemtype="mod",
            itemmodule=module,
            iteminstance=instance,
            itemnumber=0,
            idnumber="",
            gradepass=gradepass,
            aggregationcoef2=weight,
            sortorder=sortorder,
            grademax=grademax,
        ),
    )
    xml.child(item, "grade_grades")
    xml.child(root, "grade_letters")
    return root
