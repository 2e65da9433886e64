from django import forms
from django.core.exceptions import ValidationError

from onevisit.validators import clean_credit_code, clean_id_number


class SignInForm(forms.Form):
    id_number = forms.CharField(
        label="身份证号", max_length=18, min_length=1,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
        error_messages={"required": "请填写身份证号"},
    )
    name = forms.CharField(
        label="姓名", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "请填写姓名", "max_length": "姓名不能超过50个字"},
    )
    phone = forms.CharField(
        label="手机号（选填）", max_length=11, required=False,
        help_text="验证码发送到此号码；不填则发送到已登记的手机号",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
        error_messages={"max_length": "手机号应为以1开头的11位数字"},
    )

    def clean_id_number(self) -> str:
        return clean_id_number(self.cleaned_data["id_number"].strip().upper())


class CodeForm(forms.Form):
    code = forms.CharField(
        label="短信验证码", max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": "请填写短信验证码", "max_length": "验证码应为6位数字"},
    )


class ActingForForm(forms.Form):
    credit_code = forms.CharField(
        label="统一社会信用代码", max_length=18, error_messages={"required": "请填写统一社会信用代码"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    company_name = forms.CharField(
        label="单位名称", max_length=100, error_messages={"required": "请填写单位名称"},
    )

    def clean_credit_code(self) -> str:
        value = self.cleaned_data["credit_code"].strip().upper()
        try:
            return clean_credit_code(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages)
