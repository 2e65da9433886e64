from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from onevisit.console.access import is_staff_member
from onevisit.validators import clean_id_number


class StaffLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确",
        "inactive": "该账号已停用",
        "not_staff": "该账号不是工作人员账号，请从办事大厅登录",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not is_staff_member(user):
            raise ValidationError(self.error_messages["not_staff"], code="not_staff")


class IdLookupForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=18, help_text="读卡或输入18位公民身份号码")

    def clean_id_number(self):
        return clean_id_number(self.cleaned_data["id_number"])
