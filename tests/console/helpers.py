"""Builders for console tests: cases moved through the engine's own services."""

from django.core.files.uploadedfile import SimpleUploadedFile

from onevisit.cases import services
from tests.cases.conftest import PDF, applicant_of


def scan(name="scan.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def submitted_case(citizen, item_code="331100-MKT-0001"):
    case, _ = services.case_submit(
        actor=citizen, item_code=item_code, applicant=applicant_of(citizen), channel="online",
        form={"company_name": "丽水小馆", "capital": "10", "scope": "餐饮"},
        materials={"id-card": "shared_data", "safety-pledge": "commitment"})
    for key in ("application", "lease"):
        services.case_material_upload(actor=citizen, case=case, key=key, upload=scan())
    return case


def accepted_case(citizen, intake, now=None, item_code="331100-MKT-0001"):
    case = submitted_case(citizen, item_code)
    services.case_accept(actor=intake, case=case, now=now)
    case.refresh_from_db()
    return case
