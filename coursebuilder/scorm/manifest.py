"""`imsmanifest.xml` for SCORM 1.2 and SCORM 2004 4th Edition, built with lxml.

Both versions describe the same package plan; they differ in namespaces, metadata schema,
attribute spelling (`adlcp:scormtype` / `adlcp:scormType`) and how mastery is declared
(1.2 `adlcp:masteryscore` on the item; 2004 a primary objective satisfied by measure).
2004 sequencing is kept to what Moodle handles: flow navigation, content-set completion and
objectives, objectives local to the package.
"""

from __future__ import annotations

from typing import Any, NamedTuple, cast

from lxml import etree
from lxml.builder import ElementMaker  # type: ignore[import-not-found]  # lxml-stubs has no lxml.builder

from coursebuilder.exchange.text import set_text
from coursebuilder.markdown import render
from coursebuilder.model import CourseInfo
from coursebuilder.scorm.html import plain_text
from coursebuilder.scorm.quiz import number

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"

NS12 = {
    None: "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
    "imsmd": "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1",
    "xsi": XSI,
}
SCHEMAS12 = (
    (NS12[None], "imscp_rootv1p1p2.xsd"),
    (NS12["imsmd"], "imsmd_rootv1p2p1.xsd"),
    (NS12["adlcp"], "adlcp_rootv1p2.xsd"),
)

NS2004 = {
    None: "http://www.imsglobal.org/xsd/imscp_v1p1",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
    "imsss": "http://www.imsglobal.org/xsd/imsss",
    "lom": "http://ltsc.ieee.org/xsd/LOM",
    "xsi": XSI,
}
SCHEMAS2004 = (
    (NS2004[None], "imscp_v1p1.xsd"),
    (NS2004["adlcp"], "adlcp_v1p3.xsd"),
    (NS2004["adlseq"], "adlseq_v1p3.xsd"),
    (NS2004["imsss"], "imsss_v1p0.xsd"),
    (NS2004["lom"], "lom.xsd"),
)


class Sco(NamedTuple):
    """One launchable unit: the whole course, a lesson, or the final quiz."""

    key: str
    """Identifier suffix, derived from the course or lesson id (e.g. `L-welcome`)."""
    title: str
    href: str
    files: tuple[str, ...]
    mastery: float | None = None
    """Passing percent when a quiz score decides the outcome, else None."""
    lesson: bool = False
    """A lesson SCO in the multi-SCO structure: it completes, it never passes or fails."""


class PackagePlan(NamedTuple):
    """What a manifest lists: the course, its SCOs, shared files and schema files."""

    info: CourseInfo
    scos: tuple[Sco, ...]
    common: tuple[str, ...]
    schemas: tuple[str, ...] = ()

    def listed_files(self) -> list[str]:
        """Every file the manifest lists (all files of the package but the manifest)."""
        names = {name for sco in self.scos for name in sco.files}
        return sorted(names | set(self.common) | set(self.schemas))


def _element(built: Any) -> etree._Element:
    """ElementMaker results, typed (the stubs do not cover `lxml.builder`)."""
    return cast(etree._Element, built)


def _ids(plan: PackagePlan) -> tuple[str, str]:
    return f"MANIFEST-{plan.info.id}", f"ORG-{plan.info.id}"


def _lang(language: str) -> dict[str, str]:
    return {f"{{{XML_NS}}}lang": language}


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _rights(info: CourseInfo) -> str:
    parts = []
    if info.license:
        parts.append(f"License: {info.license}.")
    if info.source is not None:
        src = info.source
        credit = ", ".join(p for p in (src.title, src.author, src.publisher, src.date, src.url) if p)
        parts.append(f"Based on: {credit}." + (f" {src.note}" if src.note else ""))
    return " ".join(parts)


def _title(maker: Any, text: str) -> etree._Element:
    """An organization's or item's `<title>`, as Moodle's SCORM upload reads it back unchanged.

    mod/scorm/datamodels/scormlib.php `xml2Array::tagdata()` drops each piece of character data
    that is only whitespace, and every entity reference is a piece of its own: the space in
    `R&amp;D &amp; &lt;lab&gt;` would be lost. A CDATA section is one piece (`set_text`).
    """
    element = cast(etree._Element, maker.title())
    set_text(element, text)
    return element


def _summary(info: CourseInfo) -> str:
    """The course summary as plain text: metadata fields hold no markup."""
    return plain_text(render(info.summary, math="mathml"))  # formulas as their TeX


def _vcard(name: str) -> str:
    clean = name.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", " ")
    return f"BEGIN:VCARD\nVERSION:2.1\nFN:{clean}\nEND:VCARD"


# ------------------------------------------------------------------------------ SCORM 1.2


def manifest_12(plan: PackagePlan) -> bytes:
    """The SCORM 1.2 manifest (IMS CP 1.1.2, ADL CP 1.2, IMS MD 1.2.1 metadata)."""
    E = ElementMaker(namespace=NS12[None], nsmap=NS12)
    A = ElementMaker(namespace=NS12["adlcp"], nsmap=NS12)
    info = plan.info
    manifest_id, org_id = _ids(plan)
    items = []
    for sco in plan.scos:
        item = E.item(_title(E, sco.title), identifier=f"ITEM-{sco.key}", identifierref=f"RES-{sco.key}")
        if sco.mastery is not None:
            item.append(A.masteryscore(number(sco.mastery)))
        items.append(item)
    resources = [_resource_12(E, sco.key, sco.href, sco.files, "sco", ["COMMON"]) for sco in plan.scos]
    resources.append(_resource_12(E, "COMMON", None, plan.common, "asset", []))
    if plan.schemas:
        resources.append(_resource_12(E, "SCHEMAS", None, plan.schemas, "asset", []))
    root = E.manifest(
        E.metadata(E.schema("ADL SCORM"), E.schemaversion("1.2"), _lom_12(info)),
        E.organizations(E.organization(_title(E, info.title), *items, identifier=org_id), default=org_id),
        E.resources(*resources),
        identifier=manifest_id,
        version=info.version,
    )
    root.set(f"{{{XSI}}}schemaLocation", " ".join(f"{ns} {loc}" for ns, loc in SCHEMAS12))
    return _serialize(root)


def _resource_12(
    E: ElementMaker, key: str, href: str | None, files: tuple[str, ...], kind: str, deps: list[str]
) -> etree._Element:
    res = E.resource(
        *[E.file(href=name) for name in files],
        *[E.dependency(identifierref=f"RES-{dep}") for dep in deps],
        identifier=f"RES-{key}",
        type="webcontent",
    )
    res.set(f"{{{NS12['adlcp']}}}scormtype", kind)
    if href is not None:
        res.set("href", href)
    return _element(res)


def _lom_12(info: CourseInfo) -> etree._Element:
    M = ElementMaker(namespace=NS12["imsmd"], nsmap=NS12)
    lang = info.language

    def text(value: str, language: str | None = lang) -> etree._Element:
        return _element(M.langstring(value, **(_lang(language) if language else {})))

    def vocab(value: str) -> list[etree._Element]:
        return [_element(M.source(text("LOMv1.0", "x-none"))), _element(M.value(text(value, "x-none")))]

    general = M.general(M.title(text(info.title)), M.language(lang))
    if info.summary:
        general.append(M.description(text(_summary(info))))
    for keyword in info.keywords:
        general.append(M.keyword(text(keyword)))
    lifecycle = M.lifecycle(M.version(text(info.version)))
    for author in info.authors:
        lifecycle.append(M.contribute(M.role(*vocab("Author")), M.centity(M.vcard(_vcard(author)))))
    lom = M.lom(general, lifecycle)
    rights = _rights(info)
    if rights:
        lom.append(M.rights(M.copyrightandotherrestrictions(*vocab("yes")), M.description(text(rights))))
    return _element(lom)


# ------------------------------------------------------------------------------ SCORM 2004


def manifest_2004(plan: PackagePlan) -> bytes:
    """The SCORM 2004 4th Edition manifest (IMS CP 1.1.4, ADL CP/SEQ 1.3, IMS SS, IEEE LOM)."""
    E = ElementMaker(namespace=NS2004[None], nsmap=NS2004)
    S = ElementMaker(namespace=NS2004["imsss"], nsmap=NS2004)
    info = plan.info
    manifest_id, org_id = _ids(plan)
    items = [_item_2004(E, S, sco, info.id) for sco in plan.scos]
    organization = E.organization(
        _title(E, info.title),
        *items,
        S.sequencing(S.controlMode(choice="true", flow="true")),
        identifier=org_id,
    )
    organization.set(f"{{{NS2004['adlseq']}}}objectivesGlobalToSystem", "false")
    resources = [_resource_2004(E, sco.key, sco.href, sco.files, "sco", ["COMMON"]) for sco in plan.scos]
    resources.append(_resource_2004(E, "COMMON", None, plan.common, "asset", []))
    if plan.schemas:
        resources.append(_resource_2004(E, "SCHEMAS", None, plan.schemas, "asset", []))
    root = E.manifest(
        E.metadata(E.schema("ADL SCORM"), E.schemaversion("2004 4th Edition"), _lom_2004(info)),
        E.organizations(organization, default=org_id),
        E.resources(*resources),
        identifier=manifest_id,
        version=info.version,
    )
    root.set(f"{{{XSI}}}schemaLocation", " ".join(f"{ns} {loc}" for ns, loc in SCHEMAS2004))
    return _serialize(root)


def _item_2004(E: ElementMaker, S: ElementMaker, sco: Sco, course_id: str) -> etree._Element:
    sequencing = S.sequencing()
    if sco.lesson:
        # A lesson only completes: without this its unknown success would keep the course
        # from ever being satisfied in LMSs that roll objectives up.
        sequencing.append(S.rollupRules(rollupObjectiveSatisfied="false"))
    if sco.mastery is not None:
        sequencing.append(
            S.objectives(
                S.primaryObjective(
                    S.minNormalizedMeasure(number(sco.mastery / 100)),
                    objectiveID=f"OBJ-{course_id}-{sco.key}",
                    satisfiedByMeasure="true",
                )
            )
        )
    sequencing.append(S.deliveryControls(completionSetByContent="true", objectiveSetByContent="true"))
    return _element(
        E.item(_title(E, sco.title), sequencing, identifier=f"ITEM-{sco.key}", identifierref=f"RES-{sco.key}")
    )


def _resource_2004(
    E: ElementMaker, key: str, href: str | None, files: tuple[str, ...], kind: str, deps: list[str]
) -> etree._Element:
    res = E.resource(
        *[E.file(href=name) for name in files],
        *[E.dependency(identifierref=f"RES-{dep}") for dep in deps],
        identifier=f"RES-{key}",
        type="webcontent",
    )
    res.set(f"{{{NS2004['adlcp']}}}scormType", kind)
    if href is not None:
        res.set("href", href)
    return _element(res)


def _lom_2004(info: CourseInfo) -> etree._Element:
    L = ElementMaker(namespace=NS2004["lom"], nsmap=NS2004)
    lang = info.language

    def text(value: str) -> etree._Element:
        return _element(L.string(value, language=lang))

    def vocab(value: str) -> list[etree._Element]:
        return [_element(L.source("LOMv1.0")), _element(L.value(value))]

    general = L.general(L.title(text(info.title)), L.language(lang))
    if info.summary:
        general.append(L.description(text(_summary(info))))
    for keyword in info.keywords:
        general.append(L.keyword(text(keyword)))
    lifecycle = L.lifeCycle(L.version(text(info.version)))
    for author in info.authors:
        lifecycle.append(L.contribute(L.role(*vocab("author")), L.entity(_vcard(author))))
    lom = L.lom(general, lifecycle)
    rights = _rights(info)
    if rights:
        lom.append(L.rights(L.copyrightAndOtherRestrictions(*vocab("yes")), L.description(text(rights))))
    return _element(lom)
