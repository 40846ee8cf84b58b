"""A SCORM package played in a real browser against the scorm-again runtime, like an LMS would.

The LMS page (served from its own origin) sets window.API from scorm-again and opens the package in
an iframe; the learner answers a drill; the player sends the answer to deesc (a live server on
another origin), shows the feedback, and writes the score and status into the SCORM data model.
"""

from __future__ import annotations

import shutil
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from deesc_lms.packaging.services import package_export
from rubrics.services import rubrics_load_defaults
from scenarios.models import Attempt
from tests.browser import chrome
from tests.packaging.test_export import _module

ROOT = Path(__file__).resolve().parents[2]
LAUNCH_PAGES = {
    "scorm12": ("scorm12.js", "window.API = new Scorm12API({logLevel: 5});"),
    "scorm2004": ("scorm2004.js", "window.API_1484_11 = new Scorm2004API({logLevel: 5});"),
}


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def lms_origin(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static web server standing in for the LMS's origin."""
    root = tmp_path / "lms"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("standard", ["scorm12", "scorm2004"])
def test_learner_answer_is_graded_and_reported_to_the_lms(standard, live_server, settings, lms_origin) -> None:
    settings.DEESC_PUBLIC_URL = live_server.url
    rubrics_load_defaults()
    package = package_export(module=_module(), standard=standard)
    origin, root = lms_origin
    with zipfile.ZipFile(package.file.path) as zf:
        zf.extractall(root / "pkg")
    runtime, create_api = LAUNCH_PAGES[standard]
    shutil.copy(ROOT / "node_modules" / "scorm-again" / "dist" / runtime, root / runtime)
    (root / "launch.html").write_text(
        f'<!doctype html><script src="{runtime}"></script><script>{create_api}</script>'
        '<iframe id="sco" src="pkg/index.html" style="width:900px;height:1400px"></iframe>'
    )
    good = (
        "I can hear how frustrating it is to call three times about the same charge. So you were charged forty "
        "dollars twice for one line. I'm refunding the duplicate charge now, and you'll see it by Friday."
    )
    with chrome() as browser:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        browser.get(f"{origin}/launch.html")
        browser.switch_to.frame("sco")
        drills = WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, "li.drill"))
        combined = drills[5]
        assert "All five steps together" in combined.text
        combined.find_element(By.TAG_NAME, "textarea").send_keys(good)
        combined.find_element(By.TAG_NAME, "button").click()
        WebDriverWait(browser, 60).until(ec.text_to_be_present_in_element((By.ID, "status"), "Saved."))
        result = combined.find_element(By.CLASS_NAME, "result").text
        assert "/100" in result
        browser.switch_to.default_content()
        if standard == "scorm12":
            raw = browser.execute_script("return window.API.LMSGetValue('cmi.core.score.raw')")
            lesson = browser.execute_script("return window.API.LMSGetValue('cmi.core.lesson_status')")
            assert lesson == "incomplete"  # one of six drills answered
        else:
            raw = browser.execute_script("return window.API_1484_11.GetValue('cmi.score.raw')")
            assert browser.execute_script("return window.API_1484_11.GetValue('cmi.completion_status')") == "incomplete"
    attempt = Attempt.objects.get()
    grade = attempt.grades.get()
    assert attempt.channel == Attempt.Channel.SCORM and attempt.status == Attempt.Status.GRADED
    # The LMS holds the module score: this drill's score over the six graded drills.
    assert float(raw) == pytest.approx(grade.score / 6, abs=1)
    assert grade.score >= 70
