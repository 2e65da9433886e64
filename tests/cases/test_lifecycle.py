"""The paths of a single-item case, walked through the API."""

from onevisit.cases.models import Case, CaseStatus
from onevisit.history.models import Event
from onevisit.history.services import verify_chains
from tests.datahub.conftest import hub  # noqa: F401 - the registers

from .conftest import PNG, applicant_of, online_payload, pdf


def submit_online(api, citizen, **extra):
    response = api.as_(citizen).post("/cases", online_payload(citizen, **extra))
    assert response.status_code == 201, response.content
    return response.json()


def upload_all(api, citizen, case_id, keys=("application", "lease")):
    for key in keys:
        response = api.as_(citizen).upload(f"/cases/{case_id}/materials/{key}", pdf())
        assert response.status_code == 201, response.content


def test_complete_online_application_to_archive(api, personas, staff, item):
    citizen, clerk, reviewer, approver = personas["citizen"], personas["clerk"], personas["reviewer"], staff["approver"]
    body = submit_online(api, citizen, materials={"id-card": "shared_data", "safety-pledge": "commitment"})
    case_id = body["id"]
    assert body["status"] == "pre_review"
    assert body["number"].startswith("331100-MKT-0001")
    assert body["visits"] == {"promised": 1, "actual": 0, "exceeded": False, "reason": "", "log": []}
    upload_all(api, citizen, case_id)

    body = api.as_(clerk).post(f"/cases/{case_id}/accept").json()
    assert body["status"] == "accepted"
    assert body["flags"]["post_check_required"] is True
    assert body["deadlines"]["promised_due"] and body["deadlines"]["legal_due"]
    assert body["deadlines"]["colour"] == "green"
    # A transition answers the compact state; steps, materials and history are in the detail.
    assert "history" not in body and body["detail"] == f"/api/v1/cases/{case_id}"
    detail = api.as_(clerk).get(f"/cases/{case_id}").json()
    assert [s["completed_at"] is not None for s in detail["steps"]] == [True, False, False, False, False]

    assert api.as_(reviewer).post(f"/cases/{case_id}/steps/review/complete").json()["status"] == "in_progress"
    assert api.as_(approver).post(f"/cases/{case_id}/approve").json()["status"] == "approved"
    assert api.as_(reviewer).post(f"/cases/{case_id}/result").json()["status"] == "result_issued"
    response = api.as_(clerk).post(f"/cases/{case_id}/deliver", {"method": "post"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "tracking_number"
    body = api.as_(clerk).post(f"/cases/{case_id}/deliver", {"method": "post", "tracking_number": "SF100"}).json()
    assert body["status"] == "delivered" and body["visits"]["actual"] == 0
    body = api.as_(reviewer).post(f"/cases/{case_id}/post-check", {"result": "现场核查符合承诺", "passed": True}).json()
    assert body["flags"]["post_check_done_at"]
    body = api.as_(reviewer).post(f"/cases/{case_id}/archive").json()
    assert body["status"] == "archived"

    body = api.as_(reviewer).get(f"/cases/{case_id}").json()
    actions = [e["action"] for e in body["history"]]
    assert actions == ["submit", "upload", "upload", "accept", "complete_step", "approve",
                       "issue_result", "deliver", "post_check", "archive"]
    accept = body["history"][3]["data"]
    assert accept["material_sources"] == {"id-card": "shared_data", "application": "brought", "lease": "brought",
                                          "safety-pledge": "commitment"}
    assert accept["promised_limit"] == [5, "working_days"]
    approve = body["history"][5]["data"]
    assert approve["on_time"] is True and approve["days_used"] == 0
    assert body["history"][0]["data"]["channel"] == "online"
    # The applicant reads the case too; the history chain holds.
    assert api.as_(citizen).get(f"/cases/{case_id}").status_code == 200
    assert list(verify_chains()) == []


def test_window_case_counts_visits_and_flags_excess(api, personas, staff, item):
    citizen, clerk, reviewer, approver = personas["citizen"], personas["clerk"], personas["reviewer"], staff["approver"]
    payload = online_payload(citizen, channel="window", materials={"id-card": "shared_data", "safety-pledge": "commitment"})
    body = api.as_(clerk).post("/cases", payload).json()
    case_id = body["id"]
    assert body["status"] == "submitted" and body["visits"]["actual"] == 1
    upload_all(api, clerk, case_id)
    api.as_(clerk).post(f"/cases/{case_id}/accept")
    api.as_(reviewer).post(f"/cases/{case_id}/steps/review/complete")
    api.as_(approver).post(f"/cases/{case_id}/approve")
    api.as_(reviewer).post(f"/cases/{case_id}/result")
    body = api.as_(clerk).post(f"/cases/{case_id}/deliver", {"method": "window"}).json()
    assert body["visits"]["actual"] == 2
    assert body["visits"]["exceeded"] is True
    assert "窗口领取" in body["visits"]["reason"] and "承诺的1次" in body["visits"]["reason"]
    body = api.as_(clerk).get(f"/cases/{case_id}").json()
    assert [v["kind"] for v in body["visits"]["log"]] == ["submission", "pickup"]


def test_citizen_cannot_file_window_case_or_for_someone_else(api, personas, item):
    citizen, other = personas["citizen"], personas["other_citizen"]
    response = api.as_(citizen).post("/cases", online_payload(citizen, channel="window"))
    assert response.status_code == 403
    response = api.as_(citizen).post("/cases", online_payload(other))
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_bad_applicant_and_form_name_the_field(api, personas, item):
    citizen = personas["citizen"]
    bad = online_payload(citizen, applicant=applicant_of(citizen, id_number="330102198001011230"))
    response = api.as_(citizen).post("/cases", bad)
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "applicant.id_number"
    company = online_payload(citizen, applicant={"kind": "company", "name": "某公司", "credit_code": "91331100MA2A0000X",
                                                 "agent": {"name": "张三", "id_number": citizen.id_number,
                                                           "authorisation": "委托书"}})
    response = api.as_(citizen).post("/cases", company)
    assert response.status_code == 422
    assert "applicant.credit_code" in [f["field"] for f in response.json()["error"]["fields"]]
    wrong = online_payload(citizen, form={"company_name": "x" * 60, "capital": -1, "scope": "批发"})
    fields = {f["field"]: f["reason"] for f in api.as_(citizen).post("/cases", wrong).json()["error"]["fields"]}
    assert set(fields) == {"form.company_name", "form.capital", "form.scope"}
    assert "不能超过50个字" in fields["form.company_name"]
    assert Case.objects.count() == 0


def test_company_applies_through_its_legal_representative(api, personas, item, hub):  # noqa: F811
    from onevisit.datahub.services import records_upsert

    from .conftest import COMPANY_CODE

    citizen = personas["citizen"]
    records_upsert(actor=hub["data_admin"], resource=hub["resources"]["legal_entity"], records=[
        {"identifier": COMPANY_CODE, "data": {"name": "丽水小馆有限公司", "credit_code": COMPANY_CODE, "status": "存续",
                                              "legal_representative": "张三",
                                              "legal_representative_id_number": citizen.id_number}}])
    payload = online_payload(citizen, applicant={"kind": "company", "name": "丽水小馆有限公司", "credit_code": COMPANY_CODE})
    response = api.as_(citizen).post("/cases", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["applicant"]["credit_code"] == COMPANY_CODE and body["applicant"]["agent_id_number"] == citizen.id_number
    case = Case.objects.get(pk=body["id"])
    assert case.claim == "representative" and case.identity_verified
    # Another citizen is not the company's representative and holds no mandate: refused, nothing created.
    other = personas["other_citizen"]
    refused = api.as_(other).post("/cases", online_payload(other, applicant={
        "kind": "company", "name": "丽水小馆有限公司", "credit_code": COMPANY_CODE,
        "agent": {"name": other.real_name, "id_number": other.id_number, "authorisation": "法定代表人授权委托书"}}))
    assert refused.status_code == 403 and "法定代表人" in refused.json()["error"]["message"]
    assert Case.objects.count() == 1


def test_illegal_transition_is_refused_and_changes_nothing(api, personas, staff, item):
    citizen, approver, clerk = personas["citizen"], staff["approver"], personas["clerk"]
    case_id = submit_online(api, citizen)["id"]
    events = Event.objects.count()
    response = api.as_(approver).post(f"/cases/{case_id}/approve")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "illegal_transition"
    assert "网上预审中" in response.json()["error"]["message"]
    response = api.as_(clerk).post(f"/cases/{case_id}/deliver", {"method": "window"})
    assert response.status_code == 409
    assert Case.objects.get(pk=case_id).status == CaseStatus.PRE_REVIEW
    assert Event.objects.count() == events


def test_never_accepted_with_a_required_material_missing(api, personas, item):
    citizen, clerk = personas["citizen"], personas["clerk"]
    case_id = submit_online(api, citizen)["id"]
    response = api.as_(clerk).post(f"/cases/{case_id}/accept", {"gaps": True})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "incomplete" and "申请书" in error["message"]
    assert Case.objects.get(pk=case_id).status == CaseStatus.PRE_REVIEW


def test_one_time_notice_then_supplement_then_acceptance(api, personas, item):
    citizen, clerk = personas["citizen"], personas["clerk"]
    payload = online_payload(citizen, form={"company_name": "丽水小馆"})
    case_id = api.as_(citizen).post("/cases", payload).json()["id"]
    upload_all(api, citizen, case_id, keys=("lease",))
    response = api.as_(clerk).post(f"/cases/{case_id}/notice", {"rejected": {"lease": "复印件不清晰"}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "awaiting_supplement"
    problems = {(p["kind"], p["key"]) for p in body["notice"]["problems"]}
    assert problems == {
        ("material_missing", "application"), ("material_missing", "safety-pledge"),
        ("field_missing", "capital"), ("field_missing", "scope"), ("material_rejected", "lease"),
    }
    # The applicant supplies exactly those, online.
    upload_all(api, citizen, case_id, keys=("application", "safety-pledge", "lease"))
    body = api.as_(citizen).post(f"/cases/{case_id}/supplement", {"form": {"capital": 20, "scope": "零售"}}).json()
    assert body["status"] == "submitted" and body["visits"]["actual"] == 0
    assert api.as_(citizen).get(f"/cases/{case_id}").json()["notices"][0]["resolved_at"]
    body = api.as_(clerk).post(f"/cases/{case_id}/accept").json()
    assert body["status"] == "accepted"


def test_second_notice_only_about_material_supplied_after_the_first(api, personas, item):
    citizen, clerk = personas["citizen"], personas["clerk"]
    case_id = submit_online(api, citizen)["id"]
    upload_all(api, citizen, case_id, keys=("lease",))
    api.as_(clerk).post(f"/cases/{case_id}/notice")  # names application, safety-pledge
    upload_all(api, citizen, case_id, keys=("application", "safety-pledge"))
    api.as_(citizen).post(f"/cases/{case_id}/supplement")
    # The lease was there before the first notice: finding fault with it now breaks the one-time rule.
    response = api.as_(clerk).post(f"/cases/{case_id}/notice", {"rejected": {"lease": "其实也不清晰"}})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "notice_not_one_time"
    assert Case.objects.get(pk=case_id).status == CaseStatus.SUBMITTED
    # A problem in the newly supplied application may be named.
    body = api.as_(clerk).post(f"/cases/{case_id}/notice", {"rejected": {"application": "未签字"}}).json()
    assert body["status"] == "awaiting_supplement"
    assert body["notice"]["seq"] == 2
    assert [(p["kind"], p["key"]) for p in body["notice"]["problems"]] == [("material_rejected", "application")]


def test_notice_with_nothing_missing_is_refused(api, personas, item):
    citizen, clerk = personas["citizen"], personas["clerk"]
    case_id = submit_online(api, citizen, materials={"id-card": "shared_data", "safety-pledge": "commitment"})["id"]
    upload_all(api, citizen, case_id)
    response = api.as_(clerk).post(f"/cases/{case_id}/notice")
    assert response.status_code == 409 and response.json()["error"]["code"] == "nothing_to_notice"


def test_refused_registered_and_overturned(api, personas, item):
    citizen, clerk, supervisor = personas["citizen"], personas["clerk"], personas["supervisor"]
    case_id = submit_online(api, citizen)["id"]
    response = api.as_(clerk).post(f"/cases/{case_id}/refuse", {"reasons": "", "legal_basis": ""})
    assert response.status_code == 422
    assert {f["field"] for f in response.json()["error"]["fields"]} == {"reasons", "legal_basis"}
    body = api.as_(clerk).post(f"/cases/{case_id}/refuse", {
        "reasons": "申请事项不属于本机关职权范围", "legal_basis": "《行政许可法》第三十二条第一款第二项"}).json()
    assert body["status"] == "refused"
    register = api.as_(supervisor).get("/refusals").json()["results"]
    assert len(register) == 1 and register[0]["kind"] == "refuse_to_accept"
    assert api.as_(clerk).get("/refusals").status_code == 403
    assert api.as_(clerk).post(f"/refusals/{register[0]['id']}/overturn", {"reason": "x"}).status_code == 403
    response = api.as_(supervisor).post(f"/refusals/{register[0]['id']}/overturn", {"reason": "属于本机关职权，应予受理"})
    assert response.status_code == 200 and response.json()["overturned_at"]
    assert Case.objects.get(pk=case_id).status == CaseStatus.SUBMITTED
    response = api.as_(supervisor).post(f"/refusals/{register[0]['id']}/overturn", {"reason": "再来一次"})
    assert response.status_code == 409
    assert api.as_(supervisor).get("/refusals", open_only=True).json()["results"] == []


def test_denial_is_registered_with_reasons(api, personas, staff, item):
    citizen, clerk, reviewer, approver = personas["citizen"], personas["clerk"], personas["reviewer"], staff["approver"]
    case_id = submit_online(api, citizen, materials={"id-card": "shared_data", "safety-pledge": "commitment"})["id"]
    upload_all(api, citizen, case_id)
    api.as_(clerk).post(f"/cases/{case_id}/accept")
    response = api.as_(approver).post(f"/cases/{case_id}/deny", {"reasons": "不符合条件", "legal_basis": "第三十八条"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "step_order"
    api.as_(reviewer).post(f"/cases/{case_id}/steps/review/complete")
    body = api.as_(approver).post(f"/cases/{case_id}/deny", {"reasons": "场所不符合食品安全条件",
                                                             "legal_basis": "《食品安全法》第三十五条"}).json()
    assert body["status"] == "denied"
    assert api.as_(approver).get(f"/cases/{case_id}").json()["refusals"][0]["kind"] == "denial"
    assert api.as_(reviewer).post(f"/cases/{case_id}/result").json()["status"] == "result_issued"


def test_accept_with_gaps_records_commitment_and_flags_overdue(api, personas, staff, item):
    from onevisit.cases.services import cases_flag_overdue_gaps

    from .conftest import at

    citizen, clerk, reviewer, approver = personas["citizen"], personas["clerk"], personas["reviewer"], staff["approver"]
    case_id = submit_online(api, citizen, materials={"id-card": "shared_data", "safety-pledge": "commitment"})["id"]
    upload_all(api, citizen, case_id, keys=("application",))
    response = api.as_(clerk).post(f"/cases/{case_id}/accept")
    assert response.status_code == 409 and response.json()["error"]["code"] == "gaps"
    body = api.as_(clerk).post(f"/cases/{case_id}/accept", {"gaps": True, "gaps_due": "2026-01-09T17:00:00+08:00"}).json()
    assert body["status"] == "accepted"
    assert body["flags"]["gaps_outstanding"] is True
    accept = api.as_(clerk).get(f"/cases/{case_id}").json()["history"][-1]["data"]
    assert accept["gaps"]["materials"] == ["lease"]
    assert accept["material_sources"]["lease"] == "missing_under_gaps"
    api.as_(reviewer).post(f"/cases/{case_id}/steps/review/complete")
    api.as_(approver).post(f"/cases/{case_id}/approve")
    response = api.as_(reviewer).post(f"/cases/{case_id}/result")
    assert response.status_code == 409 and response.json()["error"]["code"] == "gaps_outstanding"
    assert cases_flag_overdue_gaps(now=at(2026, 1, 8)) == []
    flagged = cases_flag_overdue_gaps(now=at(2026, 1, 12))
    assert flagged == [body["number"]]
    assert api.as_(reviewer).get(f"/cases/{case_id}").json()["flags"]["gaps_overdue"] is True
    upload_all(api, citizen, case_id, keys=("lease",))
    body = api.as_(reviewer).post(f"/cases/{case_id}/result").json()
    assert body["status"] == "result_issued" and body["flags"]["gaps_outstanding"] is False


def test_barred_applicant_and_item_without_gaps_get_no_gaps(api, personas, item):
    from onevisit.cases.models import ApplicantBar

    citizen, clerk = personas["citizen"], personas["clerk"]
    ApplicantBar.objects.create(applicant_key=citizen.id_number, reason="失信被执行人")
    case_id = submit_online(api, citizen, materials={"id-card": "shared_data", "safety-pledge": "commitment"})["id"]
    upload_all(api, citizen, case_id, keys=("application",))
    response = api.as_(clerk).post(f"/cases/{case_id}/accept", {"gaps": True})
    assert response.status_code == 409 and response.json()["error"]["code"] == "applicant_barred"


def test_commitment_only_where_allowed(api, personas, item):
    citizen = personas["citizen"]
    response = api.as_(citizen).post("/cases", online_payload(citizen, materials={"application": "commitment"}))
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "materials.application"


def test_on_the_spot_item_is_decided_at_acceptance(api, personas, on_the_spot_item):
    citizen, clerk = personas["citizen"], personas["clerk"]
    payload = online_payload(citizen, item_code="331100-MKT-0002", channel="window")
    case_id = api.as_(clerk).post("/cases", payload).json()["id"]
    upload_all(api, clerk, case_id, keys=("application",))
    body = api.as_(clerk).post(f"/cases/{case_id}/accept").json()
    assert body["status"] == "approved"
    assert body["deadlines"]["decided_at"] == body["deadlines"]["accepted_at"]
    body = api.as_(clerk).get(f"/cases/{case_id}").json()
    assert all(s["completed_at"] for s in body["steps"])
    assert body["history"][-1]["action"] == "accept_on_the_spot"
    assert body["visits"]["actual"] == 1


def test_withdraw_before_decision_only(api, personas, item):
    citizen, other = personas["citizen"], personas["other_citizen"]
    case_id = submit_online(api, citizen)["id"]
    assert api.as_(other).post(f"/cases/{case_id}/withdraw").status_code == 404
    body = api.as_(citizen).post(f"/cases/{case_id}/withdraw", {"reason": "不再需要"}).json()
    assert body["status"] == "withdrawn"
    assert api.as_(citizen).post(f"/cases/{case_id}/withdraw").status_code == 409


def test_upload_type_is_sniffed_and_name_ignored(api, personas, item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    citizen = personas["citizen"]
    case_id = submit_online(api, citizen)["id"]
    fake = SimpleUploadedFile("申请书.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
    response = api.as_(citizen).upload(f"/cases/{case_id}/materials/application", fake)
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "file"
    png = SimpleUploadedFile("../../etc/passwd", PNG, content_type="text/plain")
    body = api.as_(citizen).upload(f"/cases/{case_id}/materials/application", png).json()
    assert body["content_type"] == "image/png" and len(body["sha256"]) == 64
    from onevisit.cases.models import CaseMaterial

    stored = CaseMaterial.objects.get(case_id=case_id, key="application").file
    assert stored.startswith("cases/") and "passwd" not in stored and stored.endswith(".png")
    response = api.as_(citizen).upload(f"/cases/{case_id}/materials/nope", pdf())
    assert response.status_code == 422


def test_upload_size_limit(api, personas, item, settings):
    settings.ONEVISIT_UPLOAD_MAX_BYTES = 100
    citizen = personas["citizen"]
    case_id = submit_online(api, citizen)["id"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 200)
    response = api.as_(citizen).upload(f"/cases/{case_id}/materials/application", big)
    assert response.status_code == 422 and "文件过大" in response.json()["error"]["message"]


def test_idempotent_retry_returns_the_same_case(api, personas, item):
    citizen = personas["citizen"]
    payload = online_payload(citizen)
    first = api.as_(citizen).post("/cases", payload, **{"Idempotency-Key": "k-1"})
    again = api.as_(citizen).post("/cases", payload, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    changed = online_payload(citizen, form={"company_name": "别的名字"})
    response = api.as_(citizen).post("/cases", changed, **{"Idempotency-Key": "k-1"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "idempotency_conflict"
    assert Case.objects.count() == 1
    # Keys are scoped per user: another user's same key is another request.
    other = personas["other_citizen"]
    response = api.as_(other).post("/cases", online_payload(other), **{"Idempotency-Key": "k-1"})
    assert response.status_code == 201


def test_submission_is_a_few_round_trips(personas, item, django_assert_max_num_queries):
    """The submit path stays lean (DESIGN.md, measured limits): no per-material or per-field queries."""
    from onevisit.cases.services import case_submit

    citizen = personas["citizen"]
    p = online_payload(citizen)
    case_submit(actor=citizen, item_code=p["item_code"], applicant=p["applicant"], channel="online",
                form=p["form"], materials=p["materials"], idempotency_key="warm")
    # Item, counter upsert, case, idempotency key, materials (one INSERT), history event, outbound event (the
    # outbox, onevisit.events); the other two are the savepoint and its release, because tests run inside a
    # transaction (in production: COMMIT).
    with django_assert_max_num_queries(9):
        case_submit(actor=citizen, item_code=p["item_code"], applicant=p["applicant"], channel="online",
                    form=p["form"], materials=p["materials"], idempotency_key="lean")


def test_overdue_gaps_command_runs(db, capsys):
    from django.core.management import call_command

    call_command("flag_overdue_gaps")
    assert "容缺逾期" in capsys.readouterr().out


def test_collecting_at_the_window_by_choice_is_no_broken_promise(api, personas, staff, departments, region_tree):
    """A zero-visit item applied for online: the applicant who chose to collect at the window made one visit
    by choice (counted, not flagged); the one the clerk made come for the result although they chose
    electronic delivery made one the process forced (flagged)."""
    from .conftest import make_item

    citizen, clerk, reviewer, approver = personas["citizen"], personas["clerk"], personas["reviewer"], staff["approver"]
    make_item(personas["catalog_admin"], departments, region_tree, "331100-MKT-0002", promised_visits=0)

    def decided(choice: str) -> int:
        case_id = submit_online(api, citizen, item_code="331100-MKT-0002",
                                materials={"id-card": "shared_data", "safety-pledge": "commitment"})["id"]
        assert api.as_(citizen).post(f"/cases/{case_id}/delivery", {"method": choice}).status_code == 200
        upload_all(api, citizen, case_id)
        for who, path in ((clerk, "accept"), (reviewer, "steps/review/complete"), (approver, "approve"),
                          (reviewer, "result")):
            assert api.as_(who).post(f"/cases/{case_id}/{path}").status_code == 200, path
        return case_id

    chose_window = decided("window")
    body = api.as_(clerk).post(f"/cases/{chose_window}/deliver", {"method": ""}).json()
    assert body["delivery"]["method"] == "window"
    assert body["visits"] == {"promised": 0, "actual": 1, "exceeded": False, "reason": ""}
    forced = decided("electronic")
    body = api.as_(clerk).post(f"/cases/{forced}/deliver", {"method": "window"}).json()
    assert body["visits"]["actual"] == 1 and body["visits"]["exceeded"] is True
    assert "因办理需要到现场" in body["visits"]["reason"] and "承诺的0次" in body["visits"]["reason"]
    log = {c: api.as_(citizen).get(f"/cases/{c}").json()["history"][-1]["data"] for c in (chose_window, forced)}
    assert log[chose_window]["visit_chosen"] is True and log[forced]["visit_chosen"] is False
    assert Case.objects.get(pk=chose_window).chosen_visits == 1 and Case.objects.get(pk=forced).chosen_visits == 0
