"""Validators for the two national identifiers, with Chinese messages that name what is wrong."""

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc


def _reason(exc: Exception) -> str:
    if isinstance(exc, stdnum_errors.InvalidLength):
        return "长度应为18位"
    if isinstance(exc, stdnum_errors.InvalidChecksum):
        return "校验位不正确"
    if isinstance(exc, stdnum_errors.InvalidComponent):
        return "其中的出生日期或地区码无效"
    return "格式不正确"


def clean_id_number(value: str) -> str:
    """Return the compact 身份证号 or raise ValidationError naming the reason."""
    try:
        return ric.validate(value)
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(f"身份证号{_reason(exc)}", code="invalid_id_number")


def clean_credit_code(value: str) -> str:
    """Return the compact 统一社会信用代码 or raise ValidationError naming the reason."""
    try:
        return uscc.validate(value)
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(f"统一社会信用代码{_reason(exc)}", code="invalid_credit_code")


def validate_id_number(value: str) -> None:
    clean_id_number(value)


def validate_credit_code(value: str) -> None:
    clean_credit_code(value)


def make_credit_code(prefix17: str) -> str:
    """Complete 17 characters with the check character (used by demo data and tests)."""
    return prefix17 + uscc.calc_check_digit(prefix17)


def make_id_number(prefix17: str) -> str:
    # stdnum's ric.calc_check_digit expects the whole number and ignores its last character.
    return prefix17 + ric.calc_check_digit(prefix17 + "0")
