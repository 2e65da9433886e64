"""Browser tests: Playwright (Python API) driving Debian's chromium against a real HTTP server.

The server is pytest-django's live_server: a real threaded WSGI server on 127.0.0.1 and a free port,
serving the whole middleware stack and static files, against the test database (PostgreSQL or SQLite).
Playwright never downloads a browser: it launches /usr/bin/chromium by path. Without it, every
@pytest.mark.browser test is skipped with a warning and a line in the terminal summary.
"""

import os
import re
import shutil
import warnings
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ONEVISIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; the test still reads the database directly.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def _missing() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"{CHROMIUM} not found (Debian package chromium; .ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (make install)"
    return None


_SKIP_REASON = _missing()
_skipped: list[str] = []


def pytest_collection_modifyitems(config, items):
    if _SKIP_REASON is None:
        return
    marker = pytest.mark.skip(reason=f"BROWSER TESTS SKIPPED: {_SKIP_REASON}")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(marker)
            _skipped.append(item.nodeid)
    if _skipped:
        warnings.warn(f"BROWSER TESTS SKIPPED ({len(_skipped)}): {_SKIP_REASON}", stacklevel=1)


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.section("browser tests", sep="!", red=True, bold=True)
        terminalreporter.line(
            f"!!! {len(_skipped)} BROWSER TESTS SKIPPED: {_SKIP_REASON} !!!", red=True, bold=True
        )


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture
def browser_context(playwright_instance, tmp_path):
    """A fresh chromium profile (its own user-data-dir) per test, at a desktop size."""
    context = playwright_instance.chromium.launch_persistent_context(
        user_data_dir=str(tmp_path / "chromium-profile"),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_FLAGS,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return page


@pytest.fixture
def server(live_server):
    return live_server.url


@pytest.fixture
def screenshot(request):
    """screenshot(page, "step") saves artifacts/screenshots/<test>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = re.sub(r"[^\w.-]+", "_", request.node.name)

    def take(page, step: str) -> Path:
        path = SCREENSHOTS / f"{base}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def run_axe(page) -> list[dict]:
    """Inject the vendored axe-core and return the violations rated serious or critical."""
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
            }));
        }"""
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]
