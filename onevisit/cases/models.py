"""办件: a case and everything that happens to it until the result is delivered and archived.

The status moves only through the transition table in onevisit.cases.transitions, one service
function per verb (onevisit.cases.services). See docs/decisions/0003-case-lifecycle.md."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from onevisit.catalog.models import Bundle, Necessity, ServiceItem, SpecialProcedureKind, Target
from onevisit.constraints import in_choices, not_before
from onevisit.orgs.models import Department, Window


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交待受理"
    PRE_REVIEW = "pre_review", "网上预审中"
    AWAITING_SUPPLEMENT = "awaiting_supplement", "待补正"
    REFUSED = "refused", "不予受理"
    WAITING = "waiting", "等待前序阶段"
    ACCEPTED = "accepted", "已受理"
    IN_PROGRESS = "in_progress", "办理中"
    SUSPENDED = "suspended", "特别程序中止"
    AWAITING_APPLICANT = "awaiting_applicant", "受理后待申请人补正"
    APPROVED = "approved", "准予许可"
    DENIED = "denied", "不予许可"
    RESULT_ISSUED = "result_issued", "已出证"
    DELIVERED = "delivered", "已送达"
    ARCHIVED = "archived", "已归档"
    WITHDRAWN = "withdrawn", "已撤回"
    CANCELLED = "cancelled", "已终止"


# The legal clock runs in these states (the department is answerable for the time).
CLOCK_RUNNING = (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS)
PENDING_ACCEPTANCE = (CaseStatus.SUBMITTED, CaseStatus.PRE_REVIEW)
# The clock is stopped: a special procedure, or waiting on the applicant after acceptance.
PAUSED = (CaseStatus.SUSPENDED, CaseStatus.AWAITING_APPLICANT)
# Accepted and not yet decided: the department's current work.
HANDLING = (*CLOCK_RUNNING, *PAUSED)
# Waiting for intake at a window.
INTAKE = (CaseStatus.SUBMITTED, CaseStatus.PRE_REVIEW, CaseStatus.AWAITING_SUPPLEMENT)


def _values(statuses) -> list[str]:
    return [s.value for s in statuses]


class CaseChannel(models.TextChoices):
    WINDOW = "window", "窗口"
    ONLINE = "online", "网上"
    MOBILE = "mobile", "掌上"
    KIOSK = "kiosk", "自助终端"
    AGENT = "agent", "代办"


# Channels where the applicant (or agent) stands at a window: submission is a physical visit.
VISIT_CHANNELS = (CaseChannel.WINDOW, CaseChannel.AGENT)


# An applicant is one of the item's service targets: the same two kinds, one enum.
ApplicantKind = Target


class ApplicantClaim(models.TextChoices):
    """How the person or system submitting is entitled to apply in the applicant's name."""

    SELF = "self", "本人申请"
    MANDATE = "mandate", "受托代办（授权委托）"
    REPRESENTATIVE = "representative", "单位法定代表人"
    WINDOW = "window", "窗口核验身份后录入"
    DEPARTMENT = "department", "部门系统或工作人员录入"


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", "窗口领取"
    POST = "post", "邮寄送达"
    ELECTRONIC = "electronic", "电子送达"


class CaseCounter(models.Model):
    """Per-(实施编码, day) serial. Incremented by one upsert that locks only this row."""

    code = models.CharField(max_length=40)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "day"], name="cases_counter_code_day")]

    def __str__(self) -> str:
        return f"{self.code} {self.day} #{self.last}"


class Case(models.Model):
    number = models.CharField("办件编号", max_length=64, unique=True)
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="cases", verbose_name="事项（版本）")
    item_code = models.CharField("事项实施编码", max_length=40)
    domain = models.CharField("受理领域", max_length=20)
    bundle = models.ForeignKey(
        Bundle, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name="一件事"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="一件事主件"
    )
    stage = models.PositiveSmallIntegerField("阶段", default=1)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="cases", verbose_name="办理部门")
    status = models.CharField("状态", max_length=24, choices=CaseStatus.choices)
    channel = models.CharField("申请渠道", max_length=10, choices=CaseChannel.choices)
    # Applicant and agent
    applicant_kind = models.CharField("申请人类型", max_length=10, choices=ApplicantKind.choices)
    applicant_name = models.CharField("申请人名称", max_length=200)
    applicant_id_number = models.CharField("申请人身份证号", max_length=18, blank=True, db_index=True)
    applicant_credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    contact_email = models.CharField("电子邮箱", max_length=100, blank=True)
    contact_address = models.CharField("联系地址", max_length=300, blank=True)
    agent_name = models.CharField("代办人姓名", max_length=50, blank=True)
    agent_id_number = models.CharField("代办人身份证号", max_length=18, blank=True, db_index=True)
    agent_authorisation = models.CharField("授权委托说明", max_length=300, blank=True)
    claim = models.CharField("申请资格", max_length=20, choices=ApplicantClaim.choices, blank=True, default="",
                             db_default="")
    claim_ref = models.CharField("资格依据", max_length=60, blank=True, default="", db_default="")
    identity_verified = models.BooleanField("身份已核验", default=False, db_default=False)
    form_data = models.JSONField("申请表", default=dict, blank=True)
    field_supplied_at = models.JSONField("字段补正时间", default=dict, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_cases", verbose_name="提交人"
    )
    submitted_at = models.DateTimeField("提交时间")
    # Clock
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    promised_due = models.DateTimeField("承诺办结时间", null=True, blank=True)
    legal_due = models.DateTimeField("法定办结时间", null=True, blank=True)
    warn_at = models.DateTimeField("黄灯时间", null=True, blank=True)
    paused_days = models.PositiveIntegerField("暂停工作日", default=0)
    extended_days = models.PositiveIntegerField("延长工作日", default=0)
    # Delivery
    delivery_method = models.CharField("送达方式", max_length=12, choices=DeliveryMethod.choices, blank=True)
    tracking_number = models.CharField("快递单号", max_length=60, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    # Flags
    gaps_outstanding = models.BooleanField("容缺待补", default=False)
    gaps_due = models.DateTimeField("容缺补齐期限", null=True, blank=True)
    gaps_overdue = models.BooleanField("容缺逾期", default=False)
    post_check_required = models.BooleanField("需事后核查", default=False)
    post_check_done_at = models.DateTimeField("核查时间", null=True, blank=True)
    post_check_result = models.CharField("核查结论", max_length=300, blank=True)
    visits = models.PositiveSmallIntegerField("实际跑动次数", default=0)
    # Visits the applicant chose (collected the result at the window although they were offered post or
    # electronic delivery and chose the window): counted, but never a broken promise.
    chosen_visits = models.PositiveSmallIntegerField("自愿到现场次数", default=0, db_default=0)
    visits_exceeded = models.BooleanField("超出承诺跑动次数", default=False)
    visits_exceeded_reason = models.CharField("超次原因", max_length=300, blank=True)
    green_lane = models.BooleanField("绿色通道", default=False, db_default=False)
    green_lane_reason = models.CharField("绿色通道依据", max_length=300, blank=True, default="", db_default="")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        indexes = [
            models.Index(fields=["department", "status", "promised_due", "id"], name="cases_worklist_dept"),
            models.Index(fields=["domain", "status", "promised_due", "id"], name="cases_worklist_domain"),
            models.Index(fields=["status", "promised_due", "id"], name="cases_worklist_status"),
            models.Index(fields=["parent"], name="cases_parent", condition=Q(parent__isnull=False)),
            # Worklists (onevisit.cases.worklists): partial indexes in the order each list pages by, so a
            # page is an ordered index range scan whatever the number of closed cases.
            models.Index(fields=["department", "promised_due", "id"], name="cases_wl_handling",
                         condition=Q(status__in=_values(HANDLING))),
            models.Index(fields=["promised_due", "id"], name="cases_wl_running",
                         condition=Q(status__in=_values(CLOCK_RUNNING))),
            models.Index(fields=["domain", "submitted_at", "id"], name="cases_wl_intake_domain",
                         condition=Q(status__in=_values(INTAKE))),
            models.Index(fields=["item_code", "submitted_at", "id"], name="cases_wl_intake_item",
                         condition=Q(status__in=_values(INTAKE))),
            models.Index(fields=["submitted_at", "id"], name="cases_wl_intake_all",
                         condition=Q(status__in=_values(INTAKE))),
            models.Index(fields=["submitted_at", "id"], name="cases_wl_broken_promise",
                         condition=Q(visits_exceeded=True)),
            models.Index(fields=["gaps_due", "id"], name="cases_wl_gaps", condition=Q(gaps_outstanding=True)),
        ]
        constraints = [
            in_choices("status", CaseStatus, name="cases_case_status_valid"),
            in_choices("channel", CaseChannel, name="cases_case_channel_valid"),
            in_choices("applicant_kind", ApplicantKind, name="cases_case_applicant_kind_valid"),
            in_choices("delivery_method", DeliveryMethod, name="cases_case_delivery_valid", blank=True),
            in_choices("claim", ApplicantClaim, name="cases_case_claim_valid", blank=True),
            # The clock: every due moment and the decision come after acceptance; the yellow light before
            # the promised moment; a delivery after the submission.
            not_before("promised_due", "accepted_at", name="cases_case_promised_after_accepted"),
            not_before("legal_due", "accepted_at", name="cases_case_legal_after_accepted"),
            not_before("warn_at", "accepted_at", name="cases_case_warn_after_accepted"),
            not_before("promised_due", "warn_at", name="cases_case_warn_before_promised"),
            not_before("decided_at", "accepted_at", name="cases_case_decided_after_accepted"),
            not_before("delivered_at", "submitted_at", name="cases_case_delivered_after_submitted"),
            models.CheckConstraint(condition=Q(visits_exceeded=False) | Q(visits__gt=0),
                                   name="cases_case_exceeded_needs_visits"),
            models.CheckConstraint(condition=Q(chosen_visits__lte=models.F("visits")),
                                   name="cases_case_chosen_visits_counted"),
            models.CheckConstraint(condition=Q(gaps_outstanding=False) | Q(gaps_due__isnull=False),
                                   name="cases_case_gaps_have_due"),
            models.CheckConstraint(condition=Q(parent__isnull=True) | Q(bundle__isnull=False),
                                   name="cases_case_child_of_bundle"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.applicant_name}"

    @property
    def is_bundle_parent(self) -> bool:
        return self.bundle_id is not None and self.parent_id is None

    @property
    def applicant_key(self) -> str:
        return self.applicant_id_number or self.applicant_credit_code


class Provision(models.TextChoices):
    UPLOADED = "uploaded", "申请人提交"
    SHARED_DATA = "shared_data", "共享获取"
    COMMITMENT = "commitment", "承诺替代"
    INTERNAL = "internal", "一件事内部流转"  # another item of the bundle produces it as its result
    MISSING = "missing", "缺失"


class CaseMaterial(models.Model):
    """A material of the case, copied from the item at submission. In a bundle it belongs to the
    parent and is distributed (shared_with) to every child case whose item needs it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials", verbose_name="办件")
    shared_with = models.ManyToManyField(Case, blank=True, related_name="distributed_materials", verbose_name="分发给")
    key = models.SlugField("材料标识", max_length=60)
    name = models.CharField("材料名称", max_length=200)
    necessity = models.CharField("必要性", max_length=15, choices=Necessity.choices)
    commitment_allowed = models.BooleanField("可承诺替代", default=False)
    shared_data_key = models.CharField("共享数据标识", max_length=60, blank=True)
    produced_by = models.CharField("由一件事内事项的结果提供", max_length=40, blank=True, default="", db_default="")
    provision = models.CharField("提供方式", max_length=12, choices=Provision.choices, default=Provision.MISSING)
    file = models.CharField("存储路径", max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField("大小", default=0)
    content_type = models.CharField("类型", max_length=60, blank=True)
    supplied_at = models.DateTimeField("提供时间", null=True, blank=True)

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="cases_material_unique_key"),
            in_choices("provision", Provision, name="cases_material_provision_valid"),
            in_choices("necessity", Necessity, name="cases_material_necessity_valid"),
            # An uploaded material has its stored file and its digest.
            models.CheckConstraint(condition=~Q(provision="uploaded") | (~Q(file="") & ~Q(sha256="")),
                                   name="cases_material_uploaded_has_file"),
        ]

    def __str__(self) -> str:
        return self.name


class Notice(models.Model):
    """一次性告知: the problems computed by the system, issued in writing at once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices", verbose_name="办件")
    seq = models.PositiveSmallIntegerField("序号")
    problems = models.JSONField("问题清单")
    issued_at = models.DateTimeField("告知时间")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField("补正期限", null=True, blank=True)
    resolved_at = models.DateTimeField("补正时间", null=True, blank=True)

    class Meta:
        verbose_name = "一次性告知"
        verbose_name_plural = "一次性告知"
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="cases_notice_seq"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="cases_notice_seq_from_1"),
            not_before("resolved_at", "issued_at", name="cases_notice_resolved_after_issued"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} 第{self.seq}次告知"


class RefusalKind(models.TextChoices):
    REFUSE_TO_ACCEPT = "refuse_to_accept", "不予受理"
    DENIAL = "denial", "不予许可"


class Refusal(models.Model):
    """否定报备: every no is registered with reasons and legal basis for supervisors to review."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="refusals", verbose_name="办件")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=20, choices=RefusalKind.choices)
    reasons = models.TextField("理由")
    legal_basis = models.TextField("法律依据")
    registered_at = models.DateTimeField("报备时间")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    overturned_at = models.DateTimeField("撤销时间", null=True, blank=True)
    overturned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    overturn_reason = models.TextField("撤销理由", blank=True)

    class Meta:
        verbose_name = "否定报备"
        verbose_name_plural = "否定报备"
        indexes = [models.Index(fields=["registered_at", "id"], name="cases_refusal_register")]
        constraints = [
            in_choices("kind", RefusalKind, name="cases_refusal_kind_valid"),
            # Only a refusal to accept can be overturned by a supervisor; a denial goes to review or court.
            models.CheckConstraint(condition=Q(overturned_at__isnull=True) | Q(kind="refuse_to_accept"),
                                   name="cases_refusal_overturn_only_refusals"),
            models.CheckConstraint(condition=~Q(reasons="") & ~Q(legal_basis=""), name="cases_refusal_has_reasons"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id}"


class VisitKind(models.TextChoices):
    SUBMISSION = "submission", "窗口提交"
    SUPPLEMENT = "supplement", "窗口补正"
    PICKUP = "pickup", "窗口领取"


class Visit(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visit_log", verbose_name="办件")
    kind = models.CharField("类型", max_length=12, choices=VisitKind.choices)
    at = models.DateTimeField("时间")
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    chosen = models.BooleanField("申请人自愿", default=False, db_default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "到现场记录"
        verbose_name_plural = "到现场记录"
        ordering = ["case", "at", "id"]
        constraints = [in_choices("kind", VisitKind, name="cases_visit_kind_valid")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class PauseKind(models.TextChoices):
    SPECIAL = "special", "特别程序"
    APPLICANT = "applicant", "等待申请人补正"


class ClockPause(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses", verbose_name="办件")
    kind = models.CharField("类型", max_length=10, choices=PauseKind.choices, default=PauseKind.SPECIAL)
    procedure = models.CharField("特别程序", max_length=20, choices=SpecialProcedureKind.choices, blank=True)
    # A pause waiting on the applicant has no cap: none of that time counts against the department.
    cap = models.PositiveIntegerField("上限", default=0)
    cap_unit = models.CharField("上限单位", max_length=15, blank=True)
    requested = models.JSONField("要求补正", default=list, blank=True)
    reason = models.TextField("原因")
    started_at = models.DateTimeField("开始")
    ended_at = models.DateTimeField("结束", null=True, blank=True)
    shifted_days = models.PositiveIntegerField("顺延工作日", default=0)

    class Meta:
        verbose_name = "时限中止"
        verbose_name_plural = "时限中止"
        ordering = ["case", "started_at"]
        constraints = [
            in_choices("kind", PauseKind, name="cases_pause_kind_valid"),
            # One open pause per case: the clock stops once, for one reason, at a time.
            models.UniqueConstraint(fields=["case"], condition=Q(ended_at__isnull=True), name="cases_pause_one_open"),
            not_before("ended_at", "started_at", name="cases_pause_ends_after_start"),
        ]

    def __str__(self) -> str:
        what = self.get_procedure_display() if self.procedure else self.get_kind_display()
        return f"{what} {self.started_at:%Y-%m-%d}"


class CaseStep(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps", verbose_name="办件")
    position = models.PositiveSmallIntegerField("顺序")
    key = models.SlugField("环节标识", max_length=30)
    name = models.CharField("环节名称", max_length=30)
    role = models.CharField("办理角色", max_length=20)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    share = models.PositiveSmallIntegerField("占比")
    due_at = models.DateTimeField("环节期限", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="cases_step_unique_key"),
            models.CheckConstraint(condition=Q(share__lte=100), name="cases_step_share_at_most_100"),
        ]

    def __str__(self) -> str:
        return self.name


class IdempotencyKey(models.Model):
    """A create request's key, scoped to the user; the same key with another payload is refused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="cases_idempotency_user_key")]

    def __str__(self) -> str:
        return self.key


class ApplicantBar(models.Model):
    """An applicant barred from 容缺受理 (the credit lists will maintain these later)."""

    applicant_key = models.CharField("身份证号或信用代码", max_length=18, unique=True)
    reason = models.CharField("原因", max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "容缺受理限制名单"
        verbose_name_plural = "容缺受理限制名单"

    def __str__(self) -> str:
        return self.applicant_key


class CaseReaction(models.Model):
    """An after-commit reaction to a transition (onevisit.cases.hooks.after_commit): written in the
    transition's transaction, marked done in the reaction's own; pending rows are retried."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reactions", verbose_name="办件")
    name = models.CharField("反应", max_length=60)
    verb = models.CharField("引起的操作", max_length=40)
    event_seq = models.PositiveIntegerField("历史记录序号")
    created_at = models.DateTimeField("写入时间", auto_now_add=True)
    run_after = models.DateTimeField("可重试时间")
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    given_up_at = models.DateTimeField("放弃时间", null=True, blank=True)

    class Meta:
        verbose_name = "办件后续处理"
        verbose_name_plural = "办件后续处理"
        constraints = [
            models.UniqueConstraint(fields=["case", "name", "event_seq"], name="cases_reaction_once"),
        ]
        indexes = [
            models.Index(fields=["run_after", "id"], name="cases_reaction_pending",
                         condition=Q(done_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.name} #{self.event_seq}"
