from django.shortcuts import render

from onevisit.licences.api import mask
from onevisit.licences.services import licence_verify


def verify_page(request, identifier: str):
    """The page a licence's QR code opens."""
    result = licence_verify(identifier=identifier)
    return render(request, "licences/verify.html", {
        "result": result, "licence": result.licence, "holder": mask(result.licence.holder) if result.licence else "",
    }, status=200 if result.licence else 404)
