"""Give every imported question a stable id.

A valid Moodle idnumber is kept, so a re-import finds the question it updates; without one,
the id comes from the question's name (or text), numbered past ids that are taken. An id the
course already has is reused only by a question of the same name: that is the question being
imported again.
"""

from __future__ import annotations

from coursebuilder.importer.common import ImportedQuestion, Notes, is_slug, slugify
from coursebuilder.importer.state import MergeState


def assign_ids(
    state: MergeState, questions: list[ImportedQuestion], notes: Notes
) -> list[tuple[ImportedQuestion, str]]:
    """Each question with its id, in input order; an unusable or repeated idnumber is warned about."""
    taken: dict[str, ImportedQuestion] = {}
    ids: dict[int, str] = {}
    for index, item in enumerate(questions):
        if not item.idnumber:
            continue
        qid = item.idnumber if is_slug(item.idnumber) else slugify(item.idnumber, 100)
        if not qid:
            continue
        if qid != item.idnumber:
            notes.warn(item.where, f"idnumber {item.idnumber!r} is not a valid id; used {qid!r}", "import-id")
        if qid in taken:
            first = taken[qid].where
            notes.warn(
                item.where,
                f"idnumber {item.idnumber!r} is also used at line {first.line}; this question gets a new id",
                "import-id",
            )
            continue
        taken[qid] = item
        ids[index] = qid
    for index, item in enumerate(questions):
        if index in ids:
            continue
        base = slugify(item.name) or slugify(str(item.fields.get("text", ""))) or "question"
        base = base[:90]
        number = 1
        while True:
            qid = base if number == 1 else f"{base}-{number}"
            number += 1
            if qid in taken:
                continue
            known = state.existing_question(qid)
            if known is not None and known.display_name != (item.name or qid):
                continue
            break
        taken[qid] = item
        ids[index] = qid
    return [(item, ids[index]) for index, item in enumerate(questions)]
