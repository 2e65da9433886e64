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
