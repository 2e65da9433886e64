"""Citizen pages for applying and following a case: thin adapters over onevisit.portal.wizard,
onevisit.cases.services/selectors, onevisit.payments and onevisit.appointments."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from onevisit.cases import clock
from onevisit.cases import services as case_services
from onevisit.cases.models import Case, CaseStatus
from onevisit.cases.selectors import (
    case_actions,
    case_documents,
    case_get,
    case_history,
    case_list,
    case_materials,
)
from onevisit.cases.transitions import TABLE
from onevisit.catalog.models import FieldType
from onevisit.errors import DomainError
from onevisit.portal import wizard
from onevisit.portal.context import ACTING_FOR_KEY
from onevisit.portal.models import DraftKind

SIGNIN = "portal:signin"

PLAIN_STATUS = {
    CaseStatus.SUBMITTED: "已提交，等待窗口受理",
    CaseStatus.PRE_REVIEW: "已提交，工作人员正在网上预审",
    CaseStatus.AWAITING_SUPPLEMENT: "需要您补正材料，请按一次性告知补交",
    CaseStatus.REFUSED: "不予受理（理由见决定书）",
    CaseStatus.WAITING: "等待前一阶段办完",
    CaseStatus.ACCEPTED: "已受理，正在办理",
    CaseStatus.IN_PROGRESS: "正在审查办理",
    CaseStatus.SUSPENDED: "正在进行现场勘查等特别程序（不计入办理时限）",
    CaseStatus.APPROVED: "已批准，正在制作结果",
    CaseStatus.DENIED: "不予许可（理由见决定书）",
    CaseStatus.RESULT_ISSUED: "结果已出具，等待送达",
    CaseStatus.DELIVERED: "结果已送达",
    CaseStatus.ARCHIVED: "已办结归档",
    CaseStatus.WITHDRAWN: "您已撤回申请",
    CaseStatus.CANCELLED: "已终止（前序事项不予许可）",
}
PLAIN_ACTION = {
    "submit": "提交申请", "upload": "上传材料", "commit": "承诺替代", "choose_delivery": "选择送达方式",
    **{verb: t.label for verb, t in TABLE.items()},
}
COLOUR_LABEL = {clock.Colour.GREEN: "按期办理中", clock.Colour.YELLOW: "临近办结期限",
                clock.Colour.RED: "已超过承诺期限", clock.Colour.PAUSED: "计时暂停", clock.Colour.NONE: ""}


def _company(request) -> dict | None:
    return request.session.get(ACTING_FOR_KEY)


def _errors_of(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {k: "；".join(v) for k, v in exc.message_dict.items()}
    return {"general": "；".join(exc.messages)}


# ------------------------------------------------------------------------------------------------
# Wizard


def _field_rows(plan, draft, errors):
    rows = []
    for f in plan.fields:
        rows.append({"f": f, "name": f"f_{f.key}", "value": draft.form_data.get(f.key, ""), "error": errors.get(f.key),
                     "input_type": {FieldType.DATE: "date", FieldType.INTEGER: "number", FieldType.PHONE: "tel"}
                     .get(f.field_type, "text")})
    return rows


def _render_wizard(request, plan, draft, errors=None, status=200, saved=False):
    errors = errors or {}
    payment = None
    if plan.fee > 0:
        from onevisit.payments.models import Payment

        payment = Payment.objects.filter(user=draft.user, purpose_key=draft.idempotency_key).first()
    return render(request, "portal/wizard.html", {
        "plan": plan, "draft": draft, "errors": errors, "fields": _field_rows(plan, draft, errors),
        "materials": wizard.material_rows(plan, draft), "payment": payment, "saved": saved,
        "not_bring": wizard.NOT_BRING, "delivery_choices": [("electronic", "电子送达（网上下载电子证照，零跑动）"),
                                                             ("post", "邮寄送达（免费寄到家）"),
                                                             ("window", "窗口领取")],
        "paid": payment is not None and payment.status == "paid",
    }, status=status)


def _wizard(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    try:
        draft = wizard.draft_open(actor=request.user, kind=kind, code=code, company=_company(request))
    except DomainError as exc:
        return render(request, "portal/wizard_blocked.html", {"message": exc.message, "code": exc.code}, status=409)
    plan = wizard.plan_for(kind, code)
    if request.method != "POST":
        return _render_wizard(request, plan, draft, saved=request.GET.get("saved") == "1")
    data = request.POST.copy()
    payload = {k: data.get(k) for k in data}
    payload["commitments"] = data.getlist("commitments")
    errors = wizard.draft_save(actor=request.user, draft=draft, data=payload)
    draft.refresh_from_db()
    action = request.POST.get("action")
    here = request.path
    if action == "pay":
        payment = wizard.draft_pay(actor=request.user, draft=draft)
        from onevisit.payments.services import payment_start_url

        return redirect(f"{payment_start_url(payment)}?next={here}")
    if action == "submit":
        try:
            case = wizard.draft_submit(actor=request.user, draft=draft)
        except ValidationError as exc:
            errors = _errors_of(exc)
            return _render_wizard(request, plan, draft, {_strip(k): v for k, v in errors.items()}, status=400)
        except DomainError as exc:
            return _render_wizard(request, plan, draft, {"general": exc.message}, status=409)
        return redirect(reverse("portal:case_detail", args=[case.pk]) + "?submitted=1")
    if errors:
        return _render_wizard(request, plan, draft, errors, status=400, saved=True)
    return redirect(f"{here}?saved=1")


def _strip(key: str) -> str:
    if key == "__all__":
        return "general"
    return key[5:] if key.startswith("form.") else key


@login_required(login_url=SIGNIN)
def apply_item(request, code):
    return _wizard(request, DraftKind.ITEM, code)


@login_required(login_url=SIGNIN)
def apply_bundle(request, code):
    return _wizard(request, DraftKind.BUNDLE, code)


@login_required(login_url=SIGNIN)
@require_POST
def draft_upload(request, draft_id: int, key: str):
    draft = wizard.draft_get(user=request.user, pk=draft_id)
    plan = wizard.plan_for(draft.kind, draft.code)
    error = None
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError({f"file_{key}": "请选择要上传的文件"})
        wizard.draft_upload(actor=request.user, draft=draft, key=key, upload=upload)
    except ValidationError as exc:
        error = "；".join(m for ms in exc.message_dict.values() for m in ms) if hasattr(exc, "error_dict") \
            else "；".join(exc.messages)
    except DomainError as exc:
        error = exc.message
    draft.refresh_from_db()
    if request.headers.get("HX-Request"):
        row = next(r for r in wizard.material_rows(plan, draft) if r["material"].key == key)
        return render(request, "portal/_material_row.html", {"row": row, "draft": draft, "error": error,
                                                              "not_bring": wizard.NOT_BRING})
    url = reverse("portal:apply_item" if draft.kind == DraftKind.ITEM else "portal:apply_bundle", args=[draft.code])
    if error:
        return _render_wizard(request, plan, draft, {f"file_{key}": error}, status=400)
    return redirect(url + "#materials")


# ------------------------------------------------------------------------------------------------
# My cases


def _case_filter(request) -> str:
    company = _company(request)
    return company["credit_code"] if company else request.user.id_number


@login_required(login_url=SIGNIN)
def my_cases(request):
    from onevisit.appointments.services import bookings_of

    now = timezone.now()
    key = _case_filter(request)
    rows, next_cursor = ([], None) if not key else case_list(
        user=request.user, applicant=key, cursor=request.GET.get("cursor") or None, limit=20, now=now)
    cases = [{"case": c, "plain": PLAIN_STATUS.get(c.status, c.get_status_display()),
              "colour": clock.colour_of(c, now), "colour_label": COLOUR_LABEL[clock.colour_of(c, now)]}
             for c in rows if c.parent_id is None]
    return render(request, "portal/my_cases.html", {
        "cases": cases, "next_cursor": next_cursor, "bookings": bookings_of(request.user),
    })


def _detail_context(request, case: Case) -> dict:
    now = timezone.now()
    promised_visits = case.bundle.promised_visits if case.is_bundle_parent else case.item.promised_visits
    colour = clock.colour_of(case, now)
    actions = case_actions(request.user, case)
    open_notice = case.notices.filter(resolved_at__isnull=True).order_by("-seq").first() \
        if case.status == CaseStatus.AWAITING_SUPPLEMENT else None
    fields = {f.key: f for f in case.item.fields.all()}
    history = [{**h, "label": PLAIN_ACTION.get(h["action"], h["action"])} for h in case_history(case)
               if not h["action"].startswith("notification")]
    return {
        "case": case, "plain": PLAIN_STATUS.get(case.status, case.get_status_display()), "colour": colour,
        "colour_label": COLOUR_LABEL[colour], "promised_visits": promised_visits,
        "notices": list(case.notices.all()), "open_notice": open_notice,
        "notice_fields": [fields.get(p["key"]) or p for p in open_notice.problems
                          if p["kind"] in ("field_missing", "field_invalid")] if open_notice else [],
        "notice_files": [p for p in open_notice.problems if p["kind"] in ("material_missing", "material_rejected")]
        if open_notice else [],
        "can_withdraw": "withdraw" in actions and case.parent_id is None, "history": history,
        "materials": list(case_materials(case)), "documents": case_documents(case),
        "payments": list(case.payments.all()), "children": list(case.children.select_related("item"))
        if case.is_bundle_parent else [],
        "days_used": clock.days_used(case, now),
    }


@login_required(login_url=SIGNIN)
def case_detail(request, case_id: int):
    case = case_get(user=request.user, pk=case_id)
    ctx = _detail_context(request, case)
    ctx["submitted"] = request.GET.get("submitted") == "1"
    return render(request, "portal/case_detail.html", ctx)


@login_required(login_url=SIGNIN)
@require_POST
def case_withdraw(request, case_id: int):
    case = case_get(user=request.user, pk=case_id)
    try:
        case_services.case_withdraw(actor=request.user, case=case, reason=request.POST.get("reason", "").strip())
    except DomainError as exc:
        ctx = _detail_context(request, case)
        ctx["withdraw_error"] = exc.message
        return render(request, "portal/case_detail.html", ctx, status=409)
    return redirect("portal:case_detail", case_id=case.pk)


@login_required(login_url=SIGNIN)
@require_POST
def case_answer_notice(request, case_id: int):
    case = case_get(user=request.user, pk=case_id)
    wizard.require_applicant(request.user, case)
    fields = {f.key: f for f in case.item.fields.all()}
    files = {k[5:]: f for k, f in request.FILES.items() if k.startswith("file_")}
    form = {k[2:]: v for k, v in request.POST.items() if k.startswith("f_")}
    form = {k: wizard._coerce(fields[k], v) if k in fields else v for k, v in form.items()}
    try:
        wizard.notice_answer(actor=request.user, case=case, files=files, form=form)
    except ValidationError as exc:
        ctx = _detail_context(request, case)
        ctx["answer_errors"] = {_strip(k): v for k, v in _errors_of(exc).items()}
        return render(request, "portal/case_detail.html", ctx, status=400)
    except DomainError as exc:
        ctx = _detail_context(request, case)
        ctx["answer_errors"] = {"general": exc.message}
        return render(request, "portal/case_detail.html", ctx, status=409)
    return redirect(reverse("portal:case_detail", args=[case.pk]) + "?answered=1")


def case_status(request, number: str):
    """Public: what the QR on a document opens. No personal data unless the viewer may see the case."""
    case = Case.objects.select_related("item", "department", "bundle").filter(number=number).first()
    if case is None:
        raise Http404("办件不存在")
    full = None
    if request.user.is_authenticated:
        try:
            full = case_get(user=request.user, pk=case.pk)
        except Http404:
            full = None
    return render(request, "portal/case_status.html", {
        "case": case, "plain": PLAIN_STATUS.get(case.status, case.get_status_display()), "full": full,
        "item_name": case.bundle.name if case.is_bundle_parent else case.item.name,
    })


# ------------------------------------------------------------------------------------------------
# Appointments


@login_required(login_url=SIGNIN)
def book(request, code: str):
    from onevisit.appointments import services as appt
    from onevisit.catalog.services import published_item

    item = published_item(code)
    if item is None:
        raise Http404("事项不存在或未发布")
    error = None
    if request.method == "POST":
        try:
            window_id, _, start = (request.POST.get("slot") or "").partition("|")
            when = dt.datetime.fromisoformat(start)
            appt.booking_create(actor=request.user, item_code=code, window_id=int(window_id), start=when)
            return redirect("portal:my_cases")
        except (ValueError, TypeError):
            error = "请选择一个时段"
        except DomainError as exc:
            error = exc.message
    slots = appt.available_slots(item=item) if item.promised_visits >= 1 else []
    days: dict = {}
    for s in slots:
        days.setdefault((s.window, s.start.date()), []).append(s)
    return render(request, "portal/book.html", {
        "item": item, "days": [{"window": w, "day": d, "slots": ss} for (w, d), ss in days.items()],
        "error": error, "bookings": appt.bookings_of(request.user).filter(item_code=code),
    }, status=400 if error else 200)


@login_required(login_url=SIGNIN)
@require_POST
def booking_cancel(request, booking_id: int):
    from onevisit.appointments.services import booking_cancel as cancel

    cancel(actor=request.user, booking_id=booking_id)
    return redirect("portal:my_cases")
