"""A module becomes a SCORM zip that validates against the SCORM schemas."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from deesc_lms.api_errors import DeescError
from deesc_lms.calls.models import Utterance
from deesc_lms.packaging.models import Package
from deesc_lms.packaging.services import package_export
from scenarios.models import Drill
from scenarios.services import module_build
from tests.factories import EscalationFlagFactory, ModuleFactory, UtteranceFactory
from tests.packaging.xsd import validate

pytestmark = pytest.mark.django_db


def _module():
    flag = EscalationFlagFactory(time_s=70.0, excerpt="This is the third time I'm calling about this exact charge.")
    UtteranceFactory(
        call=flag.call, index=0, role=Utterance.Role.AGENT, start_s=58, end_s=68, text="It's billed per line."
    )
    UtteranceFactory(
        call=flag.call,
        index=1,
        role=Utterance.Role.CUSTOMER,
        start_s=70,
        end_s=79,
        text="No. This is the third time I'm calling about this exact charge.",
    )
    return module_build(flag=flag)


@pytest.mark.parametrize(("standard", "schema_dir"), [("scorm12", "scorm12"), ("scorm2004", "scorm2004-4th")])
def test_package_has_a_valid_manifest_at_its_root(standard: str, schema_dir: str, shared_data: Path) -> None:
    module = _module()
    package = package_export(module=module, standard=standard)
    with package.file.open("rb") as fh:
        zf = zipfile.ZipFile(io.BytesIO(fh.read()))
    names = zf.namelist()
    assert "imsmanifest.xml" in names and "index.html" in names and "module.js" in names
    assert validate(zf.read("imsmanifest.xml"), shared_data / "scorm-xsd" / schema_dir) == []
    player = json.loads(zf.read("module.js").decode().removeprefix("window.DEESC_MODULE = ").rstrip(";\n"))
    kinds = [d["kind"] for d in player["drills"]]
    assert kinds == ["step"] * 5 + ["combined"]
    assert player["drills"][0]["customer_line"].startswith("No. This is the third time")
    assert player["grade_url"].endswith(f"/api/packages/{package.token}/attempts")
    assert package.size_bytes == len(package.file.open("rb").read())


def test_every_file_in_the_zip_is_listed_in_the_manifest(shared_data: Path) -> None:
    package = package_export(module=_module(), standard=Package.Standard.SCORM12)
    zf = zipfile.ZipFile(package.file.path)
    manifest = zf.read("imsmanifest.xml").decode()
    for name in zf.namelist():
        if name != "imsmanifest.xml":
            assert f'href="{name}"' in manifest


def test_module_without_drills_is_refused() -> None:
    module = ModuleFactory()
    with pytest.raises(DeescError, match="no drills"):
        package_export(module=module)
    assert not Package.objects.exists()


def test_unknown_standard_is_refused() -> None:
    with pytest.raises(DeescError, match="Unknown package standard"):
        package_export(module=_module(), standard="cmi9")


def test_module_build_makes_five_steps_combined_and_roleplay() -> None:
    module = _module()
    drills = list(module.drills.order_by("order"))
    assert [d.step for d in drills[:5]] == [1, 2, 3, 4, 5]
    assert [d.rubric_slug for d in drills] == [
        "step-1-pause",
        "step-2-acknowledge",
        "step-3-restate",
        "step-4-resolve",
        "step-5-next-steps",
        "combined",
        "combined",
    ]
    assert drills[5].kind == Drill.Kind.COMBINED and drills[6].kind == Drill.Kind.ROLEPLAY
    assert "[0:58] Agent: It's billed per line." in drills[0].context
    assert drills[6].persona["opening"].startswith("This is the third time")
    clip = module.clips.get()
    assert clip.start_s == 50.0 and clip.end_s >= 79.0
    # Building again from the same flag returns the same module.
    assert module_build(flag=module.source_flag).pk == module.pk
