import pytest

from onevisit.datahub.services import datahub_read, permission_grant
from onevisit.errors import DomainError


@pytest.fixture
def reads(hub, personas, departments):
    permission_grant(actor=hub["chief"], department=departments["market"], resource=hub["resources"]["population"],
                     fields=["name", "birth_date"], item_codes=["ITEM-A"])
    datahub_read(actor=personas["reviewer"], department=departments["market"], resource="population",
                 identifier=hub["citizen"].id_number, fields=["name"], purpose_item_code="ITEM-A",
                 purpose_case_number="C-100")
    datahub_read(actor=personas["reviewer"], department=departments["market"], resource="population",
                 identifier=hub["other"].id_number, purpose_item_code="ITEM-A")
    with pytest.raises(DomainError):
        datahub_read(actor=personas["other_reviewer"], department=departments["tax"], resource="population",
                     identifier=hub["citizen"].id_number, purpose_case_number="C-200")


def test_citizen_sees_every_access_to_own_records_and_no_one_elses(hub, reads, client, personas):
    client.force_login(personas["citizen"])
    rows = client.get("/api/v1/datahub/my-accesses").json()
    assert [(r["department"], r["granted"], r["purpose_case_number"]) for r in rows] == [
        ("国家税务总局丽水市税务局", False, "C-200"), ("丽水市市场监督管理局", True, "C-100"),
    ]
    assert rows[1]["fields"] == ["name"] and rows[1]["resource"] == "population"
    client.force_login(personas["other_citizen"])
    rows = client.get("/api/v1/datahub/my-accesses").json()
    assert len(rows) == 1 and rows[0]["purpose_case_number"] == "" and rows[0]["purpose_item_code"] == "ITEM-A"


def test_keyset_pagination_and_anonymous_refused(hub, reads, client, personas):
    assert client.get("/api/v1/datahub/my-accesses").status_code == 401
    client.force_login(personas["citizen"])
    first = client.get("/api/v1/datahub/my-accesses", {"limit": 1}).json()
    second = client.get("/api/v1/datahub/my-accesses", {"limit": 1, "before": first[0]["id"]}).json()
    assert len(first) == len(second) == 1 and second[0]["id"] < first[0]["id"]


def test_staff_without_id_number_see_nothing(hub, reads, client, personas):
    client.force_login(personas["reviewer"])
    assert client.get("/api/v1/datahub/my-accesses").json() == []


def test_sharing_list_is_published(hub, reads, client):
    rows = client.get("/api/v1/datahub/sharing").json()
    assert rows == [{
        "resource": "population", "resource_name": "人口基础信息库", "department_id": rows[0]["department_id"],
        "department": "丽水市市场监督管理局", "fields": ["name", "birth_date"], "item_codes": ["ITEM-A"],
    }]
    assert {r["key"] for r in client.get("/api/v1/datahub/resources").json()} >= {"population", "death"}
    page = client.get("/datahub/sharing/").content.decode()
    assert "数据共享清单" in page and "丽水市市场监督管理局" in page and "姓名、出生日期" in page and "ITEM-A" in page
