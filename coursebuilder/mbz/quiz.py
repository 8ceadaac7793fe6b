"""A Quiz activity over its own question bank (`mod/quiz/backup/moodle2/backup_quiz_stepslib.php`).

Each slot holds a `question_reference` to a bank entry of questions.xml (version NULL: always
the latest); the pass grade sits in the grade item (grades.xml `gradepass`) and completion on
passing in module.xml (`completiongradeitemnumber` 0, `completionpassgrade` 1).
"""

from __future__ import annotations

from lxml import etree

from coursebuilder.mbz import xml
from coursebuilder.mbz.activity import PASSED, Completion, activity_root, write_common
from coursebuilder.mbz.gradebook import QUIZ_GRADE, activity_gradebook
from coursebuilder.mbz.job import Job
from coursebuilder.mbz.questions import QuestionBank
from coursebuilder.mbz.sections import Activity

REVIEW_ALWAYS = 0x11110
"""display_options DURING | IMMEDIATELY_AFTER | LATER_WHILE_OPEN | AFTER_CLOSE."""
REVIEW_AFTER = 0x01110
"""The same without DURING (overall feedback cannot show during an attempt)."""


def write_quiz(job: Job, activity: Activity, bank_writer: QuestionBank, grade_sortorder: int, weight: float) -> None:
    bank = bank_writer.add_bank(activity)
    total = bank.total
    passing = job.course.info.settings.passing_score
    root = activity_root(activity)
    quiz = xml.child(
        root,
        "quiz",
        {"id": activity.instance},
        [
            ("name", activity.name),
            ("intro", ""),
            ("introformat", 1),
            ("timeopen", 0),
            ("timeclose", 0),
            ("timelimit", 0),
            ("overduehandling", "autosubmit"),
            ("graceperiod", 0),
            ("preferredbehaviour", "interactive" if activity.practice else "deferredfeedback"),
            ("canredoquestions", 0),
            ("attempts_number", 0),
            ("attemptonlast", 0),
            ("grademethod", 1),
            ("decimalpoints", 2),
            ("questiondecimalpoints", -1),
            ("reviewattempt", REVIEW_ALWAYS),
            ("reviewcorrectness", REVIEW_ALWAYS),
            ("reviewmaxmarks", REVIEW_ALWAYS),
            ("reviewmarks", REVIEW_ALWAYS),
            ("reviewspecificfeedback", REVIEW_ALWAYS),
            ("reviewgeneralfeedback", REVIEW_ALWAYS),
            ("reviewrightanswer", REVIEW_ALWAYS),
            ("reviewoverallfeedback", REVIEW_AFTER),
            ("questionsperpage", 0),
            ("navmethod", "free"),
            ("shuffleanswers", 1),
            ("sumgrades", xml.decimal(total, 5)),
            ("grade", xml.decimal(QUIZ_GRADE, 5)),
            ("timecreated", 0),
            ("timemodified", 0),
            ("password", ""),
            ("subnet", ""),
            ("browsersecurity", "-"),
            ("delay1", 0),
            ("delay2", 0),
            ("showuserpicture", 0),
            ("showblocks", 0),
            ("completionattemptsexhausted", 0),
            ("completionminattempts", 0),
            ("allowofflineattempts", 0),
            ("precreateattempts", None),
        ],
    )
    xml.child(quiz, "subplugin_quizaccess_seb_quiz")
    xml.child(quiz, "quiz_grade_items")
    instances = xml.child(quiz, "question_instances")
    for slot, (entry_id, mark) in enumerate(bank.slots, start=1):
        slot_id = job.ids.record()
        instance = xml.child(
            instances,
            "question_instance",
            {"id": slot_id},
            [
                ("quizid", activity.instance),
                ("slot", slot),
                ("page", 1),
                ("displaynumber", None),
                ("requireprevious", 0),
                ("maxmark", xml.decimal(mark, 7)),
                ("quizgradeitemid", None),
            ],
        )
        xml.child(
            instance,
            "question_reference",
            {"id": slot_id},
            [
                ("usingcontextid", activity.contextid),
                ("component", "mod_quiz"),
                ("questionarea", "slot"),
                ("questionbankentryid", entry_id),
                ("version", None),
            ],
        )
    sections = xml.child(quiz, "sections")
    xml.child(
        sections,
        "section",
        {"id": job.ids.record()},
        [("firstslot", 1), ("heading", ""), ("shufflequestions", activity.shuffle)],
    )
    for container in ("feedbacks", "overrides", "grades", "attempts"):
        xml.child(quiz, container)
    job.put(f"{activity.directory}/quiz.xml", root)

    grade_item = job.ids.grade_item()
    graded = total > 0
    write_common(
        job,
        activity,
        PASSED if graded else Completion(),
        grades=grades_xml(activity, grade_item, passing, grade_sortorder, weight),
        grade_items=[grade_item],
        question_categories=bank.categories,
    )


def grades_xml(activity: Activity, grade_item: int, passing: float, sortorder: int, weight: float) -> etree._Element:
    """The quiz's grade item; `gradepass` is the pass mark completion checks."""
    return activity_gradebook(
        grade_item=grade_item,
        module="quiz",
        name=activity.name,
        instance=activity.instance,
        gradepass=QUIZ_GRADE * passing / 100,
        sortorder=sortorder,
        weight=weight,
    )
