"""The staff console: thin pages over onevisit.cases.services and selectors."""

import mimetypes

from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST
from pydantic import ValidationError as PydanticValidationError

from onevisit.cases import clock, services
from onevisit.cases.access import clerk_windows
from onevisit.cases.models import Case, CaseStatus, Provision, RefusalKind
from onevisit.cases.selectors import (
    case_actions,
    case_documents,
    case_get,
    case_history,
    case_list,
    case_materials,
    cases_with_overdue_gaps,
    refusal_get,
    refusals_register,
)
from onevisit.cases.verbs import VERBS, Verb
from onevisit.catalog.bundles import bundle_plan
from onevisit.catalog.models import Necessity, ServiceItem
from onevisit.console import intake
from onevisit.console.access import destinations, staff_required
from onevisit.console.forms import IdLookupForm, StaffLoginForm
from onevisit.console.selectors import (
    console_awaiting_acceptance,
    console_person_cases,
    console_visit_breaches,
    console_window_offer,
    console_worklist,
)
from onevisit.errors import DomainError, schema_reason
from onevisit.orgs.models import Role
from onevisit.validators import clean_id_number

COLOUR_LABELS = {"red": "红灯（已超期）", "yellow": "黄灯（临近期限）", "green": "绿灯", "paused": "暂停计时",
                 "decided": "已决定待出证", "deliver": "待送达", "none": "—"}


# ------------------------------------------------------------------------------------------------
# Sign-in and home


def console_login(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = StaffLoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())
        return redirect(next_url or "console:home")
    return render(request, "console/login.html", {"form": form, "next": next_url}, status=200 if form.is_bound is False or form.is_valid() else 400)


@require_POST
def console_logout(request):
    logout(request)
    return redirect("console:login")


@staff_required()
def home(request):
    places = destinations(request.user)
    if len(places) == 1 or (len(places) == 2 and places[0][0] == "console:window" and places[1][0] == "console:queue"):
        return redirect(places[0][0])
    return render(request, "console/home.html", {"places": places})


# ------------------------------------------------------------------------------------------------
# The window (一窗受理)


@staff_required(Role.WINDOW_CLERK)
def window(request):
    form = IdLookupForm(request.GET or None)
    context = {"form": form, "windows": clerk_windows(request.user)}
    if form.is_bound and form.is_valid():
        id_number = form.cleaned_data["id_number"]
        items, bundles = console_window_offer(context["windows"])
        context.update(id_number=id_number, cases=console_person_cases(user=request.user, id_number=id_number),
                       items=items, bundles=bundles)
    return render(request, "console/window.html", context, status=400 if form.is_bound and not form.is_valid() else 200)


class _Row:
    """A checklist row for the template."""

    def __init__(self, key, name, necessity, commitment_allowed, shared_data_key, provision=None, file_id=None):
        self.key, self.name, self.necessity = key, name, necessity
        self.commitment_allowed, self.shared_data_key = commitment_allowed, shared_data_key
        self.provision, self.file_id = provision, file_id
        self.necessity_label = Necessity(necessity).label
        self.choices = [intake.PRESENT, intake.MISSING, intake.REJECTED]
        if commitment_allowed:
            self.choices.append(intake.COMMITMENT)
        if shared_data_key:
            self.choices.append(intake.SHARED)
        self.default = {Provision.UPLOADED: intake.PRESENT, Provision.COMMITMENT: intake.COMMITMENT,
                        Provision.SHARED_DATA: intake.SHARED}.get(provision) or (
            intake.SHARED if shared_data_key else intake.MISSING)


def _form_rows(fields, values: dict, errors: dict) -> list[dict]:
    rows = []
    for f in fields:
        value = values.get(f.key, "")
        if value is True:
            value = "yes"
        elif value is False:
            value = "no"
        rows.append({"key": f.key, "label": f.label, "type": f.field_type, "required": f.required,
                     "choices": f.choices, "help": getattr(f, "help_text", ""), "value": value,
                     "error": "；".join(errors.get(f"form.{f.key}", []))})
    return rows


def _decorate_rows(rows, errors: dict, post) -> None:
    for row in rows:
        row.error = "；".join(errors.get(f"materials.{row.key}", []))
        row.reason = post.get(f"reason.{row.key}", "") if post else ""


def _checklist_rows_for_start(item: ServiceItem | None, plan) -> list[_Row]:
    materials = plan.materials if plan else item.materials.all()
    return [_Row(m.key, m.name, m.necessity, m.commitment_allowed and (plan is not None or item.allows_commitment),
                 m.shared_data_key) for m in materials]


def _fields_for(item: ServiceItem | None, plan) -> list:
    return list(plan.fields) if plan else list(item.fields.all())


def _start_target(request):
    item_code = request.GET.get("item") or request.POST.get("item") or ""
    bundle_code = request.GET.get("bundle") or request.POST.get("bundle") or ""
    windows = clerk_windows(request.user)
    items, bundles = console_window_offer(windows)
    if item_code:
        item = next((i for i in items if i.implementation_code == item_code), None)
        if item is None:
            raise Http404("本窗口不受理该事项")
        return item, None, None
    bundle = next((b for b in bundles if b.code == bundle_code), None)
    if bundle is None:
        raise Http404("本窗口不受理该一件事")
    return None, bundle, bundle_plan(bundle)


@staff_required(Role.WINDOW_CLERK)
def window_start(request):
    item, bundle, plan = _start_target(request)
    raw_id = request.GET.get("id_number") or request.POST.get("id_number") or ""
    try:
        id_number = clean_id_number(raw_id)
    except ValidationError:
        return redirect(f"{reverse('console:window')}?id_number={raw_id}")
    fields = _fields_for(item, plan)
    rows = _checklist_rows_for_start(item, plan)
    errors, message, status = {}, "", 200
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        applicant = {"kind": "person", "name": request.POST.get("name", ""), "id_number": id_number,
                     "phone": request.POST.get("phone", ""), "address": request.POST.get("address", "")}
        form_data = intake.parse_form(request.POST, fields)
        checklist = intake.parse_checklist(request.POST, request.FILES, [r.key for r in rows])
        try:
            outcome = intake.window_start(
                actor=request.user, item_code=item.implementation_code if item else None,
                bundle_code=bundle.code if bundle else None, applicant=applicant, form=form_data,
                form_keys={f.key for f in fields}, checklist=checklist, action=request.POST.get("action", ""),
                post=request.POST)
        except intake.Refused as exc:
            errors, message, status = exc.errors, exc.message, 400
        else:
            return _after_intake(outcome)
        for row in rows:
            row.default = checklist.answers.get(row.key) or row.default
    _decorate_rows(rows, errors, values)
    raw_values = {f.key: values.get(f"form.{f.key}", "") for f in fields} if values else {}
    return render(request, "console/window_start.html", {
        "item": item, "bundle": bundle, "id_number": id_number, "form_rows": _form_rows(fields, raw_values, errors),
        "rows": rows, "errors": errors,
        "message": message, "values": values, "actions": intake.ACTIONS, "check_labels": intake.CHECK_LABELS,
    }, status=status)


def _after_intake(outcome: intake.Outcome):
    url = reverse("console:case", args=[outcome.case.pk])
    return redirect(f"{url}?done={outcome.action}" + (f"&doc={outcome.document}" if outcome.document else ""))


@staff_required()
@require_POST
def case_intake(request, case_id: int):
    case = case_get(user=request.user, pk=case_id)
    fields = _case_fields(case)
    rows = _case_rows(case)
    form_data = intake.parse_form(request.POST, fields)
    checklist = intake.parse_checklist(request.POST, request.FILES, [r.key for r in rows])
    try:
        outcome = intake.window_continue(actor=request.user, case=case, form=form_data,
                                         form_keys={f.key for f in fields}, checklist=checklist,
                                         action=request.POST.get("action", ""), post=request.POST)
    except intake.Refused as exc:
        for row in rows:
            row.default = checklist.answers.get(row.key) or row.default
        return _case_page(request, case, errors=exc.errors, message=exc.message, rows=rows, status=400,
                          values=request.POST)
    return _after_intake(outcome)


def _case_fields(case: Case) -> list:
    if case.is_bundle_parent:
        return list(bundle_plan(case.bundle).fields)
    return list(case.item.fields.all())


def _case_rows(case: Case) -> list[_Row]:
    return [_Row(m.key, m.name, m.necessity, m.commitment_allowed, m.shared_data_key, m.provision,
                 m.pk if m.file else None) for m in case_materials(case)]


# ------------------------------------------------------------------------------------------------
# The case page (all roles; what is shown follows the allowed verbs)


def _case_page(request, case: Case, *, errors=None, message="", rows=None, status=200, values=None):
    now = timezone.now()
    verbs = case_actions(request.user, case)
    intake_verbs = [v for v in ("accept", "notice", "refuse") if v in verbs]
    children = list(case.children.select_related("item", "department").order_by("stage", "id")) if case.is_bundle_parent else []
    gap_upload = case.gaps_outstanding and "supply_gap" in verbs
    errors = errors or {}
    rows = rows or _case_rows(case)
    _decorate_rows(rows, errors, values)
    form_values = {**case.form_data, **{f.key: values.get(f"form.{f.key}") for f in _case_fields(case)
                                        if values and values.get(f"form.{f.key}")}}
    return render(request, "console/case.html", {
        "case": case, "now": now, "colour": clock.colour_of(case, now), "colour_labels": COLOUR_LABELS,
        "verbs": verbs, "intake_verbs": intake_verbs, "gap_upload": gap_upload,
        "rows": rows, "form_rows": _form_rows(_case_fields(case), form_values, errors),
        "form_editable": case.status == CaseStatus.AWAITING_SUPPLEMENT,
        "steps": list(case.steps.order_by("position")), "open_step": case.steps.filter(completed_at__isnull=True).order_by("position").first(),
        "specials": list(case.item.special_procedures.all()) if "suspend" in verbs else [],
        "notices": list(case.notices.all()), "refusals": list(case.refusals.all()),
        "pauses": list(case.pauses.all()), "visits": list(case.visit_log.all()), "children": children,
        "history": case_history(case), "documents": case_documents(case),
        "errors": errors, "message": message, "values": values or {},
        "done": request.GET.get("done", ""), "doc": request.GET.get("doc", ""),
        "done_label": _done_label(request.GET.get("done", "")), "actions": intake.ACTIONS, "check_labels": intake.CHECK_LABELS,
        "materials": list(case_materials(case)),
    }, status=status)


def _done_label(done: str) -> str:
    from onevisit.cases.transitions import TABLE

    if done in intake.ACTIONS:
        return intake.ACTIONS[done]
    return TABLE[done].label if done in TABLE else ""


@staff_required()
def case_page(request, case_id: int):
    return _case_page(request, case_get(user=request.user, pk=case_id))


# The back-office verbs the case page offers (the intake verbs go through the window's checklist, the
# applicant's through the portal); each runs through the same verb map as the API's transition routes.
CONSOLE_VERBS = ("complete_step", "approve", "deny", "suspend", "resume", "issue_result", "deliver", "archive",
                 "extend", "request_supplement", "post_check")


def _payload_of(v: Verb, post):
    """The verb's input schema from the page's form fields. Errors name `<verb>.<field>`."""
    if v.verb == "request_supplement":
        # One reason per ticked material: "supplement.<key>" checkbox with "reason.<key>" text.
        data = {"materials": {key[len("supplement."):]: post.get(f"reason.{key[len('supplement.'):]}", "")
                              for key in post if key.startswith("supplement.")}}
    else:
        data = {name: post.get(name) for name in v.payload.model_fields if post.get(name) not in (None, "")}
        for name, info in v.payload.model_fields.items():
            if name not in data and info.annotation is str and info.is_required():
                data[name] = ""  # a required text left empty: the service says 必须填写 for it
    try:
        return v.payload.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError({".".join(str(p) for p in e["loc"]): schema_reason(e) for e in exc.errors()}) from None


@staff_required()
def case_act(request, case_id: int, verb: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if verb not in CONSOLE_VERBS:
        raise Http404("没有此操作")
    v = VERBS[verb]
    case = case_get(user=request.user, pk=case_id)
    try:
        v.call(actor=request.user, case=case, payload=_payload_of(v, request.POST),
               param=request.POST.get("step", "") if v.param == "step_key" else None)
    except ValidationError as exc:
        errors = {f"{verb}.{k}": v for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {}
        case.refresh_from_db()
        return _case_page(request, case, errors=errors, message="；".join(exc.messages), status=400, values=request.POST)
    except DomainError as exc:
        case.refresh_from_db()
        return _case_page(request, case, message=exc.message, status=409, values=request.POST)
    return redirect(f"{reverse('console:case', args=[case.pk])}?done={verb}")


@staff_required()
@xframe_options_sameorigin
def material_file(request, case_id: int, material_id: int):
    """An uploaded material, inline, to whoever may see the case; never a public media URL."""
    case = case_get(user=request.user, pk=case_id)
    material = case_materials(case).filter(pk=material_id).exclude(file="").first()
    if material is None:
        raise Http404("材料不存在")
    handle = default_storage.open(material.file, "rb")
    ext = mimetypes.guess_extension(material.content_type) or ""
    response = FileResponse(handle, content_type=material.content_type or "application/octet-stream")
    response["Content-Disposition"] = f'inline; filename="{material.key}{ext}"'
    response["Cache-Control"] = "private, no-store"
    return response


# ------------------------------------------------------------------------------------------------
# Back office worklist


@staff_required(Role.REVIEWER, Role.APPROVER)
def worklist(request):
    try:
        rows, next_cursor = console_worklist(user=request.user, cursor=request.GET.get("cursor") or None)
    except DomainError as exc:
        rows, next_cursor = [], None
        request.cursor_error = exc.message
    return render(request, "console/worklist.html", {
        "rows": rows, "next_cursor": next_cursor, "colour_labels": COLOUR_LABELS,
        "pending": console_awaiting_acceptance(user=request.user),
        "cursor_error": getattr(request, "cursor_error", ""),
    })


# ------------------------------------------------------------------------------------------------
# Supervisor


def _supervisor_context(request) -> dict:
    now = timezone.now()
    red, _ = case_list(user=request.user, colour="red", order="due", limit=50, now=now)
    yellow, _ = case_list(user=request.user, colour="yellow", order="due", limit=50, now=now)
    refusals, _ = refusals_register(user=request.user, limit=50)
    return {
        "now": now, "red": red, "yellow": yellow, "refusals": refusals,
        "breaches": console_visit_breaches(user=request.user),
        "overdue_gaps": list(cases_with_overdue_gaps(user=request.user, now=now).select_related("item")[:100]),
        "refuse_kind": RefusalKind.REFUSE_TO_ACCEPT, "errors": {}, "message": "", "done": request.GET.get("done", ""),
    }


@staff_required(Role.SUPERVISOR)
def supervisor(request):
    return render(request, "console/supervisor.html", _supervisor_context(request))


@staff_required(Role.SUPERVISOR)
@require_POST
def refusal_overturn(request, refusal_id: int):
    refusal = refusal_get(user=request.user, pk=refusal_id)
    try:
        services.refusal_overturn(actor=request.user, refusal=refusal, reason=request.POST.get("reason", ""))
    except (ValidationError, DomainError) as exc:
        message = exc.message if isinstance(exc, DomainError) else "撤销理由必须填写"
        context = {**_supervisor_context(request), "errors": {refusal.pk: message}, "message": message}
        return render(request, "console/supervisor.html", context, status=400)
    return redirect(f"{reverse('console:supervisor')}?done=overturn#refusals")
