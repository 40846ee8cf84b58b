"""imsmanifest.xml writers for SCORM 1.2 and SCORM 2004 4th edition: plain Python, no Django.

One module is one SCO: the player inside reports a single score (the mean of the drills' best
scores) and passed/failed against the module's threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

XSI = "http://www.w3.org/2001/XMLSchema-instance"

SCORM12_NS = {
    None: "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
    "imsmd": "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1",
    "xsi": XSI,
}
SCORM12_LOCATIONS = (
    "http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd "
    "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd "
    "http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd"
)
SCORM2004_NS = {
    None: "http://www.imsglobal.org/xsd/imscp_v1p1",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
    "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
    "imsss": "http://www.imsglobal.org/xsd/imsss",
    "xsi": XSI,
}
SCORM2004_LOCATIONS = (
    "http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd "
    "http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd "
    "http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd "
    "http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd "
    "http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd"
)


@dataclass(frozen=True)
class ManifestSpec:
    identifier: str  # an XML NCName
    title: str
    launch: str  # the SCO's entry page
    files: Sequence[str]
    mastery_score: int  # 0..100


def _q(ns: dict[str | None, str], prefix: str | None, tag: str) -> str:
    return f"{{{ns[prefix]}}}{tag}"


def _manifest(
    spec: ManifestSpec,
    ns: dict[str | None, str],
    locations: str,
    schemaversion: str,
    scormtype: str,
    item_extra: Callable[[etree._Element], None],
) -> bytes:
    """The structure both editions share: metadata, one organization with one item, one SCO resource."""
    root = etree.Element(_q(ns, None, "manifest"), nsmap=ns, identifier=spec.identifier, version="1.0")
    root.set(f"{{{XSI}}}schemaLocation", locations)
    metadata = etree.SubElement(root, _q(ns, None, "metadata"))
    etree.SubElement(metadata, _q(ns, None, "schema")).text = "ADL SCORM"
    etree.SubElement(metadata, _q(ns, None, "schemaversion")).text = schemaversion
    orgs = etree.SubElement(root, _q(ns, None, "organizations"), default="org-1")
    org = etree.SubElement(orgs, _q(ns, None, "organization"), identifier="org-1")
    etree.SubElement(org, _q(ns, None, "title")).text = spec.title
    item = etree.SubElement(org, _q(ns, None, "item"), identifier="item-1", identifierref="sco-1")
    etree.SubElement(item, _q(ns, None, "title")).text = spec.title
    item_extra(item)
    resources = etree.SubElement(root, _q(ns, None, "resources"))
    resource = etree.SubElement(
        resources, _q(ns, None, "resource"), identifier="sco-1", type="webcontent", href=spec.launch
    )
    resource.set(_q(ns, "adlcp", scormtype), "sco")
    for name in spec.files:
        etree.SubElement(resource, _q(ns, None, "file"), href=name)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def scorm12(spec: ManifestSpec) -> bytes:
    def mastery(item: etree._Element) -> None:
        etree.SubElement(item, _q(SCORM12_NS, "adlcp", "masteryscore")).text = str(spec.mastery_score)

    return _manifest(spec, SCORM12_NS, SCORM12_LOCATIONS, "1.2", "scormtype", mastery)


def scorm2004(spec: ManifestSpec) -> bytes:
    def mastery(item: etree._Element) -> None:
        ns = SCORM2004_NS
        sequencing = etree.SubElement(item, _q(ns, "imsss", "sequencing"))
        objectives = etree.SubElement(sequencing, _q(ns, "imsss", "objectives"))
        primary = etree.SubElement(
            objectives, _q(ns, "imsss", "primaryObjective"), objectiveID="mastery", satisfiedByMeasure="true"
        )
        etree.SubElement(primary, _q(ns, "imsss", "minNormalizedMeasure")).text = f"{spec.mastery_score / 100:.2f}"

    return _manifest(spec, SCORM2004_NS, SCORM2004_LOCATIONS, "2004 4th Edition", "scormType", mastery)
