"""Moodle's SCORM upload keeps every title of our manifests as written.

Its manifest reader drops each piece of character data that is only whitespace, and the XML
parser hands over every entity reference as a piece of its own (see
`tests.moodle_semantics.scorm_manifest_titles`): `R&amp;D &amp; &lt;lab&gt;` would lose the space
between two references.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from coursebuilder.build import build_course
from tests.moodle_semantics import scorm_manifest_titles
from tests.scorm_courses import write

COURSE_TITLE = "R&D & <lab> a — Ünïcode & עברית"
LESSON_TITLE = "pH < 7 & pH > 7, a & b"


def test_the_oracle_loses_a_space_between_two_references() -> None:
    data = b"<manifest><title>R&amp;D &amp; &lt;lab&gt; a</title></manifest>"
    assert scorm_manifest_titles(data) == ["R&D &<lab> a"]
    assert scorm_manifest_titles(b"<m><title><![CDATA[R&D & <lab> a]]></title></m>") == ["R&D & <lab> a"]


@pytest.mark.parametrize("structure", ["single", "multi"])
@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_moodle_stores_every_title_unchanged(tmp_path: Path, version: str, structure: str) -> None:
    course = write(
        tmp_path / "c",
        {
            "course.yaml": (
                f"id: titles\ntitle: {json.dumps(COURSE_TITLE, ensure_ascii=False)}\nshortname: T\nlanguage: en\n"
                f"lessons: [one]\nsettings:\n  scorm:\n    versions: ['{version}']\n    structure: {structure}\n"
            ),
            "lessons/one.md": f"---\ntitle: {json.dumps(LESSON_TITLE)}\n---\n\nText.\n",
        },
    )
    target = "scorm12" if version == "1.2" else "scorm2004"
    artifacts, _ = build_course(course, tmp_path / "dist", [target])
    with zipfile.ZipFile(io.BytesIO(artifacts[0].path.read_bytes())) as package:
        titles = scorm_manifest_titles(package.read("imsmanifest.xml"))
    assert COURSE_TITLE in titles
    assert all(title in (COURSE_TITLE, LESSON_TITLE) or "&" not in title for title in titles), titles
    if structure == "multi":
        assert LESSON_TITLE in titles
