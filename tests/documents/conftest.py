import shutil
import subprocess
import warnings

import pytest


def _font_present() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":family"], capture_output=True, text=True).stdout
    return "Noto Sans CJK SC" in out and "Noto Serif CJK SC" in out


MISSING = []
if not shutil.which("pdftotext"):
    MISSING.append("pdftotext (Debian package poppler-utils)")
if not _font_present():
    MISSING.append("Noto CJK fonts (Debian package fonts-noto-cjk)")


@pytest.fixture
def pdf_tools():
    if MISSING:
        message = "PDF TESTS SKIPPED: missing " + ", ".join(MISSING) + "; .ci/run installs them"
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
