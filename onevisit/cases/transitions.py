"""The one transition table of a case. Every service in onevisit.cases.services looks its verb up
here; nothing else decides which status may follow which, or who may move it."""

from dataclasses import dataclass
from enum import StrEnum

from onevisit.cases.models import CaseStatus as S


class Who(StrEnum):
    APPLICANT = "applicant"  # the applicant or their agent (by 身份证号), or the submitting user
    INTAKE = "intake"  # a window clerk whose window accepts the item, or a reviewer of its department
    REVIEWER = "reviewer"  # a reviewer of the case's department
    APPROVER = "approver"  # an approver of the case's department
    SUPERVISOR = "supervisor"
    SYSTEM = "system"  # the engine itself (bundle stages, parent roll-up)


@dataclass(frozen=True)
class Transition:
    verb: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the status stays (the verb records something on the case)
    who: frozenset[Who]


_PRE = (S.SUBMITTED, S.PRE_REVIEW)
_OPEN = (S.SUBMITTED, S.PRE_REVIEW, S.AWAITING_SUPPLEMENT, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED,
         S.AWAITING_APPLICANT, S.WAITING)
_HANDLING = (S.ACCEPTED, S.IN_PROGRESS)

TABLE: dict[str, Transition] = {
    t.verb: t
    for t in [
        Transition("notice", "一次性告知", _PRE, S.AWAITING_SUPPLEMENT, frozenset({Who.INTAKE})),
        Transition("supplement", "补正", (S.AWAITING_SUPPLEMENT,), S.SUBMITTED, frozenset({Who.APPLICANT, Who.INTAKE})),
        Transition("accept", "受理", _PRE, S.ACCEPTED, frozenset({Who.INTAKE})),
        Transition("accept_on_the_spot", "即办", _PRE, S.APPROVED, frozenset({Who.INTAKE})),
        Transition("refuse", "不予受理", (*_PRE, S.AWAITING_SUPPLEMENT), S.REFUSED, frozenset({Who.INTAKE})),
        Transition("overturn", "撤销不予受理", (S.REFUSED,), S.SUBMITTED, frozenset({Who.SUPERVISOR})),
        Transition("start_stage", "前序阶段完成，开始办理", (S.WAITING,), S.ACCEPTED, frozenset({Who.SYSTEM})),
        Transition("cancel", "终止（前序事项不予许可）", (S.WAITING,), S.CANCELLED, frozenset({Who.SYSTEM})),
        Transition("complete_step", "完成环节", _HANDLING, S.IN_PROGRESS, frozenset({Who.REVIEWER, Who.APPROVER})),
        Transition("suspend", "特别程序中止", _HANDLING, S.SUSPENDED, frozenset({Who.REVIEWER, Who.APPROVER})),
        Transition("resume", "恢复办理", (S.SUSPENDED,), S.IN_PROGRESS, frozenset({Who.REVIEWER, Who.APPROVER})),
        # 补正 after acceptance: the clock stops until the applicant supplies (no cap).
        Transition("request_supplement", "受理后要求补正", _HANDLING, S.AWAITING_APPLICANT,
                   frozenset({Who.REVIEWER, Who.APPROVER})),
        Transition("supply_requested", "按要求补正，恢复计时", (S.AWAITING_APPLICANT,), S.IN_PROGRESS,
                   frozenset({Who.APPLICANT, Who.INTAKE})),
        Transition("extend", "延长时限", (*_HANDLING, S.SUSPENDED), None, frozenset({Who.APPROVER, Who.SUPERVISOR})),
        Transition("approve", "准予许可", _HANDLING, S.APPROVED, frozenset({Who.APPROVER})),
        Transition("deny", "不予许可", _HANDLING, S.DENIED, frozenset({Who.APPROVER})),
        Transition("issue_result", "出具结果", (S.APPROVED, S.DENIED), S.RESULT_ISSUED, frozenset({Who.REVIEWER})),
        Transition("deliver", "送达", (S.RESULT_ISSUED,), S.DELIVERED, frozenset({Who.INTAKE})),
        Transition("archive", "归档", (S.DELIVERED, S.WITHDRAWN), S.ARCHIVED, frozenset({Who.REVIEWER, Who.SUPERVISOR})),
        Transition("withdraw", "撤回申请", _OPEN, S.WITHDRAWN, frozenset({Who.APPLICANT})),
        # Rows that record without moving: which statuses allow the applicant's own changes.
        Transition("upload", "提交材料", (*_PRE, S.AWAITING_SUPPLEMENT, S.AWAITING_APPLICANT), None,
                   frozenset({Who.APPLICANT, Who.INTAKE})),
        Transition("commit", "承诺替代", (*_PRE, S.AWAITING_SUPPLEMENT), None, frozenset({Who.APPLICANT, Who.INTAKE})),
        Transition("choose_delivery", "选择送达方式", (*_OPEN, S.APPROVED, S.DENIED, S.RESULT_ISSUED), None,
                   frozenset({Who.APPLICANT})),
        Transition("supply_gap", "容缺材料补齐", (*_HANDLING, S.SUSPENDED, S.AWAITING_APPLICANT, S.APPROVED), None,
                   frozenset({Who.APPLICANT, Who.INTAKE})),
        Transition("post_check", "事后核查", (S.APPROVED, S.RESULT_ISSUED, S.DELIVERED, S.ARCHIVED), None,
                   frozenset({Who.REVIEWER})),
        Transition("flag_gaps_overdue", "容缺逾期", (*_HANDLING, S.SUSPENDED, S.AWAITING_APPLICANT, S.APPROVED), None,
                   frozenset({Who.SYSTEM})),
        # A bundle parent follows its children (rolled up by the engine).
        Transition("parent_results_ready", "一件事结果齐备", (S.ACCEPTED, S.IN_PROGRESS), S.RESULT_ISSUED,
                   frozenset({Who.SYSTEM})),
        Transition("child_delivered", "随一件事送达", (S.RESULT_ISSUED,), S.DELIVERED, frozenset({Who.SYSTEM})),
        Transition("child_withdrawn", "随一件事撤回", _OPEN, S.WITHDRAWN, frozenset({Who.SYSTEM})),
        Transition("child_accepted", "随一件事受理", _PRE, S.ACCEPTED, frozenset({Who.SYSTEM})),
        Transition("child_waiting", "随一件事受理，等待前序阶段", _PRE, S.WAITING, frozenset({Who.SYSTEM})),
        Transition("child_notice", "随一件事告知", _PRE, S.AWAITING_SUPPLEMENT, frozenset({Who.SYSTEM})),
        Transition("child_supplement", "随一件事补正", (S.AWAITING_SUPPLEMENT,), S.SUBMITTED, frozenset({Who.SYSTEM})),
        Transition("child_refused", "随一件事不予受理", (*_PRE, S.AWAITING_SUPPLEMENT), S.REFUSED,
                   frozenset({Who.SYSTEM})),
        Transition("child_reopened", "随一件事撤销不予受理", (S.REFUSED,), S.SUBMITTED, frozenset({Who.SYSTEM})),
        Transition("child_archived", "随一件事归档", (S.DELIVERED, S.WITHDRAWN, S.CANCELLED), S.ARCHIVED,
                   frozenset({Who.SYSTEM})),
    ]
}

# Statuses in which a case has reached its end for its department.
FINAL = (S.ARCHIVED, S.WITHDRAWN, S.REFUSED, S.CANCELLED)


def allowed_verbs(status: str) -> list[str]:
    return [t.verb for t in TABLE.values() if status in t.sources and Who.SYSTEM not in t.who]
