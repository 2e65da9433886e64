"""The e-licence that results from a case a human approved (秒批 cases issue theirs in onevisit.rules).

Issued when the result is issued: a contributor of the engine's seam (`hooks.event_facts("issue_result")`,
registered in LicencesConfig.ready) runs inside the case_issue_result transaction and names the licence in
the event; a failed signature refuses the step and leaves the case where it was. The department's approver has decided; the platform signs with the
issuing department's key, as for an auto-approved case."""

from onevisit.licences.models import Licence, ResultLicence
from onevisit.licences.services import licence_issue

_APPLICANT = {"applicant.name": "applicant_name", "applicant.address": "contact_address"}


def _value(case, source: str):
    if source.startswith("form."):
        return case.form_data.get(source[len("form."):])
    if source == "case.number":
        return case.number
    attr = _APPLICANT.get(source)
    return getattr(case, attr, None) if attr else None


def licence_issue_for_case(*, case) -> Licence | None:
    """Issue the item's result licence for an approved case, once; None when the item has none."""
    mapping = ResultLicence.objects.select_related("licence_type__issuer").filter(item_code=case.item_code).first()
    if mapping is None:
        return None
    existing = Licence.objects.filter(case_number=case.number).first()
    if existing is not None:  # e.g. issued by the auto-approval before the result step
        return existing
    data = {field: value for field, source in mapping.field_map.items() if (value := _value(case, source))}
    return licence_issue(actor=None, licence_type=mapping.licence_type, holder=case.applicant_key, data=data,
                         case_number=case.number)


def licence_for_result(case, verb, actor, at) -> dict | None:
    """The seam's contributor for `issue_result`: an approved case gets its item's licence, named in the event."""
    from onevisit.cases.models import CaseStatus

    if case.status != CaseStatus.APPROVED:
        return None
    licence = licence_issue_for_case(case=case)
    return {"licence": licence.identifier} if licence is not None else None
