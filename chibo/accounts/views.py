"""Sign in and out, and the profile page with its personal API tokens."""

from axes.helpers import get_cool_off
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts import services
from chibo.accounts.access import active_roles, user_of
from chibo.accounts.forms import SignInForm, TokenForm
from chibo.accounts.middleware import SEEN_AT, SIGNED_IN_AT


class SignInView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        self.request.session.pop(SIGNED_IN_AT, None)
        self.request.session.pop(SEEN_AT, None)
        return response


def locked_out(
    request: HttpRequest, original_response: object = None, credentials: object = None
) -> HttpResponse:
    """The page django-axes shows while a user name is throttled: a cool-off, never a lock."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 15
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the session on the server, not just in the browser."""
    logout(request)
    messages.info(request, _("Bạn đã đăng xuất."))
    return redirect("accounts:login")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    return render(
        request,
        "accounts/profile.html",
        {
            "roles": active_roles(user),
            "tokens": user.api_tokens.all(),
            "form": TokenForm(),
            "new_token": request.session.pop("chibo_new_token", None),
        },
    )


@require_POST
@login_required
def new_token(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        user = user_of(request)
        _token, raw = services.create_token(user, actor=user, name=form.cleaned_data["name"])
        # Shown once on the next page, then gone: only its digest is stored.
        request.session["chibo_new_token"] = raw
    return redirect("accounts:profile")


@require_POST
@login_required
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = user_of(request)
    token = user.api_tokens.filter(pk=token_id).first()
    if token is None:
        raise Http404
    services.revoke_token(token, actor=user)
    messages.success(request, _("Đã thu hồi mã truy cập."))
    return redirect("accounts:profile")
