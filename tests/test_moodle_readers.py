"""Our Moodle files read the way Moodle's own readers read them (oracles in tests/moodle_semantics.py).

- The course backup goes through Moodle's backup parser (backup/util/xml/parser/): an element
  with nothing inside is the string `''`, one holding only whitespace is an empty container.
  Every container we write must hold whitespace, as Moodle's `xml_writer` writes it
  (backup/util/xml/xml_writer.class.php `begin_tag`/`end_tag`), and as the real backup in
  tests/fixtures/moodle-backup-sample.mbz (Moodle 5.2, unchanged) shows; and restore must be
  able to create the course's author on a site that has never seen it.
- The question bank and the glossary of the `moodle` target go through `xmlize()` (lib/xmlize.php,
  `\\core\\xml_parser` in 5.2), which drops every piece of character data that is only
  whitespace: every text must come back exactly as written.
"""

from __future__ import annotations

import collections
import shutil
from pathlib import Path

import pytest
from lxml import etree

from coursebuilder.buildcontext import BuildContext
from coursebuilder.loader import load_or_raise
from coursebuilder.mbz import backup_entries
from coursebuilder.targets.scorm import Scorm12Target
from tests.conftest import EXAMPLE, SKELETON
from tests.mbz_util import SAMPLE_MBZ, parse, unpack
from tests.moodle_semantics import (
    PHP_TRIM,
    GroupedProcessor,
    PhpError,
    create_included_user,
    progressive_parse,
    restore_users,
    xmlize,
    xmlize_leaves,
)
from tests.moodle_util import build_moodle
from tests.test_moodle_roundtrip import AWKWARD, TYPES

Backup = dict[str, bytes]

# --------------------------------------------------------------------------- the oracles themselves


def test_xmlize_drops_whitespace_pieces_between_references() -> None:
    escaped = "<t>&lt;em&gt;base units&lt;/em&gt; — which, a &amp; b &lt;b&gt;x&lt;/b&gt; &lt;i&gt;y&lt;/i&gt;</t>"
    assert xmlize(escaped.encode())["t"]["#"] == "<em>base units</em>— which, a & b <b>x</b><i>y</i>"
    cdata = "<t><![CDATA[<em>base units</em> — which, a & b <b>x</b> <i>y</i>]]></t>"
    assert xmlize(cdata.encode())["t"]["#"] == "<em>base units</em> — which, a & b <b>x</b> <i>y</i>"
    split = "<t><![CDATA[a ]]]]><![CDATA[> b]]></t>"
    assert xmlize(split.encode())["t"]["#"] == "a ]]> b"
    assert xmlize(b"<t><a>  </a><b></b><c>0</c></t>")["t"]["#"] == {
        "a": {0: {"#": ""}},
        "b": {0: {"#": ""}},
        "c": {0: {"#": "0"}},
    }


def test_backup_parser_reads_empty_elements_as_strings_and_whitespace_as_containers() -> None:
    def user(inside: str) -> bytes:
        return f"<users><user id='1' contextid='2'><username>u</username>{inside}</user></users>".encode()

    empty, indented = restore_users(user("<tags></tags>")), restore_users(user("<tags>\n    </tags>"))
    assert empty[0]["tags"] == "" and "tags" not in indented[0]
    with pytest.raises(PhpError, match="Cannot access offset of type string on string"):
        create_included_user(empty[0])
    assert create_included_user(indented[0]) == {"custom_fields": [], "tags": [], "preferences": []}
    full = user(
        "<tags>\n<tag id='3'><name>a</name><rawname>A</rawname></tag>\n<tag id='4'><rawname>B</rawname></tag></tags>"
    )
    assert create_included_user(restore_users(full)[0])["tags"] == ["A", "B"]
    # An element without children is all its character data, whitespace included.
    processor = GroupedProcessor(["/r/e"], grouped=[])
    (chunk,) = progressive_parse(b"<r><e><t>a &amp; <![CDATA[<b>]]> &#8212; b</t><u/></e></r>", processor)
    assert chunk["tags"] == {"t": "a & <b> \u2014 b", "u": ""}


def test_sample_restores_its_user() -> None:
    """The oracle accepts what Moodle itself wrote."""
    (user,) = restore_users(unpack(SAMPLE_MBZ.read_bytes())["users.xml"])
    assert user["username"] == "admin" and user["description"] is None
    assert create_included_user(user) == {"custom_fields": [], "tags": [], "preferences": []}


# --------------------------------------------------------------------------- the course backup


def _backup(course_dir: Path) -> Backup:
    course, _ = load_or_raise(course_dir)
    scorm = Scorm12Target().scorm12_zip(BuildContext(course)) if course.info.settings.moodle.include_scorm else None
    return backup_entries(course, scorm)


@pytest.fixture(scope="module")
def backups(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Backup]:
    """The example course, the scaffold (every question type) and the scaffold as a Book with
    one final quiz and the SCORM 1.2 package as an activity."""
    variant = tmp_path_factory.mktemp("variant") / "course"
    shutil.copytree(SKELETON, variant)
    course_yaml = variant / "course.yaml"
    course_yaml.write_text(
        course_yaml.read_text(encoding="utf-8")
        + "  moodle:\n    lesson_activity: book\n    quizzes: final\n    include_scorm: true\n",
        encoding="utf-8",
    )
    return {"example": _backup(EXAMPLE), "skeleton": _backup(SKELETON), "book-final-scorm": _backup(variant)}


def _kind(name: str) -> str:
    """Files of one kind share a structure: `activities/quiz_12/quiz.xml` is `activities/quiz/quiz.xml`,
    `activities/quiz_12/roles.xml` is `activities/roles.xml`, `sections/section_3/x.xml` is `sections/x.xml`."""
    parts = name.split("/")
    if parts[0] == "sections":
        return f"sections/{parts[-1]}"
    if parts[0] == "activities":
        modname = parts[1].rsplit("_", 1)[0]
        return f"activities/{modname}/{parts[-1]}" if parts[-1] == f"{modname}.xml" else f"activities/{parts[-1]}"
    return name


def _shape(element: etree._Element) -> str:
    """How Moodle's backup parser reads an element: a container (children, or only whitespace
    with a line break, as `xml_writer` writes an empty one), the empty string, or a value."""
    if len(element) or (element.text and "\n" in element.text and not element.text.strip(PHP_TRIM)):
        return "container"
    return "empty" if not element.text else "value"


def _shapes(entries: Backup) -> dict[str, dict[str, set[str]]]:
    """For each kind of file, each element path and the shapes it takes."""
    found: dict[str, dict[str, set[str]]] = collections.defaultdict(lambda: collections.defaultdict(set))
    for name, data in entries.items():
        if name.endswith(".xml"):
            root = parse(data)
            for element in root.iter(etree.Element):
                path = "/".join(node.tag for node in reversed([element, *element.iterancestors()]))
                found[_kind(name)][path].add(_shape(element))
    return found


NO_SAMPLE: dict[str, dict[str, str]] = {
    # Elements the sample has no example of, as Moodle defines them: a backup_nested_element is
    # a container, a final element a value.
    # mod/scorm/backup/moodle2/backup_scorm_stepslib.php
    "activities/scorm/scorm.xml": {
        **dict.fromkeys(
            [
                "scoes",
                "sco_datas",
                "seq_ruleconds",
                "seq_rulecond_datas",
                "seq_rolluprules",
                "seq_rollupruleconds",
                "seq_objectives",
                "seq_mapinfos",
                "sco_tracks",
            ],
            "container",
        ),
        **dict.fromkeys(["intro", "md5hash", "options", "launch", "organization", "scormtype"], "value"),
    },
    # backup/moodle2/backup_qtype_plugin.class.php (answers, numerical options) and
    # question/type/{essay,ordering}/backup/moodle2/backup_qtype_*_plugin.class.php.
    "questions.xml": {
        "answers": "container",
        **dict.fromkeys(
            [
                "filetypeslist",
                "responsetemplate",
                "feedback",
                "instructions",
                "correctfeedback",
                "partiallycorrectfeedback",
                "incorrectfeedback",
            ],
            "value",
        ),
    },
}


@pytest.mark.parametrize("variant", ["example", "skeleton", "book-final-scorm"])
def test_backup_containers_are_containers_as_in_moodles_backup(variant: str, backups: dict[str, Backup]) -> None:
    """Every element that is a container in Moodle's backup (or anywhere in ours) holds whitespace,
    never nothing; and no element that Moodle writes as a value is a container in ours."""
    sample = _shapes(unpack(SAMPLE_MBZ.read_bytes()))
    ours = _shapes(backups[variant])
    everywhere: dict[str, dict[str, set[str]]] = collections.defaultdict(lambda: collections.defaultdict(set))
    for entries in backups.values():
        for kind, paths in _shapes(entries).items():
            for path, shapes in paths.items():
                everywhere[kind][path] |= shapes
    problems = []
    for kind, paths in sorted(ours.items()):
        for path, shapes in sorted(paths.items()):
            theirs = sample.get(kind, {}).get(path, set())
            declared = NO_SAMPLE.get(kind, {}).get(path.rsplit("/", 1)[-1]) if not theirs else None
            container = "container" in theirs or "container" in everywhere[kind][path] or declared == "container"
            if container and "empty" in shapes:
                problems.append(f"{kind}: {path} is a container written empty (restore reads the string '')")
            if "container" in shapes and "container" not in theirs and (theirs or declared == "value"):
                problems.append(f"{kind}: {path} is a value in Moodle's backup, a container in ours")
            if not theirs and declared is None and shapes == {"empty"}:
                problems.append(f"{kind}: {path} is not in Moodle's backup: declare it in NO_SAMPLE")
    assert not problems, "\n".join(problems)


def test_empty_containers_are_indented_like_moodles(backups: dict[str, Backup]) -> None:
    """`xml_writer::end_tag()` puts a line break and the element's indentation before `</x>`."""
    checked = 0
    for name, data in [item for entries in backups.values() for item in entries.items()]:
        if name.endswith(".xml"):
            for element in parse(data).iter(etree.Element):
                if len(element) == 0 and _shape(element) == "container":
                    depth = sum(1 for _ in element.iterancestors())
                    assert element.text == "\n" + "  " * depth, f"{name}: {element.tag}"
                    checked += 1
    assert checked > 100, "users.xml alone has five empty containers, every activity has several"


@pytest.mark.parametrize("variant", ["example", "skeleton", "book-final-scorm"])
def test_restore_can_create_the_author(variant: str, backups: dict[str, Backup]) -> None:
    """On a site without the course's author, restore creates the user from users.xml: its
    custom fields, tags and preferences must be arrays, or restore dies with a TypeError."""
    users = restore_users(backups[variant]["users.xml"])
    assert users, "users.xml holds the glossary entries' author"
    for user in users:
        created = create_included_user(user)
        assert created == {"custom_fields": [], "tags": [], "preferences": []}
        assert user["username"] and user["id"] and user["contextid"]


# --------------------------------------------------------------------------- texts through xmlize

TRICKY = (
    "Spaces: *base units* — which, a & b < c, **one** *two*, `x ]]> y`, "
    '<span title="a ]]> b">c</span> <span>d</span> &#8212; µ'
)
"""Spaces beside tags, entities and non-ASCII letters, `]]>` in text and in an attribute."""

PLAIN = "R&D & <lab> ]]> µ test"
"""A plain-text value with references side by side around a space, and `]]>`."""


@pytest.fixture(scope="module")
def tricky_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = tmp_path_factory.mktemp("tricky") / "course"
    shutil.copytree(SKELETON, course)
    quiz = (course / "quiz" / "practice.yaml").read_text(encoding="utf-8")
    quiz = quiz.replace(
        "text: Which of these are question types?", f"text: {TRICKY!r}\n    general_feedback: {TRICKY!r}"
    )
    quiz = quiz.replace("{text: multichoice, grade: 50}", f"{{text: {TRICKY!r}, grade: 50, feedback: {TRICKY!r}}}")
    quiz = quiz.replace("{question: course.yaml, answer: metadata}", f"{{question: {TRICKY!r}, answer: {PLAIN!r}}}")
    quiz = quiz.replace("grader_info: Any honest answer is fine.", f"grader_info: {TRICKY!r}")
    quiz = quiz.replace("  - id: practice-short\n", f"  - id: practice-short\n    name: {PLAIN!r}\n")
    (course / "quiz" / "practice.yaml").write_text(quiz, encoding="utf-8")
    glossary = (course / "glossary.yaml").read_text(encoding="utf-8")
    glossary = glossary.replace("definition: A list of **terms** with their meanings.", f"definition: {TRICKY!r}")
    glossary = glossary.replace("aliases: [glossaries]", f"aliases: [glossaries, {PLAIN!r}]")
    (course / "glossary.yaml").write_text(glossary, encoding="utf-8")
    return course


def _xml_leaves(data: bytes) -> dict[str, str]:
    """Each element's text as the XML says it, on the paths `xmlize_leaves` uses."""
    root = parse(data)
    out: dict[str, str] = {}

    def walk(element: etree._Element, path: str) -> None:
        children = [child for child in element if isinstance(child.tag, str)]
        if not children:
            out[path] = element.text or ""
            return
        seen: collections.Counter[str] = collections.Counter()
        for child in children:
            walk(child, f"{path}/{child.tag}[{seen[child.tag]}]")
            seen[child.tag] += 1

    walk(root, f"{root.tag}[0]")
    return out


@pytest.mark.parametrize("course", ["tricky", "types", "awkward", "example"])
@pytest.mark.parametrize("name", ["questions.xml", "glossary.xml"])
def test_every_text_survives_xmlize(course: str, name: str, tricky_course: Path, tmp_path: Path) -> None:
    """Glossary import and question import get back every text exactly as we wrote it."""
    source = {"tricky": tricky_course, "types": TYPES, "awkward": AWKWARD, "example": EXAMPLE}[course]
    _, folder = build_moodle(source, tmp_path)
    data = (folder / name).read_bytes()
    written = _xml_leaves(data)
    read = xmlize_leaves(xmlize(data))
    assert read.keys() == written.keys()
    lost = {
        path: (text, read[path])
        for path, text in written.items()
        if read[path] != (text if text.strip(PHP_TRIM) else "")
    }
    assert not lost, "\n".join(f"{path}: wrote {text!r}, Moodle reads {got!r}" for path, (text, got) in lost.items())
    if course == "tricky":
        assert any(" — which" in text for text in read.values())
        assert any(text == PLAIN for text in read.values())


def test_backup_glossary_keeps_spaces(tricky_course: Path) -> None:
    """The backup's glossary.xml goes through the backup parser, which joins every piece."""
    entries = _backup(tricky_course)
    (name,) = [n for n in entries if n.startswith("activities/glossary_") and n.endswith("/glossary.xml")]
    written = [e.text for e in parse(entries[name]).iter("definition")]
    processor = GroupedProcessor(["/activity/glossary/entries/entry"], grouped=[])
    read = [chunk["tags"]["definition"] for chunk in progressive_parse(entries[name], processor)]
    assert read == written and any(" — which" in (text or "") for text in read)
