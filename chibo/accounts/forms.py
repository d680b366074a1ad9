from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. (Wrong user name or password.)"
        ),
        "inactive": _("Tài khoản này đã bị khóa. (This account is inactive.)"),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Tên mã (để nhớ dùng vào việc gì)"), max_length=100, required=False
    )
