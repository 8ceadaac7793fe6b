"""Keep the author's text where an imported question or entry means the same.

A Moodle export holds HTML; the course holds Markdown. Converting back cannot give the
author's exact Markdown, gap names or formatting, so a re-import would rewrite every question.
Where an old text and a new one render to the same HTML, the old one is kept, and an unchanged
question stays unchanged, byte for byte.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from coursebuilder.importer.htmltext import canonical_html
from coursebuilder.markdown import render
from coursebuilder.model import Cloze, gap_refs, markdown_fields, replace_gaps


def preserve_texts(old: Any, new: Any) -> Any:
    """`new`, keeping every text of `old` that means the same (so a re-import leaves the
    author's Markdown, gap names and formatting alone where nothing really changed)."""
    if type(old) is not type(new) or not isinstance(new, BaseModel):
        return new
    if isinstance(old, Cloze) and isinstance(new, Cloze):
        new = _same_gap_ids(old, new)
    markdown = markdown_fields(type(new))
    update: dict[str, Any] = {}
    for name in type(new).model_fields:
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        if name in markdown and isinstance(before, str) and isinstance(after, str):
            if _same_text(before, after):
                update[name] = before
        elif isinstance(after, BaseModel):
            kept = preserve_texts(before, after)
            if kept is not after:
                update[name] = kept
        elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
            items = [preserve_texts(x, y) for x, y in zip(before, after, strict=True)]
            if any(x is not y for x, y in zip(items, after, strict=True)):
                update[name] = items
    return new.model_copy(update=update) if update else new


def _same_text(old: str, new: str) -> bool:
    """Two Markdown texts that render to the same HTML (what Moodle and the learner see)."""
    return old == new or canonical_html(render(old)) == canonical_html(render(new))


def _same_gap_ids(old: Cloze, new: Cloze) -> Cloze:
    """Give the gaps of `new` the ids the course already uses for the same positions."""
    old_order = [match.group(1) for match in gap_refs(old.text)]
    new_order = [match.group(1) for match in gap_refs(new.text)]
    if len(old_order) != len(new_order) or len(set(old_order)) != len(old_order):
        return new
    rename = dict(zip(new_order, old_order, strict=True))
    text = replace_gaps(new.text, lambda gap_id: "{{" + rename[gap_id] + "}}")
    gaps = [gap.model_copy(update={"id": rename.get(gap.id, gap.id)}) for gap in new.gaps]
    old_index = {gap_id: position for position, gap_id in enumerate(gap.id for gap in old.gaps)}
    gaps.sort(key=lambda gap: old_index.get(gap.id, len(old_index)))
    return new.model_copy(update={"text": text, "gaps": gaps})
