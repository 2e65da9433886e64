"""PDF documents from Django templates and CSS (WeasyPrint), with QR codes (segno) that open a URL.

Fonts come from the system through fontconfig: Debian's fonts-noto-cjk provides "Noto Sans CJK SC" and
"Noto Serif CJK SC". Nothing is fetched at render time: the URL fetcher allows data: URLs only.
"""

import segno
from django.template.loader import render_to_string

CJK_FONT_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC")


def qr_svg_data_uri(url: str, *, scale: int = 4) -> str:
    """A QR code that opens `url`, as an SVG data URI usable in <img src> (HTML and PDF alike)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=scale, border=2)


def qr_png_data_uri(url: str, *, scale: int = 4) -> str:
    return segno.make(url, error="m", micro=False).png_data_uri(scale=scale, border=2)


def render_pdf(*, template: str, context: dict) -> bytes:
    """Render a Django template to HTML, then to PDF bytes."""
    # Imported here: it loads Pango, which only PDF rendering needs.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template, context)
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=html, url_fetcher=fetcher, base_url=".").write_pdf()
