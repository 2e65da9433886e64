"""The built-in demo identity provider: 身份证号 + 姓名 + a one-time code sent by the notification backend.

Limits (settings, with these defaults): a code lives 5 minutes; one id number may ask for 5 codes and one
address for 20 codes per 10 minutes (a hall kiosk serves many people from one address); 5 wrong entries
spend a code. Only the newest code of an id number counts, so asking again does not add attempts.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from onevisit.accounts.models import User
from onevisit.errors import DomainError
from onevisit.history.services import record_change
from onevisit.notifications.models import Channel
from onevisit.notifications.services import notify
from onevisit.validators import clean_id_number


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def code_ttl() -> timedelta:
    return timedelta(seconds=_setting("ONEVISIT_SIGNIN_CODE_TTL_SECONDS", 300))


def rate_window() -> timedelta:
    return timedelta(seconds=_setting("ONEVISIT_SIGNIN_RATE_WINDOW_SECONDS", 600))


def max_codes_per_id() -> int:
    return _setting("ONEVISIT_SIGNIN_CODES_PER_ID", 5)


def max_codes_per_ip() -> int:
    return _setting("ONEVISIT_SIGNIN_CODES_PER_IP", 20)


def max_failed_attempts() -> int:
    return _setting("ONEVISIT_SIGNIN_MAX_ATTEMPTS", 5)


def _hash(id_number: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"signin:{id_number}:{code}".encode(), hashlib.sha256).hexdigest()


def _minutes_left(oldest_at, now) -> int:
    remaining = oldest_at + rate_window() - now
    return max(1, -(-int(remaining.total_seconds()) // 60))


@dataclass(frozen=True)
class IssuedCode:
    code_id: int
    recipient: str
    expires_at: object


def signin_code_issue(*, id_number: str, name: str, phone: str = "", ip: str | None = None) -> IssuedCode:
    """Validate the person, enforce the limits, store the hashed code and send it by SMS."""
    from onevisit.portal.models import SignInCode

    errors = {}
    try:
        id_number = clean_id_number((id_number or "").strip().upper())
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    name = (name or "").strip()
    if not name:
        errors["name"] = ["请填写姓名"]
    elif len(name) > 50:
        errors["name"] = ["姓名不能超过50个字"]
    phone = (phone or "").strip()
    if phone and not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
        errors["phone"] = ["手机号应为以1开头的11位数字"]
    if errors:
        raise ValidationError(errors)

    existing = User.objects.filter(id_number=id_number).first()
    if existing is not None and existing.real_name and existing.real_name != name:
        raise ValidationError({"name": ["姓名与身份证号不一致"]})

    now = timezone.now()
    since = now - rate_window()
    with transaction.atomic():
        recent_id = list(
            SignInCode.objects.filter(id_number=id_number, created_at__gte=since)
            .order_by("created_at").values_list("created_at", flat=True)
        )
        if len(recent_id) >= max_codes_per_id():
            raise DomainError(
                f"该身份证号获取验证码过于频繁，请 {_minutes_left(recent_id[0], now)} 分钟后再试",
                code="rate_limited", status=429,
            )
        if ip:
            recent_ip = list(
                SignInCode.objects.filter(ip=ip, created_at__gte=since)
                .order_by("created_at").values_list("created_at", flat=True)
            )
            if len(recent_ip) >= max_codes_per_ip():
                raise DomainError(
                    f"本设备获取验证码过于频繁，请 {_minutes_left(recent_ip[0], now)} 分钟后再试",
                    code="rate_limited", status=429,
                )
        code = f"{secrets.randbelow(10**6):06d}"
        row = SignInCode.objects.create(
            id_number=id_number, name=name, code_hash=_hash(id_number, code), ip=ip, created_at=now,
            expires_at=now + code_ttl(),
        )
        record_change(obj=row, actor=None, action="signin_code.issued", data={"ip": ip or ""})
        recipient = phone or (existing.phone if existing and existing.phone else "") or id_number
        minutes = int(code_ttl().total_seconds() // 60)
        notify(
            recipient=recipient, channel=Channel.SMS, subject="OneVisit 政务服务",
            body=f"您的登录验证码是 {code}，{minutes} 分钟内有效。请勿将验证码告诉他人。",
            template="signin_code", user=existing, related=row,
        )
    return IssuedCode(code_id=row.pk, recipient=recipient, expires_at=row.expires_at)


def signin_code_verify(*, id_number: str, code: str, phone: str = "") -> User:
    """Check the newest code of this id number; return the (possibly new) user it signs in."""
    from onevisit.portal.models import SignInCode

    code = (code or "").strip()
    if not (code.isdigit() and len(code) == 6):
        raise ValidationError({"code": ["验证码应为6位数字"]})
    now = timezone.now()
    failure = None
    with transaction.atomic():
        row = (
            SignInCode.objects.select_for_update()
            .filter(id_number=id_number, used_at__isnull=True)
            .order_by("-created_at", "-pk").first()
        )
        if row is None or row.expires_at <= now:
            raise DomainError("验证码已过期，请重新获取", code="code_expired", status=400)
        if row.failed_attempts >= max_failed_attempts():
            raise DomainError("验证码错误次数过多，已失效，请重新获取", code="code_locked", status=400)
        if not hmac.compare_digest(row.code_hash, _hash(id_number, code)):
            row.failed_attempts += 1
            row.save(update_fields=["failed_attempts"])
            record_change(obj=row, actor=None, action="signin_code.rejected", data={"failed": row.failed_attempts})
            left = max_failed_attempts() - row.failed_attempts
            failure = f"验证码不正确，还可再试 {left} 次" if left else "验证码错误次数过多，已失效，请重新获取"
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
            user = user_for_citizen(id_number=id_number, name=row.name, phone=phone)
            record_change(obj=row, actor=user, action="signin_code.used")
            return user
    # Outside the transaction: the counted failure stays counted.
    raise ValidationError({"code": [failure]})


def user_for_citizen(*, id_number: str, name: str, phone: str = "", via: str = "demo") -> User:
    """The user of a verified person, created on the first sign-in. Shared by every identity provider."""
    id_number = clean_id_number(id_number)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(id_number=id_number).first()
        if user is None:
            user = User(username=f"p{id_number}", id_number=id_number, real_name=name, phone=phone)
            user.set_unusable_password()
            user.save()
            record_change(obj=user, actor=user, action="user.created", data={"via": via})
        else:
            changed = []
            if name and user.real_name != name:
                user.real_name = name
                changed.append("real_name")
            if phone and not user.phone:
                user.phone = phone
                changed.append("phone")
            if changed:
                user.save(update_fields=changed)
                record_change(obj=user, actor=user, action="user.updated", data={"fields": changed, "via": via})
    return user
