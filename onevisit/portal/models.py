from django.db import models
from django.utils import timezone


class SignInCode(models.Model):
    """A one-time sign-in code of the demo identity provider. Only an HMAC of the code is stored."""

    id_number = models.CharField("身份证号", max_length=18)
    name = models.CharField("姓名", max_length=50)
    code_hash = models.CharField(max_length=64)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    created_at = models.DateTimeField("发送时间", default=timezone.now)
    expires_at = models.DateTimeField("失效时间")
    failed_attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "登录验证码"
        verbose_name_plural = "登录验证码"
        indexes = [
            models.Index(fields=["id_number", "-created_at"], name="signin_code_id_created"),
            models.Index(fields=["ip", "-created_at"], name="signin_code_ip_created"),
        ]

    def __str__(self) -> str:
        return f"{self.id_number[:6]}…{self.id_number[-4:]} @ {self.created_at:%Y-%m-%d %H:%M}"


class SearchKind(models.TextChoices):
    ITEM = "item", "事项"
    BUNDLE = "bundle", "一件事"


class SearchEntry(models.Model):
    """One published item or bundle as jieba tokens, space-separated with a space at both ends so that
    ' token ' matches whole tokens with a portable LIKE. Derived data: rebuilt from the catalog at any time."""

    kind = models.CharField("类型", max_length=10, choices=SearchKind.choices)
    key = models.CharField("编码", max_length=60)
    title = models.CharField("名称", max_length=200)
    department_name = models.CharField("部门", max_length=200, blank=True)
    title_tokens = models.TextField(default=" ")
    keyword_tokens = models.TextField(default=" ")
    body_tokens = models.TextField(default=" ")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "检索条目"
        verbose_name_plural = "检索条目"
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="portal_search_kind_key")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"


class DraftKind(models.TextChoices):
    ITEM = "item", "事项"
    BUNDLE = "bundle", "一件事"


class Draft(models.Model):
    """An application in the wizard, saved as the applicant goes; resumed until it is submitted.
    The idempotency key is made when the wizard starts, so a double-click or a retried submit never
    makes two cases."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="drafts", verbose_name="申请人")
    kind = models.CharField("类型", max_length=10, choices=DraftKind.choices)
    code = models.CharField("事项或一件事编码", max_length=60)
    # For a company application: the credit code and name of the company the person acts for; blank for oneself.
    company_code = models.CharField("统一社会信用代码", max_length=18, blank=True, default="")
    company_name = models.CharField("单位名称", max_length=200, blank=True)
    form_data = models.JSONField("申请表", default=dict, blank=True)
    files = models.JSONField("已上传材料", default=dict, blank=True)
    commitments = models.JSONField("承诺替代的材料", default=list, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    contact_email = models.CharField("电子邮箱", max_length=100, blank=True)
    delivery_method = models.CharField("送达方式", max_length=12, blank=True)
    delivery_address = models.CharField("收件地址", max_length=300, blank=True)
    idempotency_key = models.CharField("幂等键", max_length=100, unique=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name="提交后的办件")
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    updated_at = models.DateTimeField("保存时间", auto_now=True)

    class Meta:
        verbose_name = "申请草稿"
        verbose_name_plural = "申请草稿"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "code", "company_code"], condition=models.Q(case__isnull=True),
                                    name="portal_one_open_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code} 草稿"
