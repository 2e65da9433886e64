"""A company's legal representative sees the company's data-use record; nobody else does."""

from onevisit.datahub.services import datahub_read, permission_grant, records_upsert
from onevisit.errors import DomainError
from onevisit.validators import make_credit_code

COMPANY = make_credit_code("91331100MA2B00007")


def _company(hub, departments):
    records_upsert(actor=hub["data_admin"], resource=hub["resources"]["legal_entity"], records=[
        {"identifier": COMPANY, "data": {"name": "丽水山耕农业有限公司", "credit_code": COMPANY,
                                         "legal_representative": "张三", "status": "存续",
                                         "legal_representative_id_number": hub["citizen"].id_number}}])
    permission_grant(actor=hub["chief"], department=departments["market"], resource=hub["resources"]["legal_entity"],
                     fields=["name", "status"])


def test_representative_sees_the_companys_accesses_acting_for_it(client, hub, departments, personas):
    _company(hub, departments)
    datahub_read(actor=personas["reviewer"], department=departments["market"], resource="legal_entity",
                 identifier=COMPANY, purpose_case_number="C-9")
    try:
        datahub_read(actor=personas["other_reviewer"], department=departments["tax"], resource="legal_entity",
                     identifier=COMPANY, purpose_case_number="C-10")
    except DomainError:
        pass
    client.force_login(hub["citizen"])
    session = client.session
    session["portal.acting_for"] = {"credit_code": COMPANY, "name": "丽水山耕农业有限公司"}
    session.save()
    rows = client.get("/api/v1/datahub/company-accesses").json()
    assert [(r["department"], r["granted"], r["purpose_case_number"]) for r in rows] == [
        ("国家税务总局丽水市税务局", False, "C-10"), ("丽水市市场监督管理局", True, "C-9")]


def test_someone_who_is_not_the_representative_is_refused(client, hub, departments):
    _company(hub, departments)
    client.force_login(hub["other"])
    response = client.get("/api/v1/datahub/company-accesses", {"credit_code": COMPANY})
    assert response.status_code == 403
    client.force_login(hub["citizen"])
    assert client.get("/api/v1/datahub/company-accesses",
                      {"credit_code": make_credit_code("91331100MA2B00015")}).status_code == 403
