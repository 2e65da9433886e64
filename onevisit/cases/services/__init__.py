"""Writes to cases, one module per phase of a case's life. Each public function is one transaction that
locks the case row, checks the transition table (onevisit.cases.transitions) and the actor, writes the
change once and appends the history event with the facts the reform's indicators are computed from, then
hands the transition to the seam (onevisit.cases.hooks) for the apps that react to it.

- core: lock, check, move (the mechanics every verb shares); `case_batch` runs several verbs on one case as
  one write (one lock, one row update, one INSERT of the history events)
- submission: case_submit (items and bundles, numbers, idempotency, uploads)
- intake: problems, one-time notice, supplement, refusal and its overturn, acceptance (容缺, 告知承诺, 即办)
- materials: uploads, commitments and the delivery choice on an open case
- handling: steps, supplement after acceptance, special procedures, extensions
- decision: approval, denial, the result; bundle stages and roll-up
- closing: delivery, archive, withdrawal, post-check, overdue 容缺 flags
"""

from onevisit.cases.services.closing import (
    case_archive,
    case_deliver,
    case_record_post_check,
    case_withdraw,
    cases_flag_overdue_gaps,
)
from onevisit.cases.services.core import (
    case_batch,
    open_steps_before_decision,
    record_case_event,
    require_intake,
)
from onevisit.cases.services.decision import case_approve, case_deny, case_issue_result
from onevisit.cases.services.handling import (
    case_complete_step,
    case_extend,
    case_request_supplement,
    case_resume,
    case_supply_requested,
    case_suspend,
)
from onevisit.cases.services.intake import (
    case_accept,
    case_issue_notice,
    case_problems,
    case_refuse,
    case_supplement,
    refusal_overturn,
)
from onevisit.cases.services.materials import (
    case_choose_delivery,
    case_material_commit,
    case_material_upload,
    clean_post_address,
)
from onevisit.cases.services.submission import case_submit, fingerprint_of

__all__ = [
    "case_accept", "case_approve", "case_batch", "open_steps_before_decision", "record_case_event", "case_archive", "case_choose_delivery", "case_complete_step", "case_deliver",
    "case_deny", "case_extend", "case_issue_notice", "case_issue_result", "case_material_commit",
    "case_material_upload", "case_problems", "case_record_post_check", "case_refuse", "case_request_supplement",
    "case_resume", "case_submit", "case_supplement", "case_supply_requested", "case_suspend", "case_withdraw",
    "cases_flag_overdue_gaps", "clean_post_address", "fingerprint_of", "refusal_overturn", "require_intake",
]
