"""One golden file per question type, from tests/courses/moodle-types (each question sets every
field its type has). Set UPDATE_GOLDEN=1 to rewrite them, then review the diff line by line.

What was checked, line by line, against Moodle's importer and exporter (question/format/xml/
format.php: `import_headers`, `import_answer`, `import_text_with_files`, `import_combined_feedback`,
`import_hint(s)`, `import_question_tags`, the `import_<type>` functions and `writequestion`):

- all types: `<name><text>`; `<questiontext format="html">` and `<generalfeedback>` with `<text>`
  then `<file name path encoding="base64">` for each image of that field; `<defaultgrade>`
  (never for cloze, whose grade is the sum of its gaps), `<penalty>`, `<hidden>0`, `<idnumber>`;
  `<hint format>` with `<text>`, `<shownumcorrect/>`, `<clearwrong/>` (presence flags);
  `<tags><tag><text>`; texts with markup in CDATA, plain values as text.
- multichoice: `single` and `shuffleanswers` as true/false (`trans_single`), `answernumbering`,
  `showstandardinstruction` 0/1, the three combined feedbacks then `<shownumcorrect/>`,
  `<answer fraction format="html">` with `<text>`, files, `<feedback>`; fractions are percents
  Moodle accepts (-33.33333).
- truefalse: two answers with texts `true` and `false` (the importer matches those words),
  fraction 100 on the right one, feedback in each.
- shortanswer: `usecase` 0/1, plain answer texts (`*` wildcard) with fraction and feedback.
- numerical: `<tolerance>` inside each answer after its feedback, `*` as an answer; `<units>`
  with `<unit><multiplier><unit_name>`; `unitgradingtype` 2 (fraction of the question grade),
  `unitpenalty`, `showunits` 2 (select), `unitsleft` 0.
- matching: `shuffleanswers`, combined feedback, `<subquestion format><text>` with files and
  `<answer><text>`; distractors as subquestions with an empty text.
- essay: responseformat, responserequired, responsefieldlines, minwordlimit, maxwordlimit,
  attachments, attachmentsrequired, maxbytes, filetypeslist (comma-separated), `<graderinfo>`
  with its file, `<responsetemplate format>`, in `writequestion`'s order.
- description: the common fields; defaultgrade 0; a raw `<img>` and a Markdown link to a file
  both embedded, the second (same name, other file) under path `/assets/a/`.
- cloze: `{weight:TYPE:…}` per gap (SA, NM with `value:tolerance` and `*`, MCVS shuffled,
  MRH with explicit percentages, SAC), `=` for 100 %, `#feedback`, `~` between answers.
- ordering (`qtype_ordering::export_to_xml` / `import_from_xml`): layouttype, selecttype,
  selectcount, gradingtype, showgrading (SHOW/HIDE), numberingstyle, combined feedback, then
  `<shownumcorrect>` as a value (absent means 1), answers with fraction = position.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from coursebuilder.model import QUESTION_TYPES
from tests.conftest import ROOT
from tests.moodle_util import build_moodle
from tests.test_moodle_roundtrip import TYPES

GOLDEN = ROOT / "tests" / "golden" / "moodle"


@pytest.fixture(scope="module")
def questions_xml(tmp_path_factory: pytest.TempPathFactory) -> str:
    _, folder = build_moodle(TYPES, tmp_path_factory.mktemp("golden"))
    return (folder / "questions.xml").read_text(encoding="utf-8")


def _question(document: str, qtype: str) -> str:
    match = re.search(rf"  <!-- question: t-{qtype} -->\n.*?\n  </question>\n", document, re.S)
    assert match, f"no {qtype} question in the output"
    return match.group(0)


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_question_matches_golden(questions_xml: str, qtype: str) -> None:
    actual = _question(questions_xml, qtype)
    golden = GOLDEN / f"{qtype}.xml"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


def test_glossary_matches_golden(tmp_path: Path) -> None:
    """glossary.xml of the same course, checked against mod/glossary/lib.php
    `glossary_generate_export_file()` and import.php: uppercase tags, INFO fields in export order
    (NAME, INTRO, INTROFORMAT, ALLOWDUPLICATEDENTRIES, DISPLAYFORMAT, SHOWSPECIAL, SHOWALPHABET,
    SHOWALL, ALLOWCOMMENTS, USEDYNALINK, DEFAULTAPPROVAL, GLOBALGLOSSARY, ENTBYPAGE), INTROFILES,
    ENTRIES inside INFO; each ENTRY: CONCEPT, DEFINITION (HTML in CDATA, which xmlize() reads whole), FORMAT 1, USEDYNALINK,
    CASESENSITIVE, FULLMATCH, TEACHERENTRY, ALIASES/ALIAS/NAME, CATEGORIES/CATEGORY/NAME+USEDYNALINK,
    ENTRYFILES/FILE/FILENAME+FILEPATH+CONTENTS (two files named pic.svg: the second under /assets/b/)."""
    _, folder = build_moodle(TYPES, tmp_path)
    actual = (folder / "glossary.xml").read_text(encoding="utf-8")
    golden = GOLDEN / "glossary.xml"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")
