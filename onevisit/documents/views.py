"""The five documents of a case as PDFs, built from the case itself and served to whoever may see it
(onevisit.cases.selectors.case_get: applicant or agent, its department, the intake window,
supervisors); 404 for anyone else, and for a document the case does not have."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone

from onevisit.cases.models import Case, CaseStatus, Provision, RefusalKind
from onevisit.cases.selectors import case_documents, case_get, case_materials
from onevisit.catalog.models import Necessity
from onevisit.documents.notices import DocumentKind, render_document

KINDS = {
    "receipt": DocumentKind.ACCEPTANCE_RECEIPT,
    "notice": DocumentKind.ONE_TIME_NOTICE,
    "refusal": DocumentKind.REFUSAL,
    "gaps": DocumentKind.COMMITMENT,
    "result": DocumentKind.RESULT_NOTICE,
}


def _day(moment):
    return timezone.localtime(moment).date() if moment else None


def verify_url(case: Case) -> str:
    return f"{settings.ONEVISIT_PUBLIC_URL.rstrip('/')}/s/{case.number}/"


def _base(case: Case) -> dict:
    applicant = {"name": case.applicant_name}
    if case.applicant_id_number:
        applicant["id_number"] = case.applicant_id_number
    if case.applicant_credit_code:
        applicant["credit_code"] = case.applicant_credit_code
    return {
        "case_number": case.number,
        "item_name": case.bundle.name if case.is_bundle_parent else case.item.name,
        "department_name": case.department.name,
        "verify_url": verify_url(case),
        "applicant": applicant,
    }


def document_context(case: Case, slug: str) -> tuple[DocumentKind, dict]:
    """The document's kind and content, or Http404 when the case has no such document (yet)."""
    kind = KINDS.get(slug)
    if kind is None:
        raise Http404("没有此类文书")
    if slug not in {d.kind for d in case_documents(case)}:  # the one answer to which documents a case has
        raise Http404("办件没有此文书")
    ctx = _base(case)
    materials = list(case_materials(case))
    if kind == DocumentKind.ACCEPTANCE_RECEIPT:
        if not case.accepted_at:
            raise Http404("办件尚未受理")
        ctx.update(issued_on=_day(case.accepted_at), accepted_on=_day(case.accepted_at),
                   promised_on=_day(case.promised_due) or _day(case.accepted_at),
                   materials_received=[
                       m.name + {Provision.SHARED_DATA: "（共享获取）", Provision.COMMITMENT: "（告知承诺）"}.get(m.provision, "")
                       for m in materials if m.provision != Provision.MISSING])
    elif kind == DocumentKind.ONE_TIME_NOTICE:
        notice = case.notices.order_by("-seq").first()
        if notice is None:
            raise Http404("办件没有一次性告知")
        named = [{"name": p.get("name", p.get("key", "")), "reason": p["reason"], "blocking": p.get("blocking", True)}
                 for p in notice.problems]
        ctx.update(issued_on=_day(notice.issued_at), supplement_due=_day(notice.due_at),
                   missing_materials=[p for p in named if p["blocking"]],
                   may_follow=[p for p in named if not p["blocking"]])
    elif kind == DocumentKind.REFUSAL:
        refusal = case.refusals.filter(kind=RefusalKind.REFUSE_TO_ACCEPT).order_by("-id").first()
        if refusal is None:
            raise Http404("办件没有不予受理决定")
        ctx.update(issued_on=_day(refusal.registered_at), refusal_reasons=refusal.reasons.splitlines(),
                   legal_basis=refusal.legal_basis.splitlines())
    elif kind == DocumentKind.COMMITMENT:
        if not case.gaps_due:
            raise Http404("办件未容缺受理")
        ctx.update(issued_on=_day(case.accepted_at), accepted_on=_day(case.accepted_at), commitments=[
            {"material": m.name, "due_on": _day(case.gaps_due),
             "note": "已补齐" if m.provision == Provision.UPLOADED else "容缺后补"}
            for m in materials if m.necessity == Necessity.DEFERRABLE
            and (m.provision == Provision.MISSING or (m.supplied_at and m.supplied_at > case.accepted_at))])
    else:
        if case.status not in (CaseStatus.RESULT_ISSUED, CaseStatus.DELIVERED, CaseStatus.ARCHIVED):
            raise Http404("办件尚未出具结果")
        ctx.update(issued_on=_day(case.decided_at or timezone.now()), decided_on=_day(case.decided_at),
                   result=_result(case))
    return kind, ctx


def _result(case: Case) -> dict:
    if case.is_bundle_parent:
        parts = [f"{c.item.name}（{c.number}）：{'不予许可' if c.refusals.filter(kind=RefusalKind.DENIAL).exists() else ('已终止' if c.status == CaseStatus.CANCELLED else '准予许可')}"
                 for c in case.children.select_related("item").order_by("stage", "id")]
        denied = any("不予许可" in p for p in parts)
        decision, summary = ("部分事项不予许可" if denied else "准予许可"), "；".join(parts)
    else:
        denial = case.refusals.filter(kind=RefusalKind.DENIAL).order_by("-id").first()
        decision = "不予许可" if denial else "准予许可"
        summary = f"{denial.reasons}（依据：{denial.legal_basis}）" if denial else f"准予办理“{case.item.name}”。"
    from onevisit.licences.models import Licence

    numbers = [case.number, *case.children.values_list("number", flat=True)] if case.is_bundle_parent else [case.number]
    licences = Licence.objects.filter(case_number__in=numbers).values_list("identifier", flat=True)
    return {"decision": decision, "summary": summary, "licence_number": "、".join(licences),
            "delivery": case.get_delivery_method_display() if case.delivery_method else "待送达"}


def case_document(request, case_id: int, kind: str):
    case = case_get(user=request.user, pk=case_id)
    doc_kind, context = document_context(case, kind)
    pdf = render_document(kind=doc_kind, context=context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.number}-{kind}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
