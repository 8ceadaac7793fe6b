"""Independent oracles of what Moodle's and Canvas's Common Cartridge 1.1 importers make of a cartridge.

Written from the importers' source, not from our writer (nothing here imports `coursebuilder`):

Moodle 4.5, `backup/cc/` (the `imscc11` converter, `backup/converter/imscc11/lib.php`, runs it):
- `cc2moodle.php`: `create_instances` (organization items and question-bank resources, by depth;
  depth 2 = `ROOT_DEEP` makes a section), `create_node_course_sections_section`,
  `create_node_course_sections_section_mods_mod`, `convert_to_moodle_type`, `get_item_cc_type`;
- `cc112moodle.php`: the 1.1 resource types and namespaces;
- `entities.class.php`: `prepare_content`, `update_sources`, `full_path`; `entities11.class.php`:
  `get_external_xml`, `get_all_files`;
- `entity11.resource.class.php`: `cc11_resource::create_node_course_modules_mod_resource`
  (web content with an .html href becomes a Page of its body; files it references by a path
  that exists become course files);
- `entity11.quiz.class.php`, `cc11_quiz`: `generate_instances`, `get_questions`,
  `get_question_type`, `get_defaultgrade`, `get_general_feedback`, `get_feedback`,
  `get_answers`, `get_score`, `get_answers_fib`, and the true/false check of
  `create_node_course_question_categories_question_category_question_true_false`.

Canvas, `lib/cc/importer/standard/`: `converter.rb` (`SUPPORTED_TYPES`, `replace_urls`,
`get_canvas_att_replacement_url`, `find_file_migration_id`), `webcontent_converter.rb`
(`create_file_map`), `org_converter.rb` (`convert_organizations`, `add_children`,
`process_item`), `quiz_converter.rb` (`convert_quizzes`: every `imsqti` resource).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
NS = {"imscc": CP, "xmlns": QTI}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)

CC_TYPE_QUIZ = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"
CC_TYPE_QUESTION_BANK = "imsqti_xmlv1p2/imscc_xmlv1p1/question-bank"
CC_TYPE_WEBCONTENT = "webcontent"
CC_TYPE_ASSOCIATED_CONTENT = "associatedcontent/imscc_xmlv1p1/learning-application-resource"
RESTYPES = (CC_TYPE_ASSOCIATED_CONTENT, CC_TYPE_WEBCONTENT)
"""`cc112moodle::$restypes`: the resources whose files `get_all_files` copies."""
ROOT_DEEP = 2
MOODLE_TYPES = {
    "imsdt_xmlv1p1": "forum",
    CC_TYPE_QUIZ: "quiz",
    "imswl_xmlv1p1": "resource",
    CC_TYPE_WEBCONTENT: "resource",
    CC_TYPE_ASSOCIATED_CONTENT: "resource",
    CC_TYPE_QUESTION_BANK: "question_bank",
    "": "label",
}
"""`cc2moodle::convert_to_moodle_type` (as extended by `cc112moodle`)."""
QUESTION_TYPES = {
    "cc.multiple_choice.v0p1": "multichoice",
    "cc.multiple_response.v0p1": "multichoice",
    "cc.true_false.v0p1": "truefalse",
    "cc.essay.v0p1": "essay",
    "cc.fib.v0p1": "shortanswer",
    "cc.pattern_match.v0p1": "shortanswer",
}
"""`cc11_quiz::get_question_type`: the `cc_profile` values Moodle imports; any other item is skipped."""


class MoodleImportError(Exception):
    """Where Moodle's importer throws `coding_exception` and the restore fails."""


@dataclass
class Answer:
    ident: str
    title: str
    score: float
    feedback: str
    case: int = 0


@dataclass
class MoodleQuestion:
    ident: str
    name: str
    qtype: str
    cc_type: str
    text: str
    defaultgrade: int
    general_feedback: str
    answers: list[Answer]


@dataclass
class Activity:
    kind: str
    """`page` (web content with an .html href), `file`, `quiz`, `label`, ..."""
    title: str
    resource: str


@dataclass
class MoodleCourse:
    title: str
    sections: list[tuple[str, list[Activity]]]
    quizzes: dict[str, list[MoodleQuestion]]
    """Questions of each quiz, by resource identifier (questions of banks included)."""
    banks: list[str]
    course_files: set[str]
    pages: dict[str, str] = field(default_factory=dict)
    """The HTML of each Page, by resource identifier, with course-file references rewritten."""


def _xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, _PARSER)


def _text(nodes: list[etree._Element] | object) -> str:
    """`!empty($list->item(0)->nodeValue) ? ... : ''`."""
    if isinstance(nodes, list) and nodes:
        first = nodes[0]
        value = first if isinstance(first, str) else "".join(first.itertext())
        return str(value)
    return ""


def moodle_detects_cc11(files: dict[str, bytes]) -> bool:
    """`imscc11_converter::detect_format` (`backup/converter/imscc11/lib.php`): the first 1024
    bytes of `imsmanifest.xml`, lower-cased, without white space and quotes, must declare the
    CC 1.1 namespace as the default one."""
    snippet = files["imsmanifest.xml"][:1024].decode("utf-8", "replace").lower()
    snippet = re.sub(r"\s*", "", snippet).replace("'", "").replace('"', "")
    return "xmlns=http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1" in snippet


def moodle_import(files: dict[str, bytes]) -> MoodleCourse:
    """What restoring the cartridge in Moodle creates (sections, activities, questions, files)."""
    if not moodle_detects_cc11(files):
        raise MoodleImportError("Moodle does not recognise the file as a Common Cartridge 1.1")
    manifest = _xml(files["imsmanifest.xml"])
    resources = {
        r.get("identifier"): r for r in manifest.xpath("/imscc:manifest/imscc:resources/imscc:resource", namespaces=NS)
    }
    title = _text(
        manifest.xpath(
            "/imscc:manifest/imscc:metadata/*[local-name()='lom']/*[local-name()='general']/*[local-name()='title']/*[local-name()='string']",
            namespaces=NS,
        )
    )

    # create_instances: a flat index of (depth, root parent, type, title, resource)
    index: list[dict[str, object]] = []

    def walk(items: list[etree._Element], level: int, root: int) -> None:
        level += 1
        for node in items:
            if etree.QName(node).localname == "item":
                ref = node.get("identifierref", "")
                titles = node.xpath("imscc:title", namespaces=NS)
                name = "".join(titles[0].itertext()) if titles else ""
                cc_type = resources[ref].get("type", "") if ref in resources else ""
                moodle_type = MOODLE_TYPES.get(cc_type, "[UNKNOWN]")
                if not ref and not name:
                    moodle_type = "[UNKNOWN]"
            else:
                ref = node.get("identifier", "")
                cc_type = node.get("type", "")
                moodle_type = MOODLE_TYPES.get(cc_type, "[UNKNOWN]")
                name = "Quiz Bank"
            position = len(index) + 1
            if level == ROOT_DEEP:
                root = position
            index.append(
                {
                    "pos": position,
                    "deep": level,
                    "root": root,
                    "type": moodle_type,
                    "cc": cc_type,
                    "title": name,
                    "ref": ref,
                }
            )
            walk(node.xpath("imscc:item", namespaces=NS), level, root)

    top = manifest.xpath(
        f"/imscc:manifest/imscc:organizations/imscc:organization/imscc:item | /imscc:manifest/imscc:resources/imscc:resource[@type='{CC_TYPE_QUESTION_BANK}']",
        namespaces=NS,
    )
    walk(top, 0, 0)

    sections: list[tuple[str, list[Activity]]] = []
    pages: dict[str, str] = {}
    for topic in (entry for entry in index if entry["deep"] == ROOT_DEEP):
        summary = str(topic["title"]) if topic["type"] == "label" else ""
        activities = []
        for child in (entry for entry in index if entry["root"] == topic["pos"]):
            if child["type"] == "label" and child["pos"] == child["root"]:
                continue  # the section's own title is its summary
            kind = str(child["type"])
            ref = str(child["ref"])
            if kind == "resource" and child["cc"] == CC_TYPE_WEBCONTENT:
                href = _resource_href(resources[ref])
                if href.lower().endswith((".html", ".htm", ".xhtml")):
                    kind = "page"
                    pages[ref] = _page_content(files, href)
                else:
                    kind = "file"
            activities.append(Activity(kind, str(child["title"]), ref))
        sections.append((summary, activities))

    quizzes: dict[str, list[MoodleQuestion]] = {}
    banks: list[str] = []
    for entry in index:
        if entry["type"] not in ("quiz", "question_bank"):
            continue
        ref = str(entry["ref"])
        qti_file = _text(resources[ref].xpath("imscc:file/@href", namespaces=NS))  # get_external_xml
        if not qti_file:
            continue
        questions = _questions(_xml(files[qti_file]), php_dirname(qti_file), entry["type"] == "question_bank")
        if questions:  # generate_instances keeps only assessments with questions
            quizzes[ref] = questions
            if entry["type"] == "question_bank":
                banks.append(ref)
    return MoodleCourse(title, sections, quizzes, banks, _all_files(manifest), pages)


def _resource_href(resource: etree._Element) -> str:
    href = resource.get("href") or ""
    if not href:
        href = _text(resource.xpath("imscc:file/@href", namespaces=NS))
    return href


def _all_files(manifest: etree._Element) -> set[str]:
    """`entities11::get_all_files`: the non-HTML files of web content, copied to the course files."""
    found = set()
    for cc_type in RESTYPES:
        for href in manifest.xpath(
            f"/imscc:manifest/imscc:resources/imscc:resource[@type='{cc_type}']/imscc:file/@href", namespaces=NS
        ):
            if not str(href).lower().endswith((".html", ".htm", ".xhtml")):
                found.add(str(href))
    return found


_BODY = re.compile(r"<body[^>]*>(.+)</body>", re.I | re.S)


def _page_content(files: dict[str, bytes], href: str) -> str:
    """`prepare_content` (the body), then each relative reference that names an existing file
    (resolved from the page's folder) becomes `$@FILEPHP@$/<path>`; the others stay as they are."""
    text = files[href].decode("utf-8")
    found = _BODY.search(text)
    body = found.group(1) if found else text
    folder = posixpath.dirname(href)
    document = lxml_html.fromstring(f"<div>{body}</div>")
    for attribute in ("href", "src", "background", "archive", "code"):
        for element in document.xpath(f"//*[@{attribute}][not(contains(@{attribute},'://'))]"):
            value = element.get(attribute)
            target = posixpath.normpath(posixpath.join(folder, value))
            if target in files:  # realpath() of an existing file; a `#fragment` never is one
                element.set(attribute, "$@FILEPHP@$/" + target)
    return lxml_html.tostring(document, encoding="unicode")


def update_sources(html: str, root_path: str) -> str:
    """`entities::update_sources`: img src and a href without a scheme, made course-file paths."""
    document = lxml_html.fromstring(f"<div>{html}</div>")
    for tag, attribute in (("img", "src"), ("a", "href")):
        for element in document.iter(tag):
            value = element.get(attribute, "")
            if not re.match(r"^[a-z][a-z0-9+.-]*:", value, re.I):
                value = value.replace("$IMS-CC-FILEBASE$", "")
                element.set(attribute, "$@FILEPHP@$/" + full_path(f"{root_path}/{value}"))
    return lxml_html.tostring(document, encoding="unicode")


def php_dirname(path: str) -> str:
    """PHP's `dirname`: `.` for a name without a folder."""
    folder = posixpath.dirname(path)
    return folder or "."


def full_path(path: str, sep: str = "/") -> str:
    """`entities::full_path`: walk the path from its end, dropping `.`, and a part before each `..`."""
    path = path.replace("$IMS-CC-FILEBASE$", "")
    if not path:
        return ""
    rtemp = path.strip()
    start = path.rfind(sep)
    go_on = start != -1
    result = "" if go_on else path
    rcount = 0
    while go_on:
        part = rtemp[start + 1 :] if start != -1 else rtemp
        if part != ".":
            if part == "..":
                rcount += 1
            elif rcount > 0:
                rcount -= 1
            else:
                result = part if result == "" else part + sep + result
        rtemp = path[: max(start, 0)]
        start = rtemp.rfind(sep)
        go_on = start != -1 or len(rtemp) > 0
    return result


def _questions(doc: etree._Element, root_path: str, is_bank: bool) -> list[MoodleQuestion]:
    path = (
        "/xmlns:questestinterop/xmlns:objectbank/xmlns:item"
        if is_bank
        else "/xmlns:questestinterop/xmlns:assessment/xmlns:section/xmlns:item"
    )
    out = []
    for item in doc.xpath(path, namespaces=NS):
        ident = item.get("ident", "")
        if not ident:
            continue
        cc_type = ""
        for fld in item.xpath("xmlns:itemmetadata/xmlns:qtimetadata/xmlns:qtimetadatafield", namespaces=NS):
            if _text(fld.xpath("xmlns:fieldlabel", namespaces=NS)) == "cc_profile":
                cc_type = _text(fld.xpath("xmlns:fieldentry", namespaces=NS))
        qtype = QUESTION_TYPES.get(cc_type, "")
        if not qtype:
            continue
        texts = item.xpath("xmlns:presentation/xmlns:flow/xmlns:material/xmlns:mattext", namespaces=NS) or item.xpath(
            "xmlns:presentation/xmlns:material/xmlns:mattext", namespaces=NS
        )
        text = update_sources(_text(texts), root_path)
        question = MoodleQuestion(
            ident=ident,
            name=item.get("title", ""),
            qtype=qtype,
            cc_type=cc_type,
            text=text,
            defaultgrade=_defaultgrade(item),
            general_feedback=_general_feedback(item),
            answers=_answers(item, cc_type),
        )
        if qtype == "truefalse":
            _check_true_false(question)
        out.append(question)
    return out


def _defaultgrade(item: etree._Element) -> int:
    """`get_defaultgrade`: `(int)` of `cc_weighting` when 0..99, else 1."""
    found = item.xpath(".//xmlns:qtimetadatafield[xmlns:fieldlabel='cc_weighting']/xmlns:fieldentry", namespaces=NS)
    if found:
        match = re.match(r"\s*[+-]?\d+", found[0].text or "")
        value = int(match.group()) if match else 0
        if 0 <= value <= 99:
            return value
    return 1


def _feedback_texts(item: etree._Element, idents: list[str]) -> str:
    text = ""
    for ident in idents:
        found = item.xpath(
            f"xmlns:itemfeedback[@ident='{ident}']/xmlns:flow_mat/xmlns:material/xmlns:mattext", namespaces=NS
        )
        value = _text(found)
        text += value + " " if value else ""
    return text


def _general_feedback(item: etree._Element) -> str:
    idents = []
    for condition in item.xpath("xmlns:resprocessing/xmlns:respcondition", namespaces=NS):
        if (condition.get("continue") or "").lower() == "yes":
            idents += [
                f.get("linkrefid")
                for f in condition.xpath("xmlns:displayfeedback", namespaces=NS)
                if f.get("linkrefid")
            ]
    return _feedback_texts(item, idents)


def _conditions(item: etree._Element) -> list[etree._Element]:
    return list(item.xpath("xmlns:resprocessing/xmlns:respcondition", namespaces=NS))


def _first_varequal(condition: etree._Element) -> str:
    return _text(condition.xpath("xmlns:conditionvar/xmlns:varequal", namespaces=NS))


def _answer_feedback(item: etree._Element, ident: str, cc_type: str) -> str:
    """`get_feedback`: the feedback of conditions whose first varequal names the answer."""
    idents = []
    for condition in _conditions(item):
        if _first_varequal(condition).lower() == ident.lower() or cc_type == "cc.essay.v0p1":
            idents += [
                f.get("linkrefid")
                for f in condition.xpath("xmlns:displayfeedback", namespaces=NS)
                if f.get("linkrefid")
            ]
    return _feedback_texts(item, idents)


def _score(item: etree._Element, ident: str) -> float:
    """`get_score`: 1 when the last condition naming the answer sets a non-empty, non-"0" score."""
    score = ""
    for condition in _conditions(item):
        if _first_varequal(condition).lower() == ident.lower():
            score = _text(condition.xpath("xmlns:setvar", namespaces=NS))
    return 0.0 if score in ("", "0") else 1.0


def _answers(item: etree._Element, cc_type: str) -> list[Answer]:
    if cc_type == "cc.fib.v0p1":
        return _answers_fib(item)
    if cc_type == "cc.pattern_match.v0p1":
        raise NotImplementedError("pattern match items are not written by coursebuilder")
    if cc_type == "cc.essay.v0p1":
        labels = item.xpath("xmlns:presentation/xmlns:flow/xmlns:response_str", namespaces=NS) or item.xpath(
            "xmlns:presentation/xmlns:response_str", namespaces=NS
        )
        return [
            Answer(lab.get("ident", ""), "", 0.0, _answer_feedback(item, lab.get("ident", ""), cc_type))
            for lab in labels
        ]
    labels = item.xpath(
        "xmlns:presentation/xmlns:flow/xmlns:response_lid/xmlns:render_choice/xmlns:response_label", namespaces=NS
    ) or item.xpath("xmlns:presentation/xmlns:response_lid/xmlns:render_choice/xmlns:response_label", namespaces=NS)
    right: dict[str, bool] = {}
    share = 0.0
    if cc_type == "cc.multiple_response.v0p1":
        found = item.xpath(
            ".//xmlns:setvar[@varname='SCORE'][.=100]/../xmlns:conditionvar//xmlns:varequal[@case='Yes'][not(parent::xmlns:not)]",
            namespaces=NS,
        )
        if found:
            share = round(1.0 / len(found), 7)
            right = {"".join(node.itertext()): True for node in found}
    answers = []
    for label in labels:
        ident = label.get("ident", "")
        score = _score(item, ident)
        if cc_type == "cc.multiple_response.v0p1" and ident in right:
            score = share
        answers.append(
            Answer(
                ident,
                _text(label.xpath("xmlns:material/xmlns:mattext", namespaces=NS)),
                score,
                _answer_feedback(item, ident, cc_type),
            )
        )
    return answers


def _answers_fib(item: etree._Element) -> list[Answer]:
    """`get_answers_fib`: the varequals of the first condition whose setvar is "100" are right
    (score 1, case-insensitive); every other condition with a varequal is a wrong answer."""
    answers: dict[str, Answer] = {}
    right = item.xpath("xmlns:resprocessing/xmlns:respcondition/xmlns:setvar[text()='100']/..", namespaces=NS)
    if right:
        for node in right[0].xpath("xmlns:conditionvar/xmlns:varequal", namespaces=NS):
            title = "".join(node.itertext())
            if title:
                answers[title] = Answer(title, title, 1.0, "")
    wrong = []
    for condition in _conditions(item):
        setvar = condition.xpath("xmlns:setvar", namespaces=NS)
        if setvar and (setvar[0].text or "") == "100":
            continue
        equal = condition.xpath("xmlns:conditionvar/xmlns:varequal", namespaces=NS)
        if not equal:
            continue
        title = "".join(equal[0].itertext())
        ids = [
            f.get("linkrefid") for f in condition.xpath("xmlns:displayfeedback", namespaces=NS) if f.get("linkrefid")
        ]
        if title not in answers:  # (Moodle's typo `$correctanswerfib` drops a right answer's feedback)
            wrong.append(Answer(title, title, 0.0, _feedback_texts(item, ids)))
    return [*answers.values(), *wrong]


def _check_true_false(question: MoodleQuestion) -> None:
    idents = [answer.ident for answer in question.answers]
    for ident in idents:
        if ident not in ("true", "false"):
            raise MoodleImportError(
                f"Unknown answer identifier detected in true/false quiz question with id {question.ident}"
            )
    if "true" not in idents or "false" not in idents:
        raise MoodleImportError(
            f"Unable to correctly identify the true and false answers in the question with id {question.ident}"
        )


# ------------------------------------------------------------------------------ Canvas

SUPPORTED_TYPES = re.compile(
    r"assessment\Z|\Aassignment|\Aimswl|\Aimsbasiclti|\Aimsdt|webcontent|learning-application-resource\Z"
)
"""`CC::Importer::Standard::Converter::SUPPORTED_TYPES`."""


@dataclass
class CanvasModule:
    title: str
    items: list[tuple[str, str, str]]
    """(linked resource type, title, resource identifier): `ASSESSMENT`, `FILE_TYPE`, `WIKIPAGE`..."""


def canvas_modules(files: dict[str, bytes], pages_as_wiki: bool = False) -> list[CanvasModule]:
    """`convert_organizations`: a module per folder item under the root; items pointing at web
    content become files (or wiki pages with the `common_cartridge_page_conversion` feature),
    at an assessment quizzes; a resource of another type (a question bank) gives no item."""
    manifest = _xml(files["imsmanifest.xml"])
    resources = {r.get("identifier"): r for r in manifest.iter(f"{{{CP}}}resource")}
    modules = []
    misc: CanvasModule | None = None
    for node in manifest.xpath("imscc:organizations/imscc:organization/imscc:item/imscc:item", namespaces=NS):
        if node.get("identifierref"):
            entry = _canvas_item(node, resources, pages_as_wiki)
            if entry is not None:
                if misc is None:
                    misc = CanvasModule("Misc Module", [])
                    modules.append(misc)
                misc.items.append(entry)
            continue
        titles = node.xpath("imscc:title", namespaces=NS)
        module = CanvasModule("".join(titles[0].itertext()) if titles else "", [])
        for child in node.xpath("imscc:item", namespaces=NS):
            entry = _canvas_item(child, resources, pages_as_wiki)
            if entry is not None:
                module.items.append(entry)
        modules.append(module)
    return modules


def _canvas_item(
    node: etree._Element, resources: dict[str | None, etree._Element], pages_as_wiki: bool
) -> tuple[str, str, str] | None:
    ref = node.get("identifierref")
    resource = resources.get(ref)
    if resource is None:
        return None
    kind = resource.get("type", "")
    title = "".join(node.xpath("imscc:title", namespaces=NS)[0].itertext())
    if re.search(r"assessment\Z", kind):
        return ("ASSESSMENT", title, str(ref))
    if re.search(r"webcontent|learning-application-resource\Z", kind):
        return ("WIKIPAGE" if pages_as_wiki else "FILE_TYPE", title, str(ref))
    return None


def canvas_files(files: dict[str, bytes]) -> set[str]:
    """`create_file_map`: every file of every web content resource becomes a course file."""
    manifest = _xml(files["imsmanifest.xml"])
    found = set()
    for resource in manifest.iter(f"{{{CP}}}resource"):
        if resource.get("type") == CC_TYPE_WEBCONTENT or (resource.get("type") or "").startswith("associatedcontent"):
            if resource.get("href"):
                found.add(str(resource.get("href")))
            found |= {str(f.get("href")) for f in resource.iter(f"{{{CP}}}file") if f.get("href")}
    return {name.removeprefix("web_resources/").lstrip("/") for name in found}


def canvas_quiz_files(files: dict[str, bytes]) -> list[str]:
    """`convert_quizzes`: the QTI file of every `imsqti` resource (assessments and question banks)."""
    manifest = _xml(files["imsmanifest.xml"])
    out = []
    for resource in manifest.iter(f"{{{CP}}}resource"):
        if "imsqti" in (resource.get("type") or ""):
            out.append(str(resource.get("href") or next(resource.iter(f"{{{CP}}}file")).get("href")))
    return out


def canvas_resolves(url: str, course_files: set[str]) -> bool:
    """`get_canvas_att_replacement_url`: a relative URL (leading `../` and `/` dropped) is made a
    link to a course file when it names one exactly or as the end of one."""
    path = re.sub(r"\$IMS[-_]CC[-_]FILEBASE\$", "", url)
    while path.startswith("../"):
        path = path[3:]
    path = path.lstrip("/")
    return path in course_files or any(name.endswith(path) for name in course_files)


@dataclass
class CanvasQuestion:
    ident: str
    qtype: str
    """`multiple_choice_question`, `multiple_answers_question`, `short_answer_question`, `essay_question`."""
    right: list[str]
    """Identifiers of the right choices, or the accepted texts."""
    points: float


def canvas_questions(qti: bytes) -> list[CanvasQuestion]:
    """What Canvas makes of each item of an assessment or question bank.

    QTIMigrationTool (`lib/imsqtiv1.py`, `ResProcessing.AddRespCondition`) turns the
    respconditions into QTI 2 response conditions: one with `continue="Yes"` stands alone; one
    with `continue="No"` opens a chain (`responseIf`) that the next `continue="No"` ones join as
    `responseElseIf`s (a `continue="Yes"` after a chain would go into its `else`: not modelled,
    refused here). `<other/>` becomes `true`. `cc_weighting` becomes the points (`CCWeighting`).
    A `render_fib` holding only response labels becomes an extended text interaction (`RenderFib`).
    Then `choice_interaction.rb` (`process_response_conditions`, `get_response_weight`,
    `set_question_type`) and `extended_text_interaction.rb` (`process_response_conditions`).
    """
    doc = _xml(qti)
    out = []
    for item in doc.iter(f"{{{QTI}}}item"):
        points_text = item.xpath(
            ".//xmlns:qtimetadatafield[xmlns:fieldlabel='cc_weighting']/xmlns:fieldentry", namespaces=NS
        )
        points = float(points_text[0].text) if points_text else 1.0
        chains: list[list[etree._Element]] = []
        open_chain = False
        for condition in _conditions(item):
            go_on = (condition.get("continue") or "No").lower() == "yes"
            if go_on:
                if open_chain:
                    raise NotImplementedError("a continuing respcondition after a chain goes into its else")
                chains.append([condition])
            elif open_chain:
                chains[-1].append(condition)
            else:
                chains.append([condition])
                open_chain = True
        if item.xpath("xmlns:presentation//xmlns:response_lid", namespaces=NS):
            out.append(_canvas_choice(item, chains, points))
        else:
            texts: list[str] = []
            for condition in _conditions(item):
                for equal in condition.iter(f"{{{QTI}}}varequal"):
                    text = "".join(equal.itertext())
                    if text and text not in texts:
                        texts.append(text)
            out.append(
                CanvasQuestion(
                    item.get("ident", ""), "short_answer_question" if texts else "essay_question", texts, points
                )
            )
    return out


def _sets_score(branch: etree._Element) -> bool:
    """`get_response_weight`: right when the branch sets SCORE to a positive number."""
    return any(
        float((s.text or "0").strip() or 0) > 0
        for s in branch.xpath("xmlns:setvar", namespaces=NS)
        if (s.get("varname") or "SCORE") == "SCORE"
    )


def _canvas_choice(item: etree._Element, chains: list[list[etree._Element]], points: float) -> CanvasQuestion:
    labels = [str(label.get("ident")) for label in item.iter(f"{{{QTI}}}response_label")]
    weight = dict.fromkeys(labels, 0)
    for chain in chains:
        first = chain[0]
        members = first.xpath("xmlns:conditionvar/xmlns:and/xmlns:varequal", namespaces=NS)
        if members:  # `responseIf and > member`: the chain's other branches are not read
            for member in members:
                weight["".join(member.itertext()).strip()] = 100
            continue
        for branch in chain:
            found = branch.xpath("xmlns:conditionvar//xmlns:varequal", namespaces=NS)
            if found:
                name = "".join(found[0].itertext()).strip()
                if name in weight:
                    weight[name] = 100 if _sets_score(branch) else 0
    right = [name for name in labels if weight[name] > 0]
    qtype = "multiple_choice_question" if len(right) == 1 else "multiple_answers_question"
    return CanvasQuestion(item.get("ident", ""), qtype if right else "import_error", right, points)
