"""A 一件事 of three items in two stages across three departments, through the API."""

from onevisit.cases.models import Case, CaseStatus

from .conftest import online_payload, pdf


def submit_bundle(api, citizen):
    payload = online_payload(citizen, item_code=None, bundle_code="open-restaurant",
                             form={"company_name": "丽水小馆", "capital": 10, "tax_type": "小规模纳税人"})
    response = api.as_(citizen).post("/cases", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    for key in ("application", "lease", "floor-plan"):
        assert api.as_(citizen).upload(f"/cases/{body['id']}/materials/{key}", pdf()).status_code == 201
    return body


def children_by_code(body):
    return {c["item_code"]: c for c in body["children"]}


def decide(api, case_id, reviewer, approver, *, deny=False):
    assert api.as_(reviewer).post(f"/cases/{case_id}/steps/review/complete").status_code == 200
    if deny:
        response = api.as_(approver).post(f"/cases/{case_id}/deny", {"reasons": "不符合条件", "legal_basis": "某条"})
    else:
        response = api.as_(approver).post(f"/cases/{case_id}/approve")
    assert response.status_code == 200, response.content
    assert api.as_(reviewer).post(f"/cases/{case_id}/result").status_code == 200


def test_bundle_runs_stages_in_series_items_in_parallel_and_delivers_once(api, personas, staff, bundle):
    citizen, clerk = personas["citizen"], personas["clerk"]
    body = submit_bundle(api, citizen)
    parent_id = body["id"]
    kids = children_by_code(body)
    assert [c["stage"] for c in body["children"]] == [1, 1, 2]
    assert len({c["department_id"] for c in body["children"]}) == 3
    assert {m["key"] for m in body["materials"]} == {"id-card", "application", "lease", "floor-plan"}

    # Children are accepted with the parent: one acceptance, stage 2 waits.
    body = api.as_(clerk).post(f"/cases/{parent_id}/accept", {"gaps": False}).json()
    assert body["status"] == "accepted"
    status = {c["item_code"]: c["status"] for c in body["children"]}
    assert status == {"331100-MKT-0101": "accepted", "331100-TAX-0101": "accepted", "331100-RE-0101": "waiting"}
    mkt, tax, re_ = (kids[c]["id"] for c in ("331100-MKT-0101", "331100-TAX-0101", "331100-RE-0101"))
    child = api.as_(clerk).get(f"/cases/{mkt}").json()
    assert child["form"] == {"company_name": "丽水小馆", "capital": 10}
    assert api.as_(clerk).post(f"/cases/{mkt}/accept").status_code == 409

    # Each department sees its child and only the materials distributed to it.
    tax_reviewer = personas["other_reviewer"]
    seen = api.as_(tax_reviewer).get(f"/cases/{tax}").json()
    assert {m["key"] for m in seen["materials"]} == {"id-card", "application"}
    assert api.as_(tax_reviewer).get(f"/cases/{mkt}").status_code == 404
    assert api.as_(tax_reviewer).get(f"/cases/{parent_id}").status_code == 404
    seen = api.as_(staff["re_reviewer"]).get(f"/cases/{re_}").json()
    assert {m["key"] for m in seen["materials"]} == {"id-card", "floor-plan"}
    assert api.as_(staff["re_reviewer"]).post(f"/cases/{re_}/steps/review/complete").status_code == 409

    decide(api, mkt, personas["reviewer"], staff["approver"])
    assert Case.objects.get(pk=re_).status == CaseStatus.WAITING  # tax still open
    decide(api, tax, tax_reviewer, staff["tax_approver"])
    started = Case.objects.get(pk=re_)
    assert started.status == CaseStatus.ACCEPTED and started.promised_due is not None
    assert api.as_(clerk).post(f"/cases/{mkt}/deliver", {"method": "window"}).status_code == 409
    assert Case.objects.get(pk=parent_id).status == CaseStatus.ACCEPTED
    decide(api, re_, staff["re_reviewer"], staff["re_approver"])
    assert Case.objects.get(pk=parent_id).status == CaseStatus.RESULT_ISSUED

    body = api.as_(clerk).post(f"/cases/{parent_id}/deliver", {"method": "window"}).json()
    assert body["status"] == "delivered"
    assert {c["status"] for c in body["children"]} == {"delivered"}
    assert body["visits"]["actual"] == 1 and body["visits"]["exceeded"] is False
    body = api.as_(personas["supervisor"]).post(f"/cases/{parent_id}/archive").json()
    assert {c["status"] for c in body["children"]} == {"archived"}


def test_denied_child_ends_later_stages_and_siblings_finish(api, personas, staff, bundle):
    """docs/decisions/0004-bundle-denial.md"""
    citizen, clerk = personas["citizen"], personas["clerk"]
    body = submit_bundle(api, citizen)
    parent_id = body["id"]
    kids = children_by_code(body)
    api.as_(clerk).post(f"/cases/{parent_id}/accept")
    mkt, tax, re_ = (kids[c]["id"] for c in ("331100-MKT-0101", "331100-TAX-0101", "331100-RE-0101"))
    decide(api, tax, personas["other_reviewer"], staff["tax_approver"], deny=True)
    cancelled = api.as_(staff["re_reviewer"]).get(f"/cases/{re_}").json()
    assert cancelled["status"] == "cancelled"
    assert "不予许可" in cancelled["history"][-1]["reason"]
    assert Case.objects.get(pk=mkt).status == CaseStatus.ACCEPTED  # the parallel sibling goes on
    assert Case.objects.get(pk=parent_id).status == CaseStatus.ACCEPTED
    decide(api, mkt, personas["reviewer"], staff["approver"])
    parent = api.as_(clerk).get(f"/cases/{parent_id}").json()
    assert parent["status"] == "result_issued"
    assert parent["history"][-1]["data"]["all_approved"] is False
    body = api.as_(clerk).post(f"/cases/{parent_id}/deliver", {"method": "electronic"}).json()
    assert {c["item_code"]: c["status"] for c in body["children"]} == {
        "331100-MKT-0101": "delivered", "331100-TAX-0101": "delivered", "331100-RE-0101": "cancelled"}
    assert body["visits"]["actual"] == 0


def test_bundle_notice_covers_every_child_and_withdrawal_takes_all(api, personas, bundle):
    citizen, clerk = personas["citizen"], personas["clerk"]
    payload = online_payload(citizen, item_code=None, bundle_code="open-restaurant", form={"company_name": "小馆"})
    parent_id = api.as_(citizen).post("/cases", payload).json()["id"]
    body = api.as_(clerk).post(f"/cases/{parent_id}/notice").json()
    keys = {p["key"] for p in body["notice"]["problems"]}
    assert keys == {"application", "lease", "floor-plan", "capital", "tax_type"}
    assert {c["status"] for c in body["children"]} == {"awaiting_supplement"}
    body = api.as_(citizen).post(f"/cases/{parent_id}/withdraw").json()
    assert {c["status"] for c in body["children"]} == {"withdrawn"}


def test_a_material_a_sibling_item_produces_is_never_asked_of_the_applicant(api, personas, staff, departments,
                                                                             region_tree):
    """二手房交易过户: the transfer needs the tax receipt, which the bundle's own tax item produces. The applicant
    is not asked for it, the bundle is accepted without 容缺 (the tax item does not allow it), and the transfer
    issues its result only once the tax item has issued the receipt."""
    from onevisit.catalog.services import bundle_create, bundle_publish

    from .conftest import make_item

    admin, citizen, clerk = personas["catalog_admin"], personas["citizen"], personas["clerk"]
    id_card = {"key": "id-card", "name": "身份证明", "necessity": "required", "shared_data_key": "population.id"}
    receipt = {"key": "tax-receipt", "name": "契税完税凭证", "necessity": "deferrable"}
    make_item(admin, departments, region_tree, "331100-RE-0201", dept="realestate", materials=[id_card, receipt],
              fields=[], allows_gaps=True)
    make_item(admin, departments, region_tree, "331100-TAX-0201", dept="tax", materials=[id_card], fields=[],
              allows_gaps=False, result_materials=["tax-receipt"])
    bundle = bundle_create(actor=admin, data={
        "code": "house-transfer", "name": "二手房交易过户一件事", "lead_department": departments["realestate"],
        "promised_limit": 1, "promised_visits": 1},
        entries=[{"stage": 1, "item_code": "331100-RE-0201"}, {"stage": 1, "item_code": "331100-TAX-0201"}])
    bundle_publish(actor=admin, bundle=bundle)

    guide = api.get("/bundles/house-transfer/guide").json()
    receipt_row = next(m for m in guide["materials"] if m["key"] == "tax-receipt")
    assert receipt_row["need_not_bring"] is True
    body = api.as_(citizen).post("/cases", online_payload(citizen, item_code=None, bundle_code="house-transfer",
                                                          form={}, materials={"id-card": "shared_data"})).json()
    materials = {m["key"]: m["provision"] for m in body["materials"]}
    assert materials == {"id-card": "shared_data", "tax-receipt": "internal"}
    accepted = api.as_(clerk).post(f"/cases/{body['id']}/accept", {"gaps": False})
    assert accepted.status_code == 200, accepted.content  # no 容缺 needed, none asked
    assert accepted.json()["flags"]["gaps_outstanding"] is False
    kids = children_by_code(accepted.json())
    transfer, tax = kids["331100-RE-0201"]["id"], kids["331100-TAX-0201"]["id"]

    re_reviewer, re_approver = staff["re_reviewer"], staff["re_approver"]
    assert api.as_(re_reviewer).post(f"/cases/{transfer}/steps/review/complete").status_code == 200
    assert api.as_(re_approver).post(f"/cases/{transfer}/approve").status_code == 200
    waiting = api.as_(re_reviewer).post(f"/cases/{transfer}/result")
    assert waiting.status_code == 409 and waiting.json()["error"]["code"] == "waiting_for_sibling"
    assert "331100-TAX-0201" in waiting.json()["error"]["message"] or "测试事项331100-TAX-0201" in waiting.json()["error"]["message"]
    decide(api, tax, personas["other_reviewer"], staff["tax_approver"])
    assert api.as_(re_reviewer).post(f"/cases/{transfer}/result").status_code == 200
    assert Case.objects.get(pk=body["id"]).status == CaseStatus.RESULT_ISSUED
