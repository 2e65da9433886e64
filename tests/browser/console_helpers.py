"""Shared steps of the console browser journeys (not a conftest: imported by test_console_*.py)."""

import re
import subprocess
import tempfile
from pathlib import Path

from tests.browser.conftest import AXE_JS
from tests.cases.conftest import PDF

SCAN = Path(tempfile.gettempdir()) / "onevisit-console-scan.pdf"


def scan_file() -> str:
    SCAN.write_bytes(PDF)
    return str(SCAN)


def sign_in(page, server, username, password="pass-1234"):
    page.context.clear_cookies()
    page.goto(f"{server}/console/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录工作台").click()
    page.wait_for_load_state()


def axe_serious(page) -> list[dict]:
    """The vendored axe-core, serious and critical violations only. Frames (inline PDF previews of
    uploaded scans) are not entered: their content is the applicant's file, not our page."""
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations'], iframes: false});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def pdf_text_of(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


def fetch_pdf(page, url: str) -> bytes:
    response = page.request.get(url)
    assert response.status == 200, url
    assert response.headers["content-type"] == "application/pdf"
    return response.body()
