"""`imsmanifest.xml` of a Common Cartridge 1.1 (the CC profile of IMS CP 1.2, with IEEE LOM).

The organization is the one rooted hierarchy the profile allows: a root item without a
title, a folder item per lesson (and one for the glossary) holding the page and the quiz.
Moodle's importer (`backup/cc/cc2moodle.php`, `create_instances`) makes a course section of
each item on the second level and an activity of each item below it; Canvas's
(`lib/cc/importer/standard/org_converter.rb`) makes a module of each folder item under the root.
The question bank is a resource no item refers to, as the profile requires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from lxml import etree
from lxml.builder import ElementMaker  # type: ignore[import-not-found]  # lxml-stubs has no lxml.builder

from coursebuilder.model import CourseInfo
from coursebuilder.scorm.manifest import _rights, _summary, _vcard

CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
LOM_NS = "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest"
NSMAP = {None: CP_NS, "lomimscc": LOM_NS}

WEBCONTENT = "webcontent"
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"
QUESTION_BANK = "imsqti_xmlv1p2/imscc_xmlv1p1/question-bank"


@dataclass(frozen=True)
class Resource:
    """A resource of the manifest: its files (the first is `href` for web content) and dependencies."""

    identifier: str
    type: str
    files: tuple[str, ...]
    href: str | None = None
    dependencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """An item of the organization: a folder (children, no resource) or a link to one resource."""

    identifier: str
    title: str
    resource: str | None = None
    children: tuple[Item, ...] = field(default=())


def _el(built: Any) -> etree._Element:
    return cast(etree._Element, built)


def manifest(info: CourseInfo, items: Sequence[Item], resources: Sequence[Resource]) -> bytes:
    """The cartridge's manifest; identifiers derive from the course id, so they stay the same."""
    E = ElementMaker(namespace=CP_NS, nsmap=NSMAP)

    def item(node: Item) -> etree._Element:
        attributes = {"identifier": node.identifier}
        if node.resource is not None:
            attributes["identifierref"] = node.resource
        return _el(E.item(E.title(node.title), *[item(child) for child in node.children], **attributes))

    def resource(res: Resource) -> etree._Element:
        attributes = {"identifier": res.identifier, "type": res.type}
        if res.href is not None:
            attributes["href"] = res.href
        return _el(
            E.resource(
                *[E.file(href=name) for name in res.files],
                *[E.dependency(identifierref=dep) for dep in res.dependencies],
                **attributes,
            )
        )

    root = E.manifest(
        E.metadata(E.schema("IMS Common Cartridge"), E.schemaversion("1.1.0"), _lom(info)),
        E.organizations(
            E.organization(
                E.item(*[item(node) for node in items], identifier="ROOT"),
                identifier=f"ORG_{info.id}",
                structure="rooted-hierarchy",
            )
        ),
        E.resources(*[resource(res) for res in resources]),
        identifier=f"MANIFEST_{info.id}",
    )
    return etree.tostring(_el(root), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _lom(info: CourseInfo) -> etree._Element:
    """Title, language, description, keywords, authors and licence, as LOM the profile allows."""
    L = ElementMaker(namespace=LOM_NS, nsmap=NSMAP)
    lang = info.language

    def text(value: str) -> etree._Element:
        return _el(L.string(value, language=lang))

    general = L.general(L.title(text(info.title)), L.language(lang))
    if info.summary:
        general.append(L.description(text(_summary(info))))
    for keyword in info.keywords:
        general.append(L.keyword(text(keyword)))
    lom = L.lom(general)
    if info.authors:
        lom.append(
            L.lifeCycle(*[L.contribute(L.role(L.value("author")), L.entity(_vcard(author))) for author in info.authors])
        )
    rights = _rights(info)
    if rights:
        lom.append(L.rights(L.copyrightAndOtherRestrictions(L.value("yes")), L.description(text(rights))))
    return _el(lom)
