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
