"""The PDF of an e-licence (WeasyPrint through onevisit.documents), with a QR code to its public
verification page. The PDF is a rendering; the signed record in the library is the licence."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from onevisit.documents.rendering import qr_svg_data_uri, render_pdf
from onevisit.licences.api import mask
from onevisit.licences.models import Licence


def verify_url(licence: Licence) -> str:
    return settings.ONEVISIT_PUBLIC_URL.rstrip("/") + reverse("licence-verify", args=[licence.identifier])


def licence_pdf(licence: Licence) -> bytes:
    labels = {f["key"]: f.get("label", f["key"]) for f in licence.licence_type.fields}
    rows = [{"label": labels.get(k, k), "value": v} for k, v in licence.data.items() if k != "name"]
    url = verify_url(licence)
    return render_pdf(template="licences/licence_pdf.html", context={
        "licence": licence, "rows": rows, "holder_name": licence.data.get("name", ""),
        "holder_masked": mask(licence.holder), "issued_on": timezone.localtime(licence.issued_at).strftime("%Y年%-m月%-d日"),
        "verify_url": url, "qr_data_uri": qr_svg_data_uri(url),
    })
