"""The course backup (.mbz) against the rules of Moodle's restore.

The rules come from ../shared/reference/moodle-backup.md (read from a real backup and
Moodle's backup/restore code): which files restore requires, how files.xml, inforef.xml,
questions.xml and quiz.xml refer to each other, and what glossary entries need.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import tarfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from lxml import html as lxml_html

from coursebuilder.build import build_course
from coursebuilder.loader import load_course, load_or_raise
from coursebuilder.mbz import backup_entries, build_mbz
from coursebuilder.model import Course
from coursebuilder.targets.mbz import MbzTarget
from tests import moodle_semantics
from tests.conftest import EXAMPLE, SKELETON, WriteCourse
from tests.mbz_util import parse, texts, unpack, value

ROOT_FILES = [
    "moodle_backup.xml", "files.xml", "questions.xml", "users.xml", "roles.xml", "groups.xml", "scales.xml",
    "outcomes.xml", "gradebook.xml", "grade_history.xml", "completion.xml", "badges.xml",
]  # fmt: skip
COURSE_FILES = [
    "course", "inforef", "roles", "enrolments", "filters", "comments", "calendar", "competencies",
    "completiondefaults", "contentbank",
]  # fmt: skip
ACTIVITY_FILES = [
    "module", "inforef", "grades", "roles", "calendar", "comments", "competencies", "filters",
    "grade_history", "completion", "xapistate",
]  # fmt: skip

Backup = dict[str, bytes]


def entries_of(course_dir: Path | str) -> Backup:
    course, _ = load_or_raise(course_dir)
    return unpack(build_mbz(course))


@pytest.fixture(scope="module")
def skeleton() -> Backup:
    """The scaffold course (every question type, an image in a lesson and in a question)."""
    return entries_of(SKELETON)


@pytest.fixture(scope="module", params=["skeleton", "example", "book-final"])
def any_backup(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backup:
    """The rules that hold for every backup, checked on the scaffold, the example course
    (38 questions, 30 terms) and the scaffold with a Book and one final quiz."""
    if request.param == "skeleton":
        return entries_of(SKELETON)
    if request.param == "example":
        return entries_of(EXAMPLE)
    course_dir = tmp_path_factory.mktemp("variant") / "course"
    shutil.copytree(SKELETON, course_dir)
    course_yaml = course_dir / "course.yaml"
    text = course_yaml.read_text(encoding="utf-8") + "  moodle:\n    lesson_activity: book\n    quizzes: final\n"
    course_yaml.write_text(text, encoding="utf-8")
    return entries_of(course_dir)


def doc(backup: Backup, name: str) -> etree._Element:
    return parse(backup[name])


def activities(backup: Backup) -> list[etree._Element]:
    return doc(backup, "moodle_backup.xml").findall("information/contents/activities/activity")


def activity_docs(backup: Backup, modname: str) -> list[tuple[str, etree._Element]]:
    """(directory, <activity> root of <modname>.xml) for each activity of a type."""
    found = []
    for activity in activities(backup):
        if value(activity, "modulename") == modname:
            directory = value(activity, "directory")
            found.append((directory, doc(backup, f"{directory}/{modname}.xml")))
    return found


def with_settings(write_course: WriteCourse, moodle: str, extra: dict[str, str | bytes | None] | None = None) -> Path:
    course_yaml = (SKELETON / "course.yaml").read_text(encoding="utf-8") + f"  moodle:\n{moodle}"
    return write_course({"course.yaml": course_yaml, **(extra or {})})


# --------------------------------------------------------------------------- the archive


def test_archive_is_gzipped_ustar_with_short_sorted_paths(skeleton: Backup) -> None:
    course, _ = load_or_raise(SKELETON)
    data = build_mbz(course)
    assert data[:2] == b"\x1f\x8b"
    assert data[4:8] == b"\0\0\0\0", "gzip mtime must be 0"
    assert data[3] & 0x08 == 0, "gzip header must carry no file name"
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data)), mode="r:") as tar:
        members = tar.getmembers()
    raw = gzip.decompress(data)
    names = [m.name for m in members]
    assert names == sorted(names)
    for member in members:
        assert len(member.name.encode("ascii")) <= 100
        assert (member.uid, member.gid, member.mtime) == (0, 0, 0)
        assert member.type in (tarfile.REGTYPE, tarfile.DIRTYPE), member.name
        assert member.mode == (0o755 if member.isdir() else 0o644)
    assert raw[257:263] == b"ustar\0", "tgz_extractor needs the ustar magic"


def test_same_source_same_bytes(tmp_path: Path) -> None:
    first = build_course(SKELETON, tmp_path / "a", ["mbz"])[0][0].path.read_bytes()
    second = build_course(SKELETON, tmp_path / "b", ["mbz"])[0][0].path.read_bytes()
    assert first == second
    assert (tmp_path / "a" / "my-course" / "moodle" / "my-course.mbz").is_file()


def test_manifest_is_detected_as_moodle2(skeleton: Backup) -> None:
    head = skeleton["moodle_backup.xml"][:200]
    assert b'<?xml version="1.0" encoding="UTF-8"?>' in head
    assert b"<moodle_backup>" in head and b"<information>" in head
    info = doc(skeleton, "moodle_backup.xml").find("information")
    assert value(info, "moodle_version") == "2022112800"
    assert value(info, "backup_release") == "4.1"
    assert value(info, "details/detail/type") == "course"
    assert value(info, "details/detail/format") == "moodle2"
    assert value(info, "details/detail/mode") == "10"


# --------------------------------------------------------------------------- required files


def test_every_required_file_is_present(any_backup: Backup) -> None:
    for name in ROOT_FILES:
        assert name in any_backup, name
    for name in COURSE_FILES:
        assert f"course/{name}.xml" in any_backup, name
    manifest = doc(any_backup, "moodle_backup.xml")
    for section in manifest.findall("information/contents/sections/section"):
        assert f"{value(section, 'directory')}/section.xml" in any_backup
    for activity in activities(any_backup):
        directory, modname = value(activity, "directory"), value(activity, "modulename")
        for name in [*ACTIVITY_FILES, modname]:
            assert f"{directory}/{name}.xml" in any_backup, f"{directory}/{name}.xml"
    kinds = Counter(value(activity, "modulename") for activity in activities(any_backup))
    assert kinds["glossary"] == 1 and kinds["quiz"] >= 1 and kinds["page"] + kinds["book"] >= 1


def test_scaffold_activities(skeleton: Backup) -> None:
    kinds = Counter(value(activity, "modulename") for activity in activities(skeleton))
    assert kinds == {"page": 2, "quiz": 2, "glossary": 1}
    qtypes = set(texts(doc(skeleton, "questions.xml"), "//questions/question[parent='0']/qtype"))
    assert qtypes == {
        "multichoice",
        "truefalse",
        "shortanswer",
        "numerical",
        "match",
        "essay",
        "description",
        "multianswer",
        "ordering",
    }


# --------------------------------------------------------------------------- files


def _inforef_ids(backup: Backup, kind: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for name, data in backup.items():
        if name.endswith("inforef.xml"):
            found.update(texts(parse(data), f"{kind}ref/{kind}/id"))
    return found


def test_files_are_stored_under_their_sha1_and_referenced(any_backup: Backup) -> None:
    files = doc(any_backup, "files.xml").findall("file")
    assert files, "the scaffold course has images"
    refs = _inforef_ids(any_backup, "file")
    ids = {file.get("id") for file in files}
    assert len(ids) == len(files), "file ids are unique"
    assert set(refs) <= ids, "every fileref names a file of files.xml"
    for file in files:
        sha1, name = value(file, "contenthash"), value(file, "filename")
        component = value(file, "component")
        if name == ".":
            assert sha1 == hashlib.sha1(b"").hexdigest()
        else:
            blob = any_backup[f"files/{sha1[:2]}/{sha1}"]
            assert hashlib.sha1(blob).hexdigest() == sha1
            assert int(value(file, "filesize")) == len(blob)
        if component != "question" and not component.startswith("qtype_"):
            assert refs[file.get("id")] >= 1, f"file {file.get('id')} ({component}) is in no inforef"
    blobs = {name for name in any_backup if name.startswith("files/")}
    assert blobs == {
        f"files/{s[:2]}/{s}"
        for s in texts(doc(any_backup, "files.xml"), "file/contenthash")
        if s != hashlib.sha1(b"").hexdigest()
    }


def test_images_point_at_their_files(skeleton: Backup) -> None:
    (_directory, page), *_ = activity_docs(skeleton, "page")
    content = value(page, "page/content")
    assert '<img src="@@PLUGINFILE@@/diagram.svg"' in content
    contextid = page.get("contextid")
    rows = [f for f in doc(skeleton, "files.xml").findall("file") if value(f, "filename") == "diagram.svg"]
    areas = {(value(f, "contextid"), value(f, "component"), value(f, "filearea"), value(f, "itemid")) for f in rows}
    assert (contextid, "mod_page", "content", "0") in areas
    questions = doc(skeleton, "questions.xml")
    described = questions.xpath("//question[qtype='description']")[0]
    assert "@@PLUGINFILE@@/diagram.svg" in value(described, "questiontext")
    category = described.xpath("ancestor::question_category")[0]
    assert (value(category, "contextid"), "question", "questiontext", described.get("id")) in areas


def test_files_with_the_same_name_in_one_area_stay_apart(write_course: WriteCourse) -> None:
    course_dir = write_course(
        {
            "assets/a/pic.png": b"\x89PNG one",
            "assets/b/pic.png": b"\x89PNG two",
            "lessons/01-welcome.md": (
                "---\ntitle: Welcome\n---\n\n![one](../assets/a/pic.png) ![two](../assets/b/pic.png)\n"
            ),
        }
    )
    backup = entries_of(course_dir)
    (_directory, page), *_ = activity_docs(backup, "page")
    content = value(page, "page/content")
    names = [
        value(f, "filename") for f in doc(backup, "files.xml").findall("file") if value(f, "component") == "mod_page"
    ]
    pictures = [n for n in names if n.startswith("pic")]
    assert len(pictures) == 2 and len(set(pictures)) == 2
    for name in pictures:
        assert f"@@PLUGINFILE@@/{name}" in content


# --------------------------------------------------------------------------- ids


def test_ids_cross_reference(any_backup: Backup) -> None:
    manifest = doc(any_backup, "moodle_backup.xml")
    settings = {value(s, "name"): value(s, "value") for s in manifest.findall("information/settings/setting")}
    sections = {}
    for section in manifest.findall("information/contents/sections/section"):
        sid = value(section, "sectionid")
        assert value(section, "directory") == f"sections/section_{sid}"
        node = doc(any_backup, f"sections/section_{sid}/section.xml")
        assert node.get("id") == sid
        sections[sid] = node
        assert settings[f"section_{sid}_included"] == "1"
    contexts: set[str] = set()
    sequences: dict[str, list[str]] = {sid: [] for sid in sections}
    for activity in activities(any_backup):
        cmid, modname, sid = value(activity, "moduleid"), value(activity, "modulename"), value(activity, "sectionid")
        directory = value(activity, "directory")
        assert directory == f"activities/{modname}_{cmid}"
        module = doc(any_backup, f"{directory}/module.xml")
        assert module.get("id") == cmid
        assert int(module.get("version")) >= 2022020300
        assert value(module, "modulename") == modname
        assert value(module, "sectionid") == sid
        assert value(module, "sectionnumber") == value(sections[sid], "number")
        root = doc(any_backup, f"{directory}/{modname}.xml")
        assert root.get("moduleid") == cmid and root.get("modulename") == modname
        assert root.find(modname).get("id") == root.get("id"), "instance id"
        assert root.get("contextid") not in contexts, "one context per module"
        contexts.add(root.get("contextid"))
        assert settings[f"{modname}_{cmid}_included"] == "1"
        assert settings[f"{modname}_{cmid}_userinfo"] == "1"
        sequences[sid].append(cmid)
        for item in doc(any_backup, f"{directory}/grades.xml").findall("grade_items/grade_item"):
            assert value(item, "iteminstance") == root.get("id")
            assert value(item, "itemmodule") == modname
    for sid, node in sections.items():
        sequence = value(node, "sequence")
        assert (sequence.split(",") if sequence else []) == sequences[sid]
    course = doc(any_backup, "course/course.xml")
    info = manifest.find("information")
    assert course.get("contextid") == value(info, "original_course_contextid")
    assert course.get("id") == value(info, "original_course_id")
    assert course.get("contextid") not in contexts


def test_quiz_slots_name_entries_of_the_quiz_own_bank(any_backup: Backup) -> None:
    questions = doc(any_backup, "questions.xml")
    categories = {c.get("id"): c for c in questions.findall("question_category")}
    entries = {e.get("id"): e for e in questions.iter("question_bank_entry")}
    quizzes = activity_docs(any_backup, "quiz")
    assert quizzes
    banks: set[str] = set()
    for directory, root in quizzes:
        context, cmid = root.get("contextid"), root.get("moduleid")
        own = {cid for cid, c in categories.items() if value(c, "contextid") == context}
        banks.add(context)
        assert own, "the quiz has its own bank"
        for cid in own:
            category = categories[cid]
            assert value(category, "contextlevel") == "70"
            assert value(category, "contextinstanceid") == cmid
            parent = value(category, "parent")
            assert parent == "0" or parent in own, "parents stay in the bank"
        assert sum(value(categories[c], "parent") == "0" for c in own) == 1, "exactly one top category"
        inforef = doc(any_backup, f"{directory}/inforef.xml")
        assert set(texts(inforef, "question_categoryref/question_category/id")) == own
        marks = 0.0
        slots = root.findall("quiz/question_instances/question_instance")
        assert [value(s, "slot") for s in slots] == [str(n) for n in range(1, len(slots) + 1)]
        for slot in slots:
            reference = slot.find("question_reference")
            assert value(reference, "usingcontextid") == context
            assert value(reference, "component") == "mod_quiz" and value(reference, "questionarea") == "slot"
            assert value(reference, "version") == "$@NULL@$"
            assert value(slot, "quizid") == root.get("id")
            entry = entries[value(reference, "questionbankentryid")]
            assert value(entry, "questioncategoryid") in own
            assert entry.getparent().getparent().get("id") == value(entry, "questioncategoryid")
            question = entry.find("question_version/question_versions/questions/question")
            assert value(question, "parent") == "0"
            assert float(value(slot, "maxmark")) == float(value(question, "defaultmark"))
            marks += float(value(slot, "maxmark"))
        assert float(value(root, "quiz/sumgrades")) == pytest.approx(marks)
    assert {value(c, "contextid") for c in categories.values()} == banks, "no category outside a quiz bank"


def test_pass_grade_and_completion_on_passing(any_backup: Backup) -> None:
    for directory, root in activity_docs(any_backup, "quiz"):
        item = doc(any_backup, f"{directory}/grades.xml").find("grade_items/grade_item")
        assert float(value(item, "gradepass")) == pytest.approx(float(value(root, "quiz/grade")) * 0.70)
        assert float(value(item, "grademax")) == float(value(root, "quiz/grade"))
        assert texts(doc(any_backup, f"{directory}/inforef.xml"), "grade_itemref/grade_item/id") == [item.get("id")]
        module = doc(any_backup, f"{directory}/module.xml")
        assert (value(module, "completion"), value(module, "completiongradeitemnumber")) == ("2", "0")
        assert value(module, "completionpassgrade") == "1"
    for directory, _ in activity_docs(any_backup, "page"):
        module = doc(any_backup, f"{directory}/module.xml")
        assert (value(module, "completion"), value(module, "completionview")) == ("2", "1")


def test_course_settings(skeleton: Backup) -> None:
    course = doc(skeleton, "course/course.xml")
    assert value(course, "fullname") == "My first course"
    assert value(course, "shortname") == "MYCOURSE"
    assert value(course, "summary") == "<p>A small course that shows every feature of the course format.</p>\n"
    assert value(course, "lang") == "en"
    assert value(course, "enablecompletion") == "1"
    info = doc(skeleton, "moodle_backup.xml").find("information")
    assert value(info, "original_course_fullname") == "My first course"
    assert value(info, "original_course_shortname") == "MYCOURSE"


def test_one_section_per_lesson_named_after_it(skeleton: Backup) -> None:
    manifest = doc(skeleton, "moodle_backup.xml")
    titles = texts(manifest, "information/contents/sections/section/title")
    assert titles == ["0", "Welcome", "Practice"]
    names = [
        value(doc(skeleton, f"sections/section_{sid}/section.xml"), "name")
        for sid in texts(manifest, "information/contents/sections/section/sectionid")
    ]
    assert names == ["$@NULL@$", "Welcome", "Practice"]


# --------------------------------------------------------------------------- glossary


def test_glossary_entries_carry_their_author(skeleton: Backup) -> None:
    ((directory, root),) = activity_docs(skeleton, "glossary")
    users = doc(skeleton, "users.xml").findall("user")
    assert len(users) == 1
    user_id = users[0].get("id")
    username = value(users[0], "username")
    assert username not in ("admin", "guest") and username.startswith("coursebuilder-")
    assert value(users[0], "auth") == "nologin"
    entries = root.findall("glossary/entries/entry")
    assert [value(e, "concept") for e in entries] == ["glossary", "lesson"]
    assert {value(e, "userid") for e in entries} == {user_id}
    assert texts(doc(skeleton, f"{directory}/inforef.xml"), "userref/user/id") == [user_id]
    settings = {value(s, "name"): value(s, "value") for s in doc(skeleton, "moodle_backup.xml").iter("setting")}
    cmid = root.get("moduleid")
    assert settings["users"] == "1" and settings[f"glossary_{cmid}_userinfo"] == "1"
    glossary_entry = entries[0]
    assert texts(glossary_entry, "aliases/alias/alias_text") == ["glossaries"]
    assert value(glossary_entry, "definition") == "<p>A list of <strong>terms</strong> with their meanings.</p>\n"
    category = root.find("glossary/categories/category")
    assert value(category, "name") == "Basics"
    linked = set(texts(category, "category_entries/category_entry/entryid"))
    assert linked == {e.get("id") for e in entries}


def test_glossary_linking_flags(write_course: WriteCourse) -> None:
    course_dir = write_course(
        {
            "glossary.yaml": """
            entries:
              - term: API
                definition: An interface.
                case_sensitive: true
                full_match: false
                auto_link: true
              - term: lesson
                definition: One page.
                auto_link: false
            """
        }
    )
    backup = entries_of(course_dir)
    ((_, root),) = activity_docs(backup, "glossary")
    flags = [
        (value(e, "usedynalink"), value(e, "casesensitive"), value(e, "fullmatch"))
        for e in root.findall("glossary/entries/entry")
    ]
    assert flags == [("1", "1", "0"), ("0", "0", "1")]
    assert value(root, "glossary/usedynalink") == "1"
    filters = doc(backup, "course/filters.xml")
    assert texts(filters, "filter_actives/filter_active/filter") == ["glossary"]


# --------------------------------------------------------------------------- questions


PLUGIN_FIELDS: dict[str, dict[str, list[str]]] = {
    # Transcribed from question/type/<type>/backup/moodle2/backup_qtype_<type>_plugin.class.php
    # and backup_qtype_plugin::add_question_question_answers / _numerical_units / _numerical_options.
    "multichoice": {
        "answers/answer": ["answertext", "answerformat", "fraction", "feedback", "feedbackformat"],
        "multichoice": [
            "layout", "single", "shuffleanswers", "correctfeedback", "correctfeedbackformat",
            "partiallycorrectfeedback", "partiallycorrectfeedbackformat", "incorrectfeedback",
            "incorrectfeedbackformat", "answernumbering", "shownumcorrect", "showstandardinstruction",
        ],
    },
    "truefalse": {
        "answers/answer": ["answertext", "answerformat", "fraction", "feedback", "feedbackformat"],
        "truefalse": ["trueanswer", "falseanswer", "showstandardinstruction"],
    },
    "shortanswer": {
        "answers/answer": ["answertext", "answerformat", "fraction", "feedback", "feedbackformat"],
        "shortanswer": ["usecase"],
    },
    "numerical": {
        "answers/answer": ["answertext", "answerformat", "fraction", "feedback", "feedbackformat"],
        "numerical_units/numerical_unit": ["multiplier", "unit"],
        "numerical_options/numerical_option": [
            "instructions", "instructionsformat", "showunits", "unitsleft", "unitgradingtype", "unitpenalty",
        ],
        "numerical_records/numerical_record": ["answer", "tolerance"],
    },
    "match": {
        "matchoptions": [
            "shuffleanswers", "correctfeedback", "correctfeedbackformat", "partiallycorrectfeedback",
            "partiallycorrectfeedbackformat", "incorrectfeedback", "incorrectfeedbackformat", "shownumcorrect",
        ],
        "matches/match": ["questiontext", "questiontextformat", "answertext"],
    },
    "essay": {
        "essay": [
            "responseformat", "responserequired", "responsefieldlines", "minwordlimit", "maxwordlimit",
            "attachments", "attachmentsrequired", "graderinfo", "graderinfoformat", "responsetemplate",
            "responsetemplateformat", "filetypeslist", "maxbytes",
        ],
    },
    "multianswer": {
        "answers/answer": ["answertext", "answerformat", "fraction", "feedback", "feedbackformat"],
        "multianswer": ["question", "sequence"],
    },
    "ordering": {
        "answers/answer": ["answertext", "answerformat", "fraction", "feedback", "feedbackformat"],
        "ordering": [
            "layouttype", "selecttype", "selectcount", "gradingtype", "showgrading", "numberingstyle",
            "correctfeedback", "correctfeedbackformat", "incorrectfeedback", "incorrectfeedbackformat",
            "partiallycorrectfeedback", "partiallycorrectfeedbackformat", "shownumcorrect",
        ],
    },
}  # fmt: skip


def test_every_question_type_has_its_plugin_data(any_backup: Backup) -> None:
    questions = doc(any_backup, "questions.xml").xpath("//questions/question")
    seen = set()
    for question in questions:
        qtype = value(question, "qtype")
        seen.add(qtype)
        plugin = question.find(f"plugin_qtype_{qtype}_question")
        if qtype == "description":
            assert plugin is None, "Moodle has no backup plugin for descriptions"
            continue
        assert plugin is not None, qtype
        for path, fields in PLUGIN_FIELDS[qtype].items():
            rows = plugin.findall(path)
            for row in rows:
                assert [child.tag for child in row] == fields, f"{qtype} {path}"
                assert row.get("id"), f"{qtype} {path} has an id"
        assert {child.tag for child in plugin} == {path.split("/")[0] for path in PLUGIN_FIELDS[qtype]}
    scored = {"multichoice", "truefalse", "shortanswer", "numerical", "match", "multianswer", "ordering"}
    assert scored <= seen <= scored | {"essay", "description"}


def _question(backup: Backup, idnumber: str) -> etree._Element:
    entry = doc(backup, "questions.xml").xpath(f"//question_bank_entry[idnumber='{idnumber}']")[0]
    return entry.find("question_version/question_versions/questions/question")


def test_answers_grades_and_units(skeleton: Backup) -> None:
    multi = _question(skeleton, "practice-multi")
    assert texts(multi, ".//answers/answer/fraction") == ["0.5000000", "0.5000000", "-0.5000000"]
    assert value(multi, ".//multichoice/single") == "0"
    truefalse = _question(skeleton, "welcome-tf")
    answers = truefalse.findall(".//answers/answer")
    assert [value(a, "answertext") for a in answers] == ["True", "False"]
    assert [value(a, "fraction") for a in answers] == ["1.0000000", "0.0000000"]
    assert value(truefalse, ".//truefalse/trueanswer") == answers[0].get("id")
    units = _question(skeleton, "practice-units")
    assert [(value(u, "unit"), value(u, "multiplier")) for u in units.findall(".//numerical_unit")] == [
        ("m", "1"),
        ("km", "0.001"),
    ]
    record = units.find(".//numerical_record")
    assert value(record, "answer") == units.find(".//answers/answer").get("id")
    assert value(record, "tolerance") == "10"
    assert value(units, ".//answers/answer/answertext") == "1500"
    short = _question(skeleton, "practice-short")
    assert texts(short, ".//answers/answer/answertext") == ["Markdown*", "mark*"]
    match = _question(skeleton, "practice-match")
    assert texts(match, ".//matches/match/answertext") == ["metadata", "terms", "pictures"]
    assert value(match, ".//matches/match[3]/questiontext") == "", "a distractor has no question"
    order = _question(skeleton, "practice-order")
    assert texts(order, ".//answers/answer/answertext") == ["Write", "Validate", "Build", "Upload"]
    assert texts(order, ".//answers/answer/fraction") == ["1.0000000", "2.0000000", "3.0000000", "4.0000000"]
    essay = _question(skeleton, "practice-essay")
    assert (value(essay, ".//essay/minwordlimit"), value(essay, ".//essay/maxwordlimit")) == ("20", "200")


def test_cloze_parent_and_parts(skeleton: Backup) -> None:
    parent = _question(skeleton, "practice-cloze")
    assert value(parent, "qtype") == "multianswer"
    assert "{#1}" in value(parent, "questiontext") and "{#3}" in value(parent, "questiontext")
    assert "{{" not in value(parent, "questiontext")
    sequence = value(parent, ".//multianswer/sequence").split(",")
    assert value(parent, ".//multianswer/question") == parent.get("id")
    parts = {q.get("id"): q for q in doc(skeleton, "questions.xml").xpath("//questions/question")}
    assert len(sequence) == 3
    codes = []
    for part_id in sequence:
        part = parts[part_id]
        assert value(part, "parent") == parent.get("id")
        codes.append(value(part, "questiontext"))
    assert codes == [
        "{1:SHORTANSWER:=lessons*}",
        "{1:NUMERICAL:=2}",
        "{1:MULTICHOICE_S:=YAML~%0%XML#Not in the source.}",
    ]
    assert [value(parts[p], "qtype") for p in sequence] == ["shortanswer", "numerical", "multichoice"]
    assert float(value(parent, "defaultmark")) == 3.0


def test_question_tags_hints_and_idnumbers(write_course: WriteCourse) -> None:
    course_dir = write_course(
        {
            "quiz/welcome.yaml": """
            defaults:
              lesson: welcome
              tags: [Week 1]
            questions:
              - id: tf
                type: truefalse
                text: Sky is blue.
                correct: true
                category: Colours/Sky
                hints:
                  - text: Look **up**.
                    clear_wrong: true
            """
        }
    )
    backup = entries_of(course_dir)
    question = _question(backup, "tf")
    assert [
        (t.get("contextid") is not None, value(t, "name"), value(t, "rawname")) for t in question.findall("tags/tag")
    ] == [(True, "week 1", "Week 1")]
    hint = question.find("question_hints/question_hint")
    assert value(hint, "hint") == "<p>Look <strong>up</strong>.</p>\n"
    assert value(hint, "clearwrong") == "1"
    categories = {c.get("id"): c for c in doc(backup, "questions.xml").findall("question_category")}
    entry = question.xpath("ancestor::question_bank_entry")[0]
    sky = categories[value(entry, "questioncategoryid")]
    assert value(sky, "name") == "Sky"
    assert value(categories[value(sky, "parent")], "name") == "Colours"


# --------------------------------------------------------------------------- course.yaml choices


def test_book_holds_a_chapter_per_lesson(write_course: WriteCourse) -> None:
    backup = entries_of(with_settings(write_course, "    lesson_activity: book\n"))
    assert not activity_docs(backup, "page")
    ((_directory, book),) = activity_docs(backup, "book")
    chapters = book.findall("book/chapters/chapter")
    assert [value(c, "title") for c in chapters] == ["Welcome", "Practice"]
    assert [value(c, "pagenum") for c in chapters] == ["1", "2"]
    assert "@@PLUGINFILE@@/diagram.svg" in value(chapters[0], "content")
    image = [
        f
        for f in doc(backup, "files.xml").findall("file")
        if value(f, "filename") == "diagram.svg" and value(f, "component") == "mod_book"
    ]
    assert [(value(f, "filearea"), value(f, "itemid"), value(f, "contextid")) for f in image] == [
        ("chapter", chapters[0].get("id"), book.get("contextid"))
    ]
    assert len(activity_docs(backup, "quiz")) == 2


def test_one_final_quiz(write_course: WriteCourse) -> None:
    backup = entries_of(with_settings(write_course, "    quizzes: final\n"))
    ((_directory, quiz),) = activity_docs(backup, "quiz")
    assert value(quiz, "quiz/name") == "Final quiz"
    slots = quiz.findall("quiz/question_instances/question_instance")
    course, _ = load_or_raise(SKELETON)
    scored = [q for q in course.questions if q.type not in ("essay", "description")]
    assert len(slots) == len(scored)
    manifest = doc(backup, "moodle_backup.xml")
    assert texts(manifest, "information/contents/sections/section/title") == ["0", "Welcome", "Practice", "Final quiz"]


def test_passing_score_from_course_yaml(write_course: WriteCourse) -> None:
    course_yaml = (
        (SKELETON / "course.yaml").read_text(encoding="utf-8").replace("passing_score: 70", "passing_score: 55")
    )
    backup = entries_of(write_course({"course.yaml": course_yaml}))
    for directory, _ in activity_docs(backup, "quiz"):
        assert value(doc(backup, f"{directory}/grades.xml"), "grade_items/grade_item/gradepass") == "5.50000"


def test_missing_image_in_course_summary_is_an_error(write_course: WriteCourse) -> None:
    course_yaml = (
        (SKELETON / "course.yaml")
        .read_text(encoding="utf-8")
        .replace("summary: A small course", 'summary: "![x](assets/nothere.png)"\nx_old: A small course')
        .replace("\nx_old: A small course that shows every feature of the course format.", "")
    )
    result = load_course(write_course({"course.yaml": course_yaml}))
    # The shared checks cover the summary too (every text going to Moodle), and so does the backup's.
    assert [(d.code, d.field, d.line) for d in result.diagnostics if d.severity.value == "error"] == [
        ("asset", "summary", 7)
    ]
    assert result.course is not None
    diags = MbzTarget().check(result.course)
    assert [(d.code, d.field, d.line) for d in diags] == [("asset", "summary", 7)]


def test_entries_are_the_same_mapping_twice() -> None:
    course: Course = load_or_raise(SKELETON)[0]
    assert backup_entries(course) == backup_entries(course)


def _edited_and_saved(parent: etree._Element, parts: dict[str, etree._Element]) -> list[dict[str, Any]]:
    """The gaps Moodle saves when a teacher opens a restored cloze question and saves it.

    `edit_multianswer_form::set_data()` (question/type/multianswer/edit_multianswer_form.php)
    puts each sub-question's stored text back in place of its `{#n}`, writing `&#` as `&\\#`;
    the HTML editor returns the text as a browser serializes it; saving parses it again with
    `qtype_multianswer_extract_question()` (tests/moodle_semantics.py).
    """
    text = value(parent, "questiontext")
    for key, part_id in enumerate(value(parent, ".//multianswer/sequence").split(","), 1):
        text = text.replace(f"{{#{key}}}", value(parts[part_id], "questiontext").replace("&#", "&\\#"))
    holder = lxml_html.fragment_fromstring(text, create_parent="div")
    served = lxml_html.tostring(holder, encoding="unicode", method="html")[len("<div>") : -len("</div>")]
    return moodle_semantics.multianswer_extract(served)


def test_a_restored_cloze_survives_moodles_editor(write_course: WriteCourse) -> None:
    """Opening a restored cloze question in Moodle's editor and saving it keeps every answer
    and feedback, `} # & < > " ' / = % {` included (Moodle unescapes only `\\}` and `\\#`)."""
    course_dir = write_course(
        {
            "quiz/edit.yaml": """
            questions:
            - id: edit-cloze
              lesson: welcome
              type: cloze
              text: "First {{a}}, then {{b}}, last {{c}}."
              gaps:
              - id: a
                answers:
                - text: 'x}y#z & <b> "q" it''s a/b =1 %2% {3'
                  feedback: 'right } # & <i> "q" a/b'
                - text: '=start'
                  grade: 0
                  feedback: '%50% {#1}'
              - id: b
                type: multichoice
                answers:
                - text: 'A & B < C'
                  feedback: 'yes "A" / #1'
                - text: 'D} {E'
                  grade: 0
              - id: c
                answers:
                - text: 'a~b\\c'
                  feedback: 'ends in \\'
                - text: 'end\\'
                  grade: 50
            """
        }
    )
    backup = entries_of(course_dir)
    parent = _question(backup, "edit-cloze")
    parts = {q.get("id"): q for q in doc(backup, "questions.xml").xpath("//questions/question")}
    saved = _edited_and_saved(parent, parts)
    stored = [parts[p] for p in value(parent, ".//multianswer/sequence").split(",")]
    assert len(saved) == len(stored) == 3
    # No form of `~` or `\\` comes back from Moodle's editor; the gap keeps its answers and grades.
    last, last_part = saved.pop(), stored.pop()
    assert list(last["fraction"].values()) == ["1", 0.5]
    assert len(last_part.findall(".//answers/answer")) == 2
    for gap, part in zip(saved, stored, strict=True):
        answers = part.findall(".//answers/answer")
        assert list(gap["answer"].values()) == [value(a, "answertext") for a in answers]
        assert [f["text"] for f in gap["feedback"].values()] == [value(a, "feedback") for a in answers]
