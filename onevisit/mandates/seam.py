"""How mandates plug into the case engine (registered in MandatesConfig.ready): a mandate entitles its
agent to apply in the principal's name for what it covers, and to act and see the case while it is in
force; once revoked or expired, the agent can do neither."""

from django.db.models import Q

from onevisit.mandates.selectors import active_mandates, mandate_for


def _matter(case) -> dict:
    if case.bundle_id is not None and case.parent_id is None:
        return {"bundle_code": case.bundle.code}
    return {"item_code": case.item_code, "item_type": getattr(case.item, "item_type", "")}


def authorise_by_mandate(actor, case):
    """At submission: the signed-in person holds the applicant's mandate covering this item or bundle."""
    own = getattr(actor, "id_number", None)
    if not own or not case.applicant_key:
        return None
    mandate = mandate_for(principal_id=case.applicant_key, agent_id_number=own, **_matter(case))
    if mandate is None:
        return None
    case.agent_authorisation = f"授权委托第{mandate.pk}号（{mandate.valid_from}至{mandate.valid_until}）"
    return ("mandate", f"mandate:{mandate.pk}")


def agent_roles(user, case) -> set:
    """While the mandate a case was applied under is in force, its agent acts as the applicant."""
    from onevisit.cases.transitions import Who

    own = getattr(user, "id_number", None)
    if not own or case.claim != "mandate" or case.agent_id_number != own:
        return set()
    if mandate_for(principal_id=case.applicant_key, agent_id_number=own, **_matter(case)) is None:
        return set()
    return {Who.APPLICANT}


def agent_visible(user):
    """The cases of the principals whose mandate the user holds today, applied for by the user."""
    own = getattr(user, "id_number", None)
    if not own:
        return None
    principals = list(active_mandates(agent_id_number=own).values_list("principal_id", flat=True))
    if not principals:
        return None
    return Q(agent_id_number=own, claim="mandate") & (Q(applicant_id_number__in=principals)
                                                      | Q(applicant_credit_code__in=principals))
