"""What a Moodle XML question *means* to Moodle's importer, as a plain dict, for round-trip tests.

Written for the tests, apart from the importer's own code, from question/format/xml/format.php:
each question becomes the values Moodle would store, with Moodle's defaults for missing
elements. Two questions are "equal" when their dicts are, which allows exactly these
differences (and no others):

1. Texts are compared as rendered HTML, after what HTML itself ignores: collapsible whitespace,
   attribute order, entity spelling, and one attribute-less `<p>` or `<div>` wrapping a whole
   text. A text in `moodle_auto_format`, `plain_text` or `markdown` is first turned into HTML
   by Moodle's rule for that format (`text_to_html`, escaping with line breaks, Markdown).
2. Embedded files are compared by content: `@@PLUGINFILE@@/name` (or a course asset path)
   becomes `file:<sha256>`, since file names may be made safe on import.
3. Element order does not matter, and a missing element equals Moodle's default for it.
4. Cloze gaps are compared after Moodle's own parse (`=` equals `%100%`; multi-response
   fractions normalised as Moodle stores them).
5. An ordering question showing a random or contiguous selection of at least as many items
   as it has shows them all: it equals `ALL`.

Below that, how Moodle's readers turn our files into values, ported from Moodle 4.5 and 5.2
(each function names the file and function it reproduces; the two versions share this code):
PHP's XML parser (`php_xml_events`), `xmlize()` (`xmlize`, for Moodle XML and glossary import),
the backup parser and its processors (`progressive_parse`, `GroupedProcessor`), the users.xml
loader (`restore_users`) and the creation of a user restore does not find (`create_included_user`).
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from coursebuilder.markdown import render

_BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "legend",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "caption",
    "colgroup",
    "col",
    "iframe",
    "video",
    "audio",
    "textarea",
    "br",
}


# --------------------------------------------------------------------------- texts


def canon_html(source: str, files: dict[str, str] | None = None) -> str:
    """A normal form of an HTML fragment (see rule 1 and 2 of the module docstring)."""
    source = _files(source.strip(), files or {})
    if not source:
        return ""
    root = lxml.html.fragment_fromstring(source, create_parent="div")
    items = _items(root, pre=False)
    if len(items) == 1 and isinstance(items[0], tuple) and items[0][0] in ("p", "div") and not items[0][1]:
        items = list(items[0][2])
    return repr(items)


def _files(source: str, files: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        from urllib.parse import unquote

        name = unquote(match.group(2))
        return match.group(1) + files.get(name, files.get(name.rsplit("/", 1)[-1], "missing:" + name))

    return re.sub(r"((?:src|href)=[\"']?)(?:@@PLUGINFILE@@/|\.\./assets/|assets/)([^\"'\s>]+)", replace, source)


def _items(element: Any, pre: bool) -> list[Any]:
    raw: list[Any] = []
    if element.text:
        raw.append(element.text)
    for child in element:
        if isinstance(child.tag, str):
            tag = child.tag.lower()
            attrs = tuple(sorted(child.attrib.items()))
            raw.append((tag, attrs, tuple(_items(child, pre or tag in ("pre", "textarea")))))
        if child.tail:
            raw.append(child.tail)
    if pre:
        return raw
    out: list[Any] = []
    for index, item in enumerate(raw):
        if not isinstance(item, str):
            out.append(item)
            continue
        text = re.sub(r"[ \t\n\r\f]+", " ", item)
        before = raw[index - 1] if index else None
        after = raw[index + 1] if index + 1 < len(raw) else None
        if before is None or (isinstance(before, tuple) and before[0] in _BLOCKS):
            text = text.lstrip(" ")
        if after is None or (isinstance(after, tuple) and after[0] in _BLOCKS):
            text = text.rstrip(" ")
        if text:
            if out and isinstance(out[-1], str):
                out[-1] += text
            else:
                out.append(text)
    return out


def moodle_text(text: str, fmt: str, files: dict[str, str] | None = None) -> str:
    """A Moodle text field of format `fmt` as Moodle renders it, in normal form."""
    text = text.strip()
    if fmt == "plain_text":
        text = re.sub(r"\n", "<br />\n", html.escape(text, quote=False))
    elif fmt in ("moodle_auto_format", "wiki_like"):
        text = re.sub(r">\s+<", "><", text)
        text = re.sub(r"[\n\r]<", " <", text)
        text = re.sub(r">[\n\r]", "> ", text)
        text = text.replace("\n", "<br />\n")
    elif fmt == "markdown":
        text = render(text)
    return canon_html(text, files)


def markdown_text(text: str, files: dict[str, str]) -> str:
    """A course Markdown text as the course renders it, in normal form."""
    return canon_html(render(text), files)


# --------------------------------------------------------------------------- Moodle XML


def _t(element: Any, path: str, default: str = "") -> str:
    found = element.find(path) if element is not None else None
    if found is None:
        return default
    return "".join(found.xpath("text()")).strip()


def _single(value: str) -> bool:
    return value not in ("false", "", "0")


def _field_files(element: Any) -> dict[str, str]:
    files = {}
    if element is None:
        return files
    import base64

    for file_el in element.findall("file"):
        data = base64.b64decode(re.sub(r"\s+", "", file_el.text or ""))
        files[file_el.get("name")] = "file:" + hashlib.sha256(data).hexdigest()
    return files


def _text(element: Any, default_fmt: str) -> str:
    if element is None:
        return ""
    return moodle_text(_t(element, "text"), element.get("format", default_fmt), _field_files(element))


def xml_questions(data: bytes) -> list[dict[str, Any]]:
    """Every question of a Moodle XML file (categories folded into each question)."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    category: tuple[str, ...] = ()
    out = []
    for q in root.findall("question"):
        qtype = q.get("type")
        if qtype == "category":
            path = _t(q, "category/text").replace("//", "\x00").split("/")
            category = tuple(p.replace("\x00", "/") for p in path if p)
            continue
        out.append(xml_question(q, category))
    return out


def xml_question(q: Any, category: tuple[str, ...]) -> dict[str, Any]:
    qtype = {"match": "matching", "multianswer": "cloze"}.get(q.get("type"), q.get("type"))
    qfmt = (q.find("questiontext").get("format") if q.find("questiontext") is not None else None) or "html"
    out: dict[str, Any] = {
        "type": qtype,
        "name": _t(q, "name/text"),
        "idnumber": _t(q, "idnumber"),
        "category": category,
        "generalfeedback": _text(q.find("generalfeedback"), qfmt),
        "tags": [_t(t, "text") for t in q.findall("tags/tag")] + [_t(t, "text") for t in q.findall("coursetags/tag")],
    }
    penalty = float(_t(q, "penalty", "0.3333333"))
    out["penalty"] = 0.3333333 if abs(penalty - 0.3333333) < 0.005 else penalty
    parts = qtype in ("multichoice", "matching", "cloze", "ordering")
    out["hints"] = (
        []
        if qtype in ("essay", "description")
        else [
            (
                _text(h, qfmt),
                parts and h.find("shownumcorrect") is not None,
                parts and h.find("clearwrong") is not None,
            )
            for h in q.findall("hint")
        ]
    )
    if qtype != "cloze":
        out["questiontext"] = _text(q.find("questiontext"), "html")
        out["defaultgrade"] = 0.0 if qtype == "description" else float(_t(q, "defaultgrade", "1"))
    answers = q.findall("answer")

    def fb(a: Any) -> str:
        return _text(a.find("feedback"), qfmt)

    def combined(shownum: bool = True) -> dict[str, Any]:
        return {
            "correct": _text(q.find("correctfeedback"), qfmt),
            "partial": _text(q.find("partiallycorrectfeedback"), qfmt),
            "incorrect": _text(q.find("incorrectfeedback"), qfmt),
            "shownumcorrect": shownum and q.find("shownumcorrect") is not None,
        }

    if qtype == "multichoice":
        out["single"] = _single(_t(q, "single", "true"))
        out["shuffleanswers"] = _single(_t(q, "shuffleanswers", "false"))
        out["answernumbering"] = _t(q, "answernumbering") or "abc"
        out["showstandardinstruction"] = _t(q, "showstandardinstruction", "1") not in ("", "0")
        out["answers"] = [(_text(a, qfmt), float(a.get("fraction", "0")) / 100, fb(a)) for a in answers]
        out["combined"] = combined()
    elif qtype == "truefalse":
        for a in answers:
            if _t(a, "text") == "true":
                out["correct"] = float(a.get("fraction")) == 100
                out["feedbacktrue"] = fb(a)
            else:
                out["feedbackfalse"] = fb(a)
    elif qtype == "shortanswer":
        out["usecase"] = _t(q, "usecase", "0") not in ("", "0")
        out["answers"] = [(_t(a, "text"), float(a.get("fraction", "0")) / 100, fb(a)) for a in answers]
    elif qtype == "numerical":
        out["answers"] = [
            (
                "*" if _t(a, "text") == "*" else float(_t(a, "text")),
                float(_t(a, "tolerance", "0")),
                float(a.get("fraction", "0")) / 100,
                fb(a),
            )
            for a in answers
        ]
        units = [(_t(u, "unit_name"), float(_t(u, "multiplier", "1"))) for u in q.findall("units/unit")]
        out["units"] = units
        out["unitgradingtype"] = int(_t(q, "unitgradingtype", "0"))
        out["unitpenalty"] = float(_t(q, "unitpenalty", "0.1"))
        out["showunits"] = int(_t(q, "showunits") or ("3" if not units else "0"))
        out["unitsleft"] = _t(q, "unitsleft", "0") not in ("", "0")
    elif qtype == "matching":
        out["shuffleanswers"] = _single(_t(q, "shuffleanswers", "1"))
        out["subquestions"] = [(_text(s, qfmt), _t(s, "answer/text")) for s in q.findall("subquestion")]
        out["combined"] = combined()
    elif qtype == "essay":
        out["responseformat"] = _t(q, "responseformat") or "editor"
        out["responserequired"] = _t(q, "responserequired", "1") not in ("", "0")
        out["responsefieldlines"] = int(_t(q, "responsefieldlines", "15"))
        out["minwordlimit"] = int(_t(q, "minwordlimit") or 0) or None
        out["maxwordlimit"] = int(_t(q, "maxwordlimit") or 0) or None
        out["attachments"] = int(_t(q, "attachments", "0"))
        out["attachmentsrequired"] = int(_t(q, "attachmentsrequired", "0"))
        out["maxbytes"] = int(_t(q, "maxbytes") or 0)
        out["filetypeslist"] = [t for t in re.split(r"[\s,;]+", _t(q, "filetypeslist")) if t]
        out["graderinfo"] = _text(q.find("graderinfo"), qfmt)
        out["responsetemplate"] = _t(q, "responsetemplate/text")
    elif qtype == "cloze":
        text, gaps = cloze_gaps(_t(q, "questiontext/text"))
        out["questiontext"] = moodle_text(text, qfmt, _field_files(q.find("questiontext")))
        out["gaps"] = gaps
        out["defaultgrade"] = float(sum(g[1] for g in gaps))
    elif qtype == "ordering":
        # qtype_ordering::import_from_xml() and set_options_for_import() (Moodle 4.4).
        select = _t(q, "selecttype", "RANDOM").upper()
        count_text = _t(q, "selectcount", "6")
        count = int(count_text) if count_text.isdigit() and int(count_text) >= 2 else 2
        items = [canon_html(_t(a, "text")) for a in answers]
        select = {"EXACT": "ALL", "CONTIG": "CONTIGUOUS", "REL": "RANDOM"}.get(select, select)
        if select != "ALL" and count >= len(items):
            select, count = "ALL", 0
        out["layouttype"] = (
            "HORIZONTAL" if _t(q, "layouttype", "VERTICAL").upper() in ("HORIZONTAL", "H", "1") else "VERTICAL"
        )
        out["selecttype"] = select
        out["selectcount"] = count if select != "ALL" else 0
        grading = _t(q, "gradingtype", "RELATIVE").upper()
        out["gradingtype"] = {"RELATIVE": "RELATIVE_NEXT_EXCLUDE_LAST", "ABSOLUTE": "ABSOLUTE_POSITION"}.get(
            grading, grading
        )
        out["showgrading"] = _t(q, "showgrading", "1").upper() not in ("HIDE", "FALSE", "NO")
        style = _t(q, "numberingstyle")
        out["numberingstyle"] = style if style in ("none", "123", "abc", "ABCD", "iii", "IIII") else "none"
        out["items"] = items
        out["combined"] = dict(
            combined(shownum=False),
            shownumcorrect=q.find("shownumcorrect") is None or _t(q, "shownumcorrect") not in ("", "0"),
        )
        if q.find("shownumcorrect") is None:  # then every hint shows the number of right items
            out["hints"] = [(text, True, clear) for text, _shown, clear in out["hints"]]
    return out


# --------------------------------------------------------------------------- cloze, as Moodle parses it


_TYPES = [
    ("NUMERICAL|NM", "numerical", False),
    ("MULTICHOICE|MC", "multichoice", False),
    ("MULTICHOICE_V|MCV", "multichoice_vertical", False),
    ("MULTICHOICE_H|MCH", "multichoice_horizontal", False),
    ("SHORTANSWER|SA|MW", "shortanswer", False),
    ("SHORTANSWER_C|SAC|MWC", "shortanswer_case", False),
    ("MULTICHOICE_S|MCS", "multichoice", True),
    ("MULTICHOICE_VS|MCVS", "multichoice_vertical", True),
    ("MULTICHOICE_HS|MCHS", "multichoice_horizontal", True),
    ("MULTIRESPONSE|MR", "multiresponse", False),
    ("MULTIRESPONSE_H|MRH", "multiresponse_horizontal", False),
    ("MULTIRESPONSE_S|MRS", "multiresponse", True),
    ("MULTIRESPONSE_HS|MRHS", "multiresponse_horizontal", True),
]
_ALT = r"(=|%(-?[0-9]+(?:[.,][0-9]*)?)%)?(.+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$))(#(.*?(?<!\\)(?=[~}]|$)))?"
_GAP = re.compile(
    r"\{([0-9]*):(" + "|".join(f"({t[0]})" for t in _TYPES) + r"):(" + _ALT + r"(~" + _ALT + r")*)\}", re.S
)


def cloze_gaps(text: str) -> tuple[str, list[tuple[Any, ...]]]:
    """Moodle's `qtype_multianswer_extract_question`: the text with `{#n}`, and each gap's values."""
    gaps: list[tuple[Any, ...]] = []
    while (match := _GAP.search(text)) is not None:
        index = next(i for i in range(len(_TYPES)) if match.group(3 + i))
        _, kind, shuffle = _TYPES[index]
        answers = []
        specific = False
        for alt in re.finditer("~?" + _ALT, match.group(3 + len(_TYPES))):
            if alt.group(1) == "=":
                fraction = 1.0
            elif alt.group(2) and alt.group(2) != "0":
                fraction, specific = float(alt.group(2).replace(",", ".")) / 100, True
            else:
                fraction = 0.0
            answer = html.unescape(alt.group(3)).replace("\\}", "}").replace("\\#", "#")
            feedback = canon_html(html.unescape(alt.group(5) or "").replace("\\}", "}").replace("\\#", "#"))
            if kind.startswith("multi"):  # choices are HTML in Moodle; typed answers are not
                answer = canon_html(answer)
            tolerance = 0.0
            if kind == "numerical" and ":" in answer:
                answer, tol = answer.split(":", 1)
                tolerance = float(tol)
            if kind == "numerical" and answer != "*":
                answer = str(float(answer.replace(",", ".")))
            answers.append([answer, fraction, feedback, tolerance])
        if kind.startswith("multiresponse"):
            total = sum(a[1] for a in answers if a[1] > 0)
            for a in answers:
                a[1] = a[1] / total if a[1] > 0 else (a[1] if specific else -1.0 / total)
        weight = int(match.group(1)) if match.group(1) else 1
        gaps.append((kind, weight, shuffle, tuple(tuple(a) for a in answers)))
        text = text[: match.start()] + "{#" + str(len(gaps)) + "}" + text[match.end() :]
    return text, gaps


def multianswer_places(questiontext: str) -> tuple[list[str], list[str]]:
    """How a stored cloze text is shown: question/type/multianswer/questiontype.php,
    `qtype_multianswer::initialise_question_instance()` splits it with
    `preg_split('/\\{#(\\d+)\\}/', $question->questiontext, -1, PREG_SPLIT_DELIM_CAPTURE)` into
    `textfragments` and, between them, `places` (the sub-question numbers), and the renderer
    puts each sub-question's control at its place. Returns (fragments, places)."""
    bits = re.split(r"\{#(\d+)\}", questiontext)
    return bits[0::2], bits[1::2]


# --------------------------------------------------------------------------- course models


def asset_files(root: Path) -> dict[str, str]:
    folder = root / "assets"
    if not folder.is_dir():
        return {}
    return {p.name: "file:" + hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


def model_question(q: Any, files: dict[str, str], category: tuple[str, ...]) -> dict[str, Any]:
    """What a course question must mean in Moodle (the same dict as `xml_question`)."""
    md = lambda text: markdown_text(text, files)  # noqa: E731
    out: dict[str, Any] = {
        "type": q.type,
        "name": q.display_name,
        "idnumber": q.id,
        "category": category,
        "generalfeedback": md(q.general_feedback),
        "tags": list(q.tags),
        "penalty": q.penalty,
    }
    parts = q.type in ("multichoice", "matching", "cloze", "ordering")
    out["hints"] = (
        []
        if q.type in ("essay", "description")
        else [(md(h.text), parts and h.show_num_correct, parts and h.clear_wrong) for h in q.hints]
    )
    if q.type != "cloze":
        out["questiontext"] = md(q.text)
        out["defaultgrade"] = float(q.points)

    def combined(shownum: bool = True) -> dict[str, Any]:
        f = q.feedback
        return {
            "correct": md(f.correct),
            "partial": md(f.partially_correct),
            "incorrect": md(f.incorrect),
            "shownumcorrect": shownum and f.show_num_correct,
        }

    if q.type == "multichoice":
        out.update(
            single=q.single,
            shuffleanswers=q.shuffle,
            answernumbering=q.numbering,
            showstandardinstruction=q.show_standard_instruction,
            answers=[(md(a.text), a.grade / 100, md(a.feedback)) for a in q.answers],
            combined=combined(),
        )
    elif q.type == "truefalse":
        out.update(correct=q.correct, feedbacktrue=md(q.feedback_true), feedbackfalse=md(q.feedback_false))
    elif q.type == "shortanswer":
        out.update(usecase=q.case_sensitive, answers=[(a.text, a.grade / 100, md(a.feedback)) for a in q.answers])
    elif q.type == "numerical":
        out.update(
            answers=[(a.value, a.tolerance, a.grade / 100, md(a.feedback)) for a in q.answers],
            units=[(u.name, u.multiplier) for u in q.units],
            unitgradingtype={"none": 0, "response": 1, "question": 2}[q.unit_grading],
            unitpenalty=q.unit_penalty,
            showunits={"input": 0, "choice": 1, "select": 2, "none": 3}[q.show_units],
            unitsleft=q.units_left,
        )
    elif q.type == "matching":
        subs = [(md(p.question), p.answer) for p in q.pairs] + [("", d) for d in q.distractors]
        out.update(shuffleanswers=q.shuffle, subquestions=subs, combined=combined())
    elif q.type == "essay":
        out.update(
            responseformat=q.response_format,
            responserequired=q.response_required,
            responsefieldlines=q.response_lines,
            minwordlimit=q.min_words,
            maxwordlimit=q.max_words,
            attachments=q.attachments,
            attachmentsrequired=q.attachments_required,
            maxbytes=q.max_bytes,
            filetypeslist=list(q.file_types),
            graderinfo=md(q.grader_info),
            responsetemplate=q.response_template,
        )
    elif q.type == "cloze":
        order = re.findall(r"\{\{\s*([a-z0-9][a-z0-9_-]*)\s*\}\}", q.text)
        text = q.text
        for index, gap_id in enumerate(order, 1):
            text = re.sub(r"\{\{\s*" + re.escape(gap_id) + r"\s*\}\}", "{#" + str(index) + "}", text, count=1)
        by_id = {g.id: g for g in q.gaps}
        gaps = []
        for gap_id in order:
            g = by_id[gap_id]
            answers = [
                [
                    str(float(a.text))
                    if g.type == "numerical" and a.text != "*"
                    else canon_html(html.escape(a.text, quote=False))
                    if g.type.startswith("multi")
                    else a.text,
                    a.grade / 100,
                    canon_html(html.escape(a.feedback, quote=False)),
                    a.tolerance,
                ]
                for a in g.answers
            ]
            if g.type.startswith("multiresponse"):
                total = sum(a[1] for a in answers if a[1] > 0)
                for a in answers:
                    a[1] = a[1] / total if a[1] > 0 else a[1]
            gaps.append((g.type, g.weight, g.shuffle, tuple(tuple(a) for a in answers)))
        out.update(questiontext=md(text), gaps=gaps, defaultgrade=float(sum(g[1] for g in gaps)))
    elif q.type == "ordering":
        out.update(
            layouttype=q.layout.upper(),
            selecttype=q.select_type.upper(),
            selectcount=q.select_count if q.select_type != "all" else 0,
            gradingtype=q.grading_type.upper(),
            showgrading=q.show_grading,
            numberingstyle=q.numbering,
            items=[canon_html(html.escape(item, quote=False)) for item in q.items],
            combined=combined(),
        )
    return out


def rounded(value: Any) -> Any:
    """Floats rounded to 6 places, so 0.3333333 and 33.33333/100 compare equal."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, (list, tuple)):
        return type(value)(rounded(v) for v in value)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------- GIFT, as Moodle reads it


def _gift_pre(text: str) -> str:
    """`qformat_gift::escapedchar_pre()`: `\\\\` becomes `\\`, each escape a placeholder."""
    escaped = ["\\:", "\\#", "\\=", "\\{", "\\}", "\\~", "\\n"]
    placeholders = ["&&058;", "&&035;", "&&061;", "&&123;", "&&125;", "&&126;", "&&010"]
    text = text.replace("\\\\", "&&092;")
    for escape, placeholder in zip(escaped, placeholders, strict=True):
        text = text.replace(escape, placeholder)
    return text.replace("&&092;", "\\")


def _gift_post(text: str) -> str:
    """`qformat_gift::escapedchar_post()`: placeholders back to their characters."""
    placeholders = ["&&058;", "&&035;", "&&061;", "&&123;", "&&125;", "&&126;", "&&010"]
    for placeholder, char in zip(placeholders, [":", "#", "=", "{", "}", "~", "\n"], strict=True):
        text = text.replace(placeholder, char)
    return text


def _gift_text(text: str) -> str:
    """`qformat_gift::parse_text_with_format()`: drop a `[format]` prefix, unescape, trim."""
    if text.startswith("[") and "]" in text:
        name = text[1 : text.index("]")]
        if name in ("html", "moodle", "plain", "markdown"):
            text = text[text.index("]") + 1 :]
    return _gift_post(text).strip()


def _gift_comment(answer: str) -> list[str]:
    """`qformat_gift::commentparser()`: the answer and its feedback, split at the first `#`."""
    bits = answer.split("#", 1)
    return [_gift_text(bit.strip()) for bit in bits]


_GIFT_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")


def _gift_weightless(answer: str) -> str:
    answer = answer.strip()
    if answer.startswith("="):
        return answer[1:]
    match = _GIFT_WEIGHT.match(answer)
    return answer[match.end() :] if match else answer


def gift_questions(gift: str) -> dict[str, dict[str, Any]]:
    """Every question of a GIFT file as `qformat_gift::readquestion()` (question/format/gift/
    format.php) stores it: idnumber → its type and every text field it keeps, in order.

    Questions are split at blank lines (`qformat_default::readquestions`); comment lines give
    the idnumber (`extract_idnumber_and_tags_from_comment`). Covers the types the course
    writes in GIFT (ordering's items are not texts: only its question text is kept).
    """
    questions: dict[str, dict[str, Any]] = {}
    block: list[str] = []
    for line in [*gift.split("\n"), ""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            found = _gift_question(block)
            if found is not None:
                questions[found["idnumber"]] = found
        block = []
    return questions


def _gift_question(lines: list[str]) -> dict[str, Any] | None:
    comments = "\n".join(line.strip() for line in lines if line.strip().startswith("//"))
    text = "\n".join(" " if line.strip().startswith("//") else line.strip() for line in lines).strip()
    if not text:
        return None
    text = _gift_pre(text)
    if text.startswith("$CATEGORY:"):
        return None
    idnumber = re.search(r"\[id:((?:\\]|[^]])+)\]", comments)
    if text.startswith("::"):
        text = text[2:]
        end = text.find("::")
        if end != -1:
            text = text[end + 2 :].strip()
    start, finish = text.find("{"), text.find("}")
    if start == -1 and finish == -1:
        answer_text, question_text = "", text
        kind = "description"
    else:
        answer_text = text[start + 1 : finish].strip()
        question_text = text[:start] + ("" if text.endswith("}") else "_____") + text[finish + 1 :]
        kind = ""
    general = ""
    if "####" in answer_text:
        at = answer_text.rindex("####")
        answer_text, general = answer_text[:at].strip(), answer_text[at + 4 :]
    texts = [_gift_text(question_text), _gift_text(general)]
    if kind == "description":
        pass
    elif answer_text.startswith(">"):
        kind = "ordering"  # qtype_ordering::import_from_gift: items are not text fields
    elif answer_text == "":
        kind = "essay"
    elif answer_text.startswith("#"):
        kind = "numerical"
        for answer in answer_text[1:].split("="):
            if answer.strip():
                texts.extend(_gift_comment(_gift_weightless(answer))[1:])
    elif "~" in answer_text:
        kind = "multichoice"
        for answer in answer_text.replace("=", "~=").split("~"):
            if answer.strip():
                texts.extend(_gift_comment(_gift_weightless(answer)))
    elif "=" in answer_text and "->" in answer_text:
        kind = "match"
        for answer in answer_text.split("="):
            if answer.strip():
                left, right = answer.strip().split("->", 1)
                texts.extend([_gift_text(left), _gift_post(right).strip()])
    elif answer_text.split("#", 1)[0].strip() in ("T", "TRUE", "F", "FALSE"):
        kind = "truefalse"
        texts.extend(_gift_text(bit.strip()) for bit in answer_text.split("#", 2)[1:])
    else:
        kind = "shortanswer"
        for answer in answer_text.split("="):
            if answer.strip():
                texts.extend(_gift_comment(_gift_weightless(answer)))
    return {"idnumber": idnumber.group(1).replace("\\]", "]") if idnumber else "", "type": kind, "texts": texts}


# --------------------------------------------------------------------------- Moodle XML: stored texts


def xml_stored_texts(data: bytes) -> dict[str, list[str]]:
    """Every `<text>` of each question as `qformat_xml` stores it (question/format/xml/
    format.php, `getpath(..., $istext=true)` and `import_text()`: the element's content,
    trimmed): idnumber → texts in document order."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    stored: dict[str, list[str]] = {}
    for question in root.iter("question"):
        if question.get("type") == "category":
            continue
        idnumber = _t(question, "idnumber")
        stored[idnumber] = ["".join(text.xpath("text()")).strip() for text in question.iter("text")]
    return stored


# --------------------------------------------------------------------------- formulas, as Moodle's filters find them


_MATHJAX_SKIP = {"script", "noscript", "style", "textarea", "pre", "code", "annotation", "annotation-xml"}
_MATHJAX_IGNORE = re.compile(r"(^| )(tex2jax_ignore|mathjax_ignore)( |$)")
_MATHJAX_START = re.compile(r"\\\(|\\\[|\$\$|\\begin\{([^}]*)\}")
_MATHJAX_ENDS = {"\\(": "\\)", "\\[": "\\]", "$$": "$$"}


def mathjax_formulas(stored_html: str) -> list[tuple[str, bool]]:
    """The formulas MathJax finds in a text Moodle's filter_mathjaxloader hands it: (TeX, display).

    Reproduces MathJax 2.7's tex2jax preprocessor (extensions/tex2jax.js) with the defaults
    Moodle's configuration leaves in place (filter/mathjaxloader/settings.php sets no tex2jax
    options): inline `\\(…\\)`; display `$$…$$` and `\\[…\\]`; `\\begin{env}…\\end{env}` outside
    delimiters (`processEnvironments`); no `\\$` escapes; the text of `script noscript style
    textarea pre code annotation annotation-xml` and of elements of class `tex2jax_ignore`
    (MathJax 3 and 4: `mathjax_ignore`) is skipped. A start delimiter is closed by its end in
    the same text node; inside, `\\x` pairs are skipped (`endPattern`).
    """
    if not stored_html.strip():
        return []
    holder = lxml.html.fragment_fromstring(stored_html, create_parent="div")
    found: list[tuple[str, bool]] = []

    def scan(element: Any, ignored: bool) -> None:
        if not ignored:
            found.extend(_mathjax_text(element.text or ""))
        for child in element:
            if isinstance(child.tag, str):
                skip = child.tag.lower() in _MATHJAX_SKIP
                if not skip:
                    scan(child, ignored or bool(_MATHJAX_IGNORE.search(child.get("class") or "")))
            if child.tail and not ignored:
                found.extend(_mathjax_text(child.tail))

    scan(holder, False)
    return found


def _mathjax_text(text: str) -> list[tuple[str, bool]]:
    found = []
    position = 0
    while (start := _MATHJAX_START.search(text, position)) is not None:
        begin = start.group(1) is not None
        end = f"\\end{{{start.group(1)}}}" if begin else _MATHJAX_ENDS[start.group()]
        ending = re.compile(re.escape(end) + r"|\\.", re.S)
        at = start.end()
        while (match := ending.search(text, at)) is not None and match.group() != end:
            at = match.end()
        if match is None:
            break  # an unclosed start: the rest of the node is not searched again
        tex = text[start.start() : match.end()] if begin else text[start.end() : match.start()]
        found.append((tex, begin or start.group() != "\\("))
        position = match.end()
    return found


_TEX_FILTER_RULES = [
    r"<tex(?:\s+alt=[\"'](.*?)[\"'])?>(.+?)<\/tex>",
    r"\$\$(.+?)\$\$",
    r"\\\[(.+?)\\\]",
    r"\\\((.+?)\\\)",
    r"\[tex\](.+?)\[\/tex\]",
]
_TEX_FILTER = re.compile("|".join(_TEX_FILTER_RULES), re.I | re.S)


def tex_filter_formulas(stored_html: str) -> list[str]:
    """The TeX expressions filter_tex finds in a text (filter/tex/classes/text_filter.php,
    `filter()`): runs of three or more `$` are first written as `&#x00024;`; the rules match
    the HTML source; `<span class="nolink">` and `<br>` are removed from the expression and its
    entities decoded (`html_entity_decode`)."""
    text = stored_html
    if not (
        re.search("<tex", text, re.I)
        or "$$" in text
        or "\\[" in text
        or "\\(" in text
        or re.search(r"\[tex", text, re.I)
    ):
        return []
    text += " "
    for match in re.finditer(r"\$(\$\$+?)([^\$])", text, re.S):
        text = text.replace(match.group(0), match.group(1).replace("$", "&#x00024;") + match.group(2))
    found = []
    for match in _TEX_FILTER.finditer(text):
        tex = "".join(group or "" for group in match.groups()[1:])
        for tag in ("<nolink>", "</nolink>", '<span class="nolink">', "</span>"):
            tex = tex.replace(tag, "")
        tex = re.sub(r"<br[ \t\n\r\f\v]*/?>", "", tex, flags=re.I)
        tex = html.unescape(tex)
        if tex:
            found.append(tex)
    return found


def glossary_definitions(data: bytes) -> dict[str, str]:
    """Each entry's definition as mod/glossary/import.php stores it: concept → the `DEFINITION`
    element's content, with `trusttext_strip()` removing the `#####TRUSTTEXT#####` marker."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    return {
        "".join(entry.xpath("CONCEPT/text()")): "".join(entry.xpath("DEFINITION/text()")).replace(
            "#####TRUSTTEXT#####", ""
        )
        for entry in root.iter("ENTRY")
    }


# --------------------------------------------------------------------------- cloze, key by key
#
# question/type/multianswer/questiontype.php, `qtype_multianswer_extract_question()` (the same
# code in Moodle 4.5 and 5.2): the arrays it fills for each gap ("wrapped" question), with
# PHP's keys, so that what the wrapped type's `save_question_options()` later reads can be
# checked key by key. PCRE's `(?<!\\|&|&amp;)` becomes one look-behind per branch.

_MA_FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
_MA_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
_MA_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_MA_ALTERNATIVE = f"({_MA_FRACTION})?({_MA_ANSWER})(#({_MA_FEEDBACK}))?"
_MA_TYPES = (
    "(NUMERICAL|NM)|(MULTICHOICE|MC)|(MULTICHOICE_V|MCV)|(MULTICHOICE_H|MCH)|"
    "(SHORTANSWER|SA|MW)|(SHORTANSWER_C|SAC|MWC)|"
    "(MULTICHOICE_S|MCS)|(MULTICHOICE_VS|MCVS)|(MULTICHOICE_HS|MCHS)|"
    "(MULTIRESPONSE|MR)|(MULTIRESPONSE_H|MRH)|(MULTIRESPONSE_S|MRS)|(MULTIRESPONSE_HS|MRHS)"
)
ANSWER_REGEX = re.compile(
    r"\{([0-9]*):(" + _MA_TYPES + r"):(" + _MA_ALTERNATIVE + "(~" + _MA_ALTERNATIVE + r")*)\}", re.S
)
_MA_NEXT = re.compile("~?" + _MA_ALTERNATIVE, re.S)
_MA_NUMBER = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
NUMERICAL_ALTERNATIVE_REGEX = re.compile(f"^({_MA_NUMBER})(:{_MA_NUMBER})?$", re.S)
_MA_QTYPES = ["numerical", *["multichoice"] * 3, "shortanswer", "shortanswer", *["multichoice"] * 7]
"""Groups 3..15 of ANSWER_REGEX → the wrapped question's qtype."""


def _php_groups(match: re.Match[str]) -> dict[int, str]:
    """What PHP's `preg_match()` puts in its `$matches`: unmatched groups are '' except trailing
    ones, which are absent (that is what `isset()` and `array_key_exists()` then see)."""
    groups = {0: match.group(0)}
    last = max((i for i in range(1, (match.re.groups or 0) + 1) if match.group(i) is not None), default=0)
    for i in range(1, last + 1):
        groups[i] = match.group(i) or ""
    return groups


def _html_entity_decode(text: str) -> str:
    """PHP's `html_entity_decode(…, ENT_QUOTES, 'UTF-8')`: references with their semicolon."""
    return re.sub(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);", lambda m: html.unescape(m.group(0)), text)


def multianswer_extract(text: str) -> list[dict[str, Any]]:
    """Each gap as `qtype_multianswer_extract_question()` leaves it: qtype and the arrays
    `answer`, `fraction`, `feedback` and `tolerance` (None when the property is never set),
    each a dict keyed as PHP keys it."""
    wrapped_list = []
    while (found := ANSWER_REGEX.search(text)) is not None:
        regs = _php_groups(found)
        qtype = next(_MA_QTYPES[i - 3] for i in range(3, 16) if regs.get(i))
        wrapped: dict[str, Any] = {"qtype": qtype, "answer": {}, "fraction": {}, "feedback": {}, "tolerance": None}
        remaining = regs[16]
        index = 0
        while (alt := _MA_NEXT.search(remaining)) is not None:
            altregs = _php_groups(alt)
            if altregs[1] == "=":
                wrapped["fraction"][index] = "1"
            elif altregs[2] not in ("", "0"):  # PHP: `if ($percentile = …)`, and '0' is false
                wrapped["fraction"][index] = 0.01 * float(altregs[2].replace(",", "."))
            else:
                wrapped["fraction"][index] = "0"
            feedback = _html_entity_decode(altregs.get(5, "")).replace("\\}", "}").replace("\\#", "#")
            wrapped["feedback"][index] = {"text": feedback, "format": 1}
            numbers = NUMERICAL_ALTERNATIVE_REGEX.search(altregs[3]) if qtype == "numerical" else None
            if numbers is not None:
                numregs = _php_groups(numbers)
                # `$wrapped->answer[] = …`: the next integer key, not `$answerindex`.
                wrapped["answer"][max(wrapped["answer"], default=-1) + 1] = numregs[1]
                if wrapped["tolerance"] is None:
                    wrapped["tolerance"] = {}
                wrapped["tolerance"][index] = numregs.get(6, 0)
            else:
                answer = _html_entity_decode(altregs[3]).replace("\\}", "}").replace("\\#", "#")
                wrapped["answer"][index] = answer
            remaining = remaining.split(alt.group(0), 1)[1]
            index += 1
        wrapped["defaultmark"] = regs[1] or "1"
        wrapped_list.append(wrapped)
        text = text.replace(found.group(0), "{#" + str(len(wrapped_list)) + "}", 1)
    return wrapped_list


def multianswer_save_warnings(wrapped: dict[str, Any]) -> list[str]:
    """The PHP warnings saving one gap raises: the keys the wrapped type's
    `save_question_options()` reads that `multianswer_extract` did not set.

    - question/type/numerical/questiontype.php `save_question_options()` reads, for every key
      of `answer`, `trim($question->tolerance[$key])` (line 229 in 4.5, 232 in 5.2; the undefined key is
      also a null passed to trim(), deprecated since PHP 8.1), and `fraction[$key]`
      and `feedback[$key]` when the answer is blank;
    - shortanswer and multichoice read `fraction[$key]` and `feedback[$key]` for every key;
    - `qtype_multianswer_validate_question()` reads `fraction[$key]` for every non-blank answer.
    """
    problems = []
    for key in wrapped["answer"]:
        for array in ("fraction", "feedback"):
            if key not in wrapped[array]:
                problems.append(f"Undefined array key {key} ({array})")
        if wrapped["qtype"] == "numerical":
            if wrapped["tolerance"] is None:
                problems.append("Undefined property: stdClass::$tolerance")
            elif key not in wrapped["tolerance"]:
                problems.append(f"Undefined array key {key} (tolerance)")
    return problems


# --------------------------------------------------------------------------- qformat_xml, key by key
#
# question/format/xml/format.php (the same in 4.5 and 5.2, but for the XML parser class): the
# reads of the import that index the parsed array directly instead of going through
# `getpath()` with a default, so that a missing element makes PHP log a warning (or, on a
# string where an array was expected, throw). qtype_ordering's `import_from_xml()` reads only
# through `getpath()`.

_DIRECT_READS: dict[str, list[str]] = {
    # `foreach ($question['#']['answer'] as …)`
    "multichoice": ["answer"],
    "truefalse": ["answer"],
    "shortanswer": ["answer"],
    "numerical": ["answer"],
    # `foreach ($question['#']['subquestion'] as …)`
    "match": ["subquestion"],
}


TEXT_FORMATS = ("moodle_auto_format", "html", "plain_text", "wiki_like", "markdown")
"""The names `qformat_xml::trans_format()` knows."""


def qformat_xml_import_warnings(question: Any) -> list[str]:
    """PHP warnings `qformat_xml::readquestions()` would log for one `<question>` element."""
    # qformat_xml::import_question(): `matching` or `match`, `cloze` or `multianswer`.
    qtype = {"matching": "match", "cloze": "multianswer"}.get(question.get("type"), question.get("type"))
    problems = []
    children = {child.tag for child in question if isinstance(child.tag, str)}
    for tag in _DIRECT_READS.get(qtype, []):
        if tag not in children:
            problems.append(f'Undefined array key "{tag}" (import_{qtype})')
    if qtype == "truefalse":  # `$answer['@']['fraction']`
        problems += [
            'Undefined array key "fraction" (import_truefalse)'
            for a in question.findall("answer")
            if "fraction" not in a.attrib
        ]
    if qtype == "category":  # import_category: `$question['#']['category'][0]['#']['text']`, info's @format
        if question.find("category/text") is None:
            problems.append('Undefined array key "category"/"text" (import_category)')
        info = question.find("info")
        if info is not None and (info.find("text") is None or "format" not in info.attrib):
            problems.append('Undefined array key "text"/"format" of <info> (import_category)')
    if qtype == "multianswer":
        # import_multianswer: `import_text($question['#']['name'][0]['#']['text'])` when <name> exists.
        if question.find("name") is not None and question.find("name/text") is None:
            problems.append('Undefined array key "text" of <name> (import_multianswer)')
        for number, wrapped in enumerate(multianswer_extract(_t(question, "questiontext/text")), 1):
            problems += [f"gap {number}: {p}" for p in multianswer_save_warnings(wrapped)]
    for element in question.iter():  # trans_format(): `debugging("Unrecognised text format …")`
        if isinstance(element.tag, str) and element.get("format") not in (None, *TEXT_FORMATS):
            problems.append(f"Unrecognised text format {element.get('format')!r} in <{element.tag}> (trans_format)")
    for hint in question.findall("hint"):  # import_hint: `array_key_exists(…, $hintxml['#'])`
        if not [c for c in hint if isinstance(c.tag, str)]:
            problems.append("<hint> without elements: $hintxml['#'] is a string (import_hint)")
    return problems


# --------------------------------------------------------------------------- glossary import
#
# mod/glossary/import.php (4.5 and 5.2): each entry's CONCEPT is PHP-`trim()`med; when the
# glossary has ALLOWDUPLICATEDENTRIES 0, an entry is rejected if the table already holds a
# concept equal to it, compared in SQL:
#   CASESENSITIVE 1: `concept = :concept`
#   CASESENSITIVE 0: `LOWER(concept) = :concept` with `core_text::strtolower($concept)`
#                    (mb_strtolower: Unicode full lower-case mapping, as Python's str.lower()).
# Aliases are inserted as they come (trimmed, skipped when PHP-empty): import never compares
# them. mod/glossary/lib.php `glossary_concept_exists()` uses the same LOWER comparison.
#
# The SQL comparison is the database's: `=` is byte equality on PostgreSQL (deterministic
# collations) and on MySQL's *_bin, but case- and accent-insensitive on MySQL's default
# utf8mb4_unicode_ci / utf8mb4_0900_ai_ci (µ = μ, ß = ss, fullwidth Ａ = A, İ = I); LOWER() only
# folds ASCII on PostgreSQL's C locale and folds per character (simple mapping) on a UTF-8 one.


def _simple_lower(text: str) -> str:
    """Per-character lower-case (libc towlower on a UTF-8 locale): one character each."""
    return "".join(c.lower() if len(c.lower()) == 1 else {"\u0130": "i"}.get(c, c) for c in text)


def _uca_primary(text: str) -> str:
    """MySQL utf8mb4_unicode_ci equality, approximated: compatibility-decomposed, accents and
    case ignored, ß = ss; trailing spaces ignored (PAD SPACE)."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold().rstrip(" ")


DATABASES: dict[str, tuple[Any, Any]] = {
    # name: (key for `=`, LOWER())
    "postgres-C": (lambda s: s, lambda s: re.sub("[A-Z]+", lambda m: m.group(0).lower(), s)),
    "postgres-utf8": (lambda s: s, _simple_lower),
    "mysql-bin": (lambda s: s.rstrip(" "), _simple_lower),
    "mysql-unicode_ci": (_uca_primary, _simple_lower),
}


def glossary_import(entries: list[tuple[str, bool]], database: str, allow_duplicates: bool = False) -> list[bool]:
    """For each (concept, casesensitive) in file order: whether mod/glossary/import.php stores it."""
    equal, lower = DATABASES[database]
    stored: list[str] = []
    out = []
    for concept, case_sensitive in entries:
        concept = concept.strip(PHP_TRIM)
        if concept in ("", "0"):  # `if ($newentry->concept and …)`: PHP-empty
            out.append(False)
            continue
        if not allow_duplicates:
            if case_sensitive:
                duplicate = any(equal(old) == equal(concept) for old in stored)
            else:
                duplicate = any(equal(lower(old)) == equal(concept.lower()) for old in stored)
            if duplicate:
                out.append(False)
                continue
        stored.append(concept)
        out.append(True)
    return out


def glossary_import_warnings(root: Any) -> list[str]:
    """PHP warnings mod/glossary/import.php would log: the elements it indexes directly."""
    problems = []
    info = root.find("INFO")
    for tag in ("NAME", "GLOBALGLOSSARY", "INTRO", "SHOWSPECIAL", "SHOWALPHABET", "SHOWALL"):
        if info is None or info.find(tag) is None:
            problems.append(f'Undefined array key "{tag}" (INFO)')
    for number, entry in enumerate(root.findall("INFO/ENTRIES/ENTRY"), 1):
        for tag in ("CONCEPT", "DEFINITION", "FORMAT"):
            if entry.find(tag) is None:
                problems.append(f'entry {number}: Undefined array key "{tag}"')
        for alias in entry.findall("ALIASES/ALIAS"):
            if alias.find("NAME") is None:
                problems.append(f"entry {number}: alias without NAME")
        for category in entry.findall("CATEGORIES/CATEGORY"):
            for tag in ("NAME", "USEDYNALINK"):
                if category.find(tag) is None:
                    problems.append(f"entry {number}: category without {tag}")
    return problems


# --------------------------------------------------------------------------- names


def php_strip_tags(text: str) -> str:
    """PHP's `strip_tags()` (ext/standard/string.c `php_strip_tags_ex`), which
    `clean_param(PARAM_TEXT)` applies to question and category names (lib/classes/param.php,
    question/format.php `clean_question_name()`): a `<` followed by white space is text; any other
    `<` opens a tag that ends at the next `>` outside quotes (and `<!--` a comment that ends at
    `-->`), dropped with everything in it, to the end of the text if it never ends. A `>` outside
    a tag is text."""
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "<" or (index + 1 < len(text) and text[index + 1] in " \t\n\r\x0b\x0c"):
            out.append(char)
            index += 1
            continue
        if text.startswith("<!--", index):
            end = text.find("-->", index + 4)
            index = len(text) if end < 0 else end + 3
            continue
        index += 1
        quote = ""
        while index < len(text):
            char = text[index]
            index += 1
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char == ">":
                break
    return "".join(out)


# --------------------------------------------------------------------------- PHP's XML parser

PHP_TRIM = " \t\n\r\0\x0b"
"""The characters PHP's trim() strips (not the no-break space)."""


class PhpError(Exception):
    """What PHP 8 throws (a TypeError or Error): the request dies."""


class PhpWarning(Exception):
    """What PHP 8 logs as a warning and goes on; raised here so tests can see it."""


class _Events:
    """A parser target that records the handler calls, one per libxml2 SAX callback."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, str]]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.events.append(("start", tag, dict(attrib)))

    def end(self, tag: str) -> None:
        self.events.append(("end", tag, {}))

    def data(self, text: str) -> None:
        self.events.append(("data", text, {}))

    def close(self) -> list[tuple[str, str, dict[str, str]]]:
        return self.events


def php_xml_events(data: bytes, chunk: int) -> list[tuple[str, str, dict[str, str]]]:
    """The handler calls PHP's `xml_parse()` makes for `data` fed `chunk` bytes at a time.

    PHP's xml extension is libxml2's push parser behind expat's API (php-src ext/xml/compat.c:
    `xmlCreatePushParserCtxt`, `xmlParseChunk`; the `characters` and `cdataBlock` SAX callbacks and
    predefined entities all go to the one character data handler). lxml's `feed()` drives the same
    libxml2 push parser and calls a target's `data()` once per SAX callback, so the character data
    arrives in the same pieces: each entity or character reference (`&amp;`, `&lt;`, `&#8212;`) is a
    piece of its own, each CDATA section is one piece (a long one spanning a chunk is cut).
    """
    parser = etree.XMLParser(target=_Events(), resolve_entities=False, no_network=True, load_dtd=False)
    for start in range(0, len(data), chunk):
        parser.feed(data[start : start + chunk])
    events: list[tuple[str, str, dict[str, str]]] = parser.close()
    return events


# --------------------------------------------------------------------------- xmlize


def _php_max_key(keys: list[int | str]) -> int | str:
    """PHP 8's `max()` over array keys: an int against a non-numeric string compares as strings."""

    def greater(a: int | str, b: int | str) -> bool:
        if isinstance(a, int) and isinstance(b, int):
            return a > b
        return str(a) > str(b)

    best = keys[0]
    for key in keys[1:]:
        if greater(key, best):
            best = key
    return best


def xmlize(data: bytes) -> dict[str, Any]:
    """What `xmlize($data, 0)` returns, PHP arrays as dicts (int or str keys, in order).

    Moodle 4.5: `xmlize()` and `core_xml_parser` in lib/xmlize.php. Moodle 5.2: the same code as
    `\\core\\xml_parser::parse()` in lib/classes/xml_parser.php (`xmlize()` is a deprecated wrapper).
    Glossary import (mod/glossary/lib.php `glossary_read_imported_file()`) and Moodle XML question
    import (question/format/xml/format.php `readquestions()`) read their files through it.

    `characterdata()` keeps a piece of character data only when `trim()` leaves something (or it is
    "0"), and concatenates the pieces it keeps: a piece that is only whitespace is lost, so
    `<em>a</em> b` written with entities (`&lt;/em&gt;`, ` `, `&lt;`…) loses the space between two
    references, while a CDATA section is one piece and keeps it. `endelement()` turns an element
    with nothing kept into `''` and one with a single piece into that string.
    """
    data = data.strip(PHP_TRIM.encode())
    xml: dict[str, Any] = {}
    current: dict[int, dict[Any, Any]] = {0: xml}
    holders: dict[int, tuple[dict[Any, Any], str]] = {}
    level = 0
    for kind, value, attrs in php_xml_events(data, 4096):  # parse(): 4096 bytes per xml_parse()
        if kind == "start":  # startelement()
            if level == 0:
                node: dict[Any, Any] = {"@": attrs, "#": {}}
                current[0][value] = node
            else:
                if not current[level].get(value):
                    current[level][value] = {}
                siblings = current[level][value]
                node = siblings.setdefault(len(siblings), {})
                if attrs:
                    node["@"] = attrs
                node["#"] = {}
            current[level + 1] = node["#"]
            holders[level + 1] = (node, "#")
            level += 1
        elif kind == "end":  # endelement()
            holder, key = holders[level]
            content = current[level]
            if not content:
                holder[key] = ""
            elif 0 in content and len(content) == 1:
                holder[key] = content[0]
            level -= 1
        elif value == "0" or value.strip(PHP_TRIM) != "":  # characterdata()
            content = current[level]
            if not content:
                content[0] = value
            else:
                last = _php_max_key(list(content))
                if isinstance(last, int):
                    if isinstance(list(content)[-1], int):
                        content[last] = content[last] + value
                    else:
                        content[last + 1] = value
                else:
                    content[0] = value
    return xml


def xmlize_leaves(tree: dict[str, Any]) -> dict[str, str]:
    """Each element's string value in an `xmlize()` tree, by `name[i]/name[j]/…` path."""
    out: dict[str, str] = {}

    def walk(node: dict[Any, Any], path: str) -> None:
        content = node["#"]
        if isinstance(content, str):
            out[path] = content
            return
        for name, occurrences in content.items():
            if isinstance(name, int):
                continue  # text beside child elements (mixed content)
            for index, child in occurrences.items():
                walk(child, f"{path}/{name}[{index}]")

    for name, root in tree.items():
        walk(root, f"{name}[0]")
    return out


# --------------------------------------------------------------------------- the backup reader


NULL = "$@NULL@$"
"""What Moodle's backup writes for SQL NULL; the users processor reads it back as null."""


def _dirname(path: str) -> str:
    return posixpath.dirname(path)


class GroupedProcessor:
    """Moodle's `grouped_parser_processor` over `simplified_parser_processor`
    (backup/util/xml/parser/processors/, the same in 4.5 and 5.2), collecting dispatched chunks.

    The start/end notifications, which only restore steps use, are left out.
    """

    def __init__(self, paths: list[str], grouped: list[str], null_decoding: bool = False) -> None:
        self.paths = list(paths) + list(grouped)
        self.parentpaths = [_dirname(p) for p in self.paths]
        self.grouped = set(grouped)
        self.parentsinfo: dict[str, dict[str, Any]] = {}
        self.currentdata: dict[str, dict[str, Any]] = {}
        self.null_decoding = null_decoding
        self.dispatched: list[dict[str, Any]] = []

    def process_cdata(self, cdata: str) -> str | None:
        """restore_users_parser_processor::process_cdata(): the NULL marker becomes null."""
        return None if self.null_decoding and cdata == NULL else cdata

    def selected(self, path: str) -> bool:
        return path in self.paths

    def selected_parent(self, path: str) -> bool:
        return path in self.parentpaths

    def grouped_parent(self, path: str) -> str | None:
        parent = _dirname(path)
        while parent not in ("/", ""):
            if parent in self.grouped:
                return parent
            parent = _dirname(parent)
        return None

    def process_chunk(self, data: dict[str, Any]) -> None:
        """simplified_parser_processor::process_chunk()."""
        path = data["path"]
        parentpath, tag = _dirname(path), posixpath.basename(path)
        if self.selected_parent(path) and "tags" in data:
            self.parentsinfo[path] = data["tags"]
        if not self.selected(path):
            return
        parent_tag = self.parentsinfo.get(parentpath, {}).get(tag)
        if isinstance(parent_tag, dict) and "attrs" in parent_tag:
            data["tags"] = {**parent_tag.pop("attrs"), **data["tags"]}
        all_whitespace = True
        for key, value in list(data["tags"].items()):
            if not isinstance(value, dict):  # an attribute
                all_whitespace = False
                continue
            # A tag that is itself a selected path or parent, null or starting with a line feed,
            # belongs to another chunk: it is dropped. An empty one (`<x></x>`) stays, as ''.
            elsewhere = self.selected(f"{path}/{key}") or self.selected_parent(f"{path}/{key}")
            if elsewhere and (value.get("cdata") is None or value["cdata"][:1] == "\n"):
                del data["tags"][key]
                continue
            data["tags"][key] = value.get("cdata")
            if all_whitespace and data["tags"][key] and data["tags"][key].strip(PHP_TRIM) != "":
                all_whitespace = False
        if data["tags"] and not all_whitespace:
            self.postprocess_chunk(data)

    def postprocess_chunk(self, data: dict[str, Any]) -> None:
        """grouped_parser_processor::postprocess_chunk()."""
        path = data["path"]
        if path in self.grouped:
            self.currentdata[path] = data
        elif (grouped := self.grouped_parent(path)) is not None:
            self.add_missing_sub(grouped, path, data["tags"])
        else:
            self.dispatched.append(data)

    def before_path(self, path: str) -> None:
        if path in self.grouped and path not in self.currentdata:
            self.currentdata[path] = {"path": path, "level": path.count("/") + 1, "tags": {}}

    def after_path(self, path: str) -> None:
        if path in self.grouped:
            self.dispatched.append(self.currentdata.pop(path))

    def add_missing_sub(self, grouped: str, path: str, tags: dict[str, Any]) -> None:
        """grouped_parser_processor::add_missing_sub(), with PHP's string-offset errors."""
        processed = posixpath.basename(path)
        info: Any = self.currentdata[grouped]["tags"]
        previous = ""
        for element in path.replace(grouped + "/", "", 1).split("/"):
            if element != processed and _php_isset(info, element):
                previous, info = element, info[element]
                continue
            if previous and isinstance(info, dict) and info:
                last = list(info)[-1]
                if isinstance(last, int):
                    info = info[last]
            if not _php_isset(info, element):
                if isinstance(info, str):
                    raise PhpError("Cannot access offset of type string on string")
                info[element] = {}
            if element == processed:
                occurrences = info[element]
                occurrences[len(occurrences)] = tags
            previous, info = element, info[element]


def _php_isset(value: Any, key: str) -> bool:
    return isinstance(value, dict) and value.get(key) is not None


def progressive_parse(data: bytes, processor: GroupedProcessor) -> list[dict[str, Any]]:
    """backup/util/xml/parser/progressive_parser.class.php over `data`, into `processor`.

    `start_tag()`, `end_tag()` and `char_data()` as written (4.5 and 5.2 differ only in a
    removed `xml_set_object()` call). The value of an element without children is all its
    character data (`end_tag()` joins every piece, whitespace included): `<x></x>` and `<x/>`
    are the string `''`; `<x>\\n  </x>` is `"\\n  "`, which the processor drops when `x` is a
    selected path or the parent of one (it is a container, and its children come in chunks of
    their own).
    """
    level = prevlevel = 0
    path = accum = ""
    topush: dict[str, Any] = {}
    currtag: dict[str, Any] = {}

    def publish(chunk: dict[str, Any]) -> None:
        processor.process_chunk(chunk)

    for kind, value, attrs in php_xml_events(data, 8192):  # process(): fread() 8192 bytes at a time
        if kind == "start":
            level += 1
            path += "/" + value
            accum = ""
            processor.before_path(path)
            if level > prevlevel:
                # The last non-empty repetition of a tag is kept; the parent's attributes go with it.
                pending = currtag and (currtag.get("attrs") or currtag.get("cdata") not in (None, "", "0"))
                if pending and not (
                    currtag["name"] in topush["tags"] and (currtag.get("cdata") or "").strip(PHP_TRIM) == ""
                ):
                    topush["tags"][currtag["name"]] = currtag
                if topush.get("tags"):
                    publish(topush)
                currtag, topush = {}, {}
            if not topush:
                topush = {"path": _dirname(path), "level": level, "tags": {}}
            currtag["name"] = value
            if attrs:
                currtag["attrs"] = attrs
            prevlevel = level
        elif kind == "end":
            if level == prevlevel:
                currtag["cdata"] = processor.process_cdata(accum)
                if not (currtag["name"] in topush["tags"] and (currtag["cdata"] or "").strip(PHP_TRIM) == ""):
                    topush["tags"][currtag["name"]] = currtag
                currtag = {}
            if level < prevlevel:
                if topush.get("tags"):
                    publish(topush)
                currtag, topush = {}, {}
            prevlevel = level
            processor.after_path(path)
            level -= 1
            path = _dirname(path)
        else:
            accum += value
    return processor.dispatched


def restore_users(data: bytes) -> list[dict[str, Any]]:
    """Each user of a users.xml as restore loads it into backup_ids_temp.

    backup/util/helper/restore_users_parser_processor.class.php (the same in 4.5 and 5.2): the
    user grouped with its custom fields, tags and preferences (role assignments and overrides are
    not read), NULL markers decoded.
    """
    processor = GroupedProcessor(
        ["/users/user/custom_fields/custom_field", "/users/user/tags/tag", "/users/user/preferences/preference"],
        grouped=["/users/user"],
        null_decoding=True,
    )
    return [chunk["tags"] for chunk in progressive_parse(data, processor)]


def _php_offset(value: Any, key: str) -> Any:
    """`$value[$key]` in PHP 8."""
    if isinstance(value, str):
        raise PhpError("Cannot access offset of type string on string")
    if not isinstance(value, dict):
        raise PhpWarning(f"Trying to access array offset on value of type {type(value).__name__}")
    if key not in value:
        raise PhpWarning(f'Undefined array key "{key}"')
    return value[key]


def _php_foreach(value: Any) -> list[Any]:
    if not isinstance(value, dict):
        raise PhpWarning("foreach() argument must be of type array|object")
    return list(value.values())


def create_included_user(user: dict[str, Any]) -> dict[str, list[Any]]:
    """What `restore_dbops::create_included_users()` (backup/util/dbops/restore_dbops.class.php,
    the same in 4.5 and 5.2) does with the arrays of a user it must create, because the site
    does not have it: the custom field rows, tag names and preference rows it inserts.

    It tests each of `custom_fields`, `tags` and `preferences` with `isset()` and then loops over
    `$user->custom_fields['custom_field']` (and so on): a string there is a fatal TypeError.
    """
    created: dict[str, list[Any]] = {"custom_fields": [], "tags": [], "preferences": []}
    if user.get("deleted") not in (None, "", "0"):
        return created
    if user.get("custom_fields") is not None:
        for field in _php_foreach(_php_offset(user["custom_fields"], "custom_field")):
            if field.get("field_data") not in (None, "", "0"):
                created["custom_fields"].append(field)
    if user.get("tags") is not None:  # core_tag_tag::is_enabled('core', 'user'): on by default
        for tag in _php_foreach(_php_offset(user["tags"], "tag")):
            created["tags"].append(_php_offset(tag, "rawname"))
    if user.get("preferences") is not None:
        for preference in _php_foreach(_php_offset(user["preferences"], "preference")):
            created["preferences"].append(preference)
    return created


# --------------------------------------------------------------------------- short-answer grading


PHP_TRIM = " \t\n\r\0\x0b"
"""PHP's `trim()` characters; `PARAM_RAW_TRIMMED` (the response's type) removes no others."""


def moodle_compare_string_with_wildcard(string: str, pattern: str, ignorecase: bool) -> bool:
    """question/type/shortanswer/question.php, `qtype_shortanswer_question::compare_string_with_wildcard`.

    `safe_normalize` (NFC) on both; the pattern broken on unescaped runs of `*`
    (`preg_split('/(?<!\\\\)\\*+/')`), `\\*` unescaped in each bit, each bit `preg_quote`d, the
    bits joined by `.*` into `|^…$|u` (plus `i` unless the question uses case), matched
    against `trim($string)`.
    """
    import unicodedata

    pattern = unicodedata.normalize("NFC", pattern) if pattern else ""
    string = unicodedata.normalize("NFC", string) if string else ""
    bits = re.split(r"(?<!\\)\*+", pattern)
    regexp = "^" + ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits) + "$"
    return re.search(regexp, string.strip(PHP_TRIM), re.IGNORECASE if ignorecase else 0) is not None


def moodle_shortanswer_grade(
    response: str, answers: list[tuple[str, float]], usecase: bool
) -> tuple[int | None, float]:
    """The answer Moodle grades a typed `response` with, and the fraction it earns.

    question/type/questionbase.php, `question_first_matching_answer_grading_strategy::grade`:
    the answers in their order, the first for which `compare_response_with_answer` is true
    wins; none matching earns 0. The response is `PARAM_RAW_TRIMMED`
    (`qtype_shortanswer_question::get_expected_data`), so it arrives trimmed. The same holds
    for a short-answer gap of a cloze question (qtype_multianswer wraps a shortanswer question,
    `usecase` 1 for `SHORTANSWER_C`/`SAC`).
    """
    response = response.strip(PHP_TRIM)
    for index, (pattern, fraction) in enumerate(answers):
        if moodle_compare_string_with_wildcard(response, pattern, not usecase):
            return index, fraction
    return None, 0.0


# --------------------------------------------------------------------------- SCORM upload


def scorm_manifest_titles(data: bytes) -> list[str]:
    """The titles Moodle's SCORM upload stores from `imsmanifest.xml`, in document order.

    mod/scorm/datamodels/scormlib.php (4.5 and 5.2 alike): `xml2Array::parse()` gives the whole
    file to one `xml_parse()` call; `tagdata()` keeps a piece of character data only when
    `trim($tagdata)` is not empty, appending it to the last tag opened, and `scorm_get_manifest()`
    stores each `TITLE` block's `tagData` (or `''`) as the organization's or item's title.
    """
    stack: list[dict[str, Any]] = []
    titles: list[dict[str, Any]] = []
    for kind, value, _attrs in php_xml_events(data, max(len(data), 1)):
        if kind == "start":
            tag: dict[str, Any] = {"name": etree.QName(value).localname.upper()}
            stack.append(tag)
            if tag["name"] == "TITLE":
                titles.append(tag)
        elif kind == "end":
            stack.pop()
        elif value.strip(" \t\n\r\0\x0b") and stack:
            stack[-1]["tagData"] = stack[-1].get("tagData", "") + value
    return [tag.get("tagData", "") for tag in titles]


# --------------------------------------------------------------------------- links between activities, as restore decodes them


RESTORE_DECODE_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "PAGEVIEWBYID": ("/mod/page/view.php?id=$1", ("course_module",)),
    "PAGEINDEX": ("/mod/page/index.php?id=$1", ("course",)),
    "BOOKVIEWBYID": ("/mod/book/view.php?id=$1", ("course_module",)),
    "BOOKVIEWBYIDCH": ("/mod/book/view.php?id=$1&amp;chapterid=$2", ("course_module", "book_chapter")),
    "BOOKINDEX": ("/mod/book/index.php?id=$1", ("course",)),
}
"""Some of the rules restore's link decoder applies: linkname → (URL template, the mapping of
each `*<id>`). mod/page/backup/moodle2/restore_page_activity_task.class.php and
mod/book/backup/moodle2/restore_book_activity_task.class.php, `define_decode_rules()` (4.5)."""

RESTORE_DECODED_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("course", "summary"),
        ("course_sections", "summary"),
        ("page", "intro"),
        ("page", "content"),
        ("book", "intro"),
        ("book_chapters", "content"),
        ("glossary", "intro"),
        ("glossary_entries", "definition"),
        ("question", "questiontext"),
        ("question", "generalfeedback"),
        ("question_answers", "answer"),
        ("question_answers", "feedback"),
        ("qtype_multichoice_options", "correctfeedback"),
        ("qtype_multichoice_options", "partiallycorrectfeedback"),
        ("qtype_multichoice_options", "incorrectfeedback"),
        ("qtype_match_options", "correctfeedback"),
        ("qtype_match_options", "partiallycorrectfeedback"),
        ("qtype_match_options", "incorrectfeedback"),
        ("qtype_match_subquestions", "questiontext"),
        ("qtype_essay_options", "graderinfo"),
    }
)
"""(table, field) of the texts restore passes through its link decoder, those of the kinds a
course holds, as Moodle 4.5 decodes them.
`restore_decode_processor::register_link_decoders()` (backup/util/helper/) gathers the
`define_decode_contents()` of restore_course_task, restore_section_task (backup/moodle2/),
every restore_<mod>_activity_task (mod/page, mod/book, mod/glossary: backup/moodle2/) and,
through `restore_plugin::get_restore_decode_contents('qtype')`, those of the question types'
restore plugins (question/type/<type>/backup/moodle2/restore_qtype_<type>_plugin.class.php):

- `restore_qtype_plugin::define_plugin_decode_contents()` (backup/moodle2/), for every type:
  question text and general feedback, answers and their feedback;
- `restore_qtype_multichoice_plugin::define_decode_contents()`: the three combined feedback
  fields of qtype_multichoice_options;
- `restore_qtype_match_plugin::define_decode_contents()`: the three of qtype_match_options
  and the subquestions' text (qtype_match_subquestions.questiontext);
- `restore_qtype_essay_plugin::define_decode_contents()`: qtype_essay_options.graderinfo.

restore_qtype_ordering_plugin has no `define_decode_contents()`: its combined feedback
(qtype_ordering_options) is restored as written, and so are the truefalse, shortanswer,
numerical and multianswer plugins' own records. A question's hints (`question_hints.hint`) are
not decoded in 4.5; Moodle 5.2's `restore_qtype_plugin::define_plugin_decode_contents()` adds
them (the rest is the same in 5.2), which a backup for 4.1 to 5.x cannot count on.

A content is decoded only in the rows whose mapping (its third argument) restore made: each
of these types' `process_<element>()` sets it when it creates the row
(`qtype_multichoice_options`, `qtype_match_options`, `qtype_match_subquestions`,
`qtype_essay`)."""


def decode_links(content: str, mappings: dict[str, dict[int, int]], source: str, target: str) -> str:
    """What restore makes of a decoded text: `restore_decode_processor::decode_content()` skips
    a text without `$@`, then each rule (`restore_decode_rule::decode()`, backup/util/helper/)
    replaces every `$@<LINKNAME>*<id>[*<id>]@$` by its template with the new ids from
    `mappings` (item name → old id → new id) behind the `target` site's address, or, when one
    mapping is missing, with the old ids behind the `source` site's address."""
    if "$@" not in content:
        return content
    for linkname, (template, items) in RESTORE_DECODE_RULES.items():
        pattern = re.compile(r"\$@" + linkname + r"\*(\d+)" * len(items) + r"@\$")

        def replace(match: re.Match[str], template: str = template, items: tuple[str, ...] = items) -> str:
            old = [int(group) for group in match.groups()]
            new = [mappings.get(item, {}).get(value) for item, value in zip(items, old, strict=True)]
            found = all(value is not None for value in new)
            url = template
            for number, value in enumerate(new if found else old, start=1):
                url = url.replace(f"${number}", str(value))
            return (target if found else source) + url

        content = pattern.sub(replace, content)
    return content
