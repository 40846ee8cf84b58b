"""Validate a manifest against the SCORM schemas in ../shared/data/scorm-xsd, offline."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

XSI_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"


def validate(manifest_xml: bytes, schema_dir: Path) -> list[str]:
    """Errors (empty when valid), from a driver schema importing each namespace the manifest names."""
    doc = etree.fromstring(manifest_xml)
    parts = doc.get(XSI_LOCATION, "").split()
    imports = "".join(
        f'<xs:import namespace="{parts[i]}" schemaLocation="{(schema_dir / parts[i + 1]).as_uri()}"/>'
        for i in range(0, len(parts), 2)
    )
    driver = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    schema = etree.XMLSchema(etree.fromstring(driver.encode()))
    if schema.validate(doc):
        return []
    return [str(e) for e in schema.error_log]
