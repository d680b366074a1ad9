"""Signing in and out: the sign-in page, login throttling (django-axes), session lifetime and
password rules."""

import time
from datetime import timedelta
from importlib import import_module

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from chibo.accounts import services
from chibo.accounts.middleware import SEEN_AT, SIGNED_IN_AT
from chibo.accounts.models import Role, User
from chibo.audit.models import AuditEvent
from conftest import PASSWORD, make_user

LOGIN = reverse("accounts:login")
PROFILE = reverse("accounts:profile")
WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."


def sign_in(client: Client, username: str, password: str) -> HttpResponse:
    return client.post(LOGIN, {"username": username, "password": password})


def assert_sent_to_login(response: HttpResponse, path: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={path}"


def session_exists(key: str) -> bool:
    store = import_module(django_settings.SESSION_ENGINE).SessionStore
    return bool(store().exists(key))


def template_names(response: HttpResponse) -> list[str]:
    return [t.name for t in response.templates if t.name]  # type: ignore[attr-defined]


# Sign-in page


def test_sign_in_page_renders(client: Client, db: None) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "Đăng nhập" in response.content.decode()


def test_sign_in_with_the_right_password(client: Client, users: dict[str, User]) -> None:
    response = sign_in(client, "user_member", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(users[Role.MEMBER].pk)
    assert client.get(PROFILE).status_code == 200


def test_sign_in_follows_a_local_next_but_not_another_site(
    client: Client, users: dict[str, User]
) -> None:
    response = client.post(
        f"{LOGIN}?next={PROFILE}", {"username": "user_member", "password": PASSWORD}
    )
    assert response["Location"] == PROFILE
    client.post(reverse("accounts:logout"))
    response = client.post(
        f"{LOGIN}?next=https://evil.example/", {"username": "user_member", "password": PASSWORD}
    )
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_a_vietnamese_error(client: Client, users: dict[str, User]) -> None:
    response = sign_in(client, "user_member", "sai-mat-khau")
    assert response.status_code == 200
    assert WRONG_LOGIN in response.content.decode()
    assert "_auth_user_id" not in client.session
    # An unknown user name gets the very same answer, so user names cannot be probed.
    unknown = sign_in(client, "khong_co_ai", "sai-mat-khau")
    assert WRONG_LOGIN in unknown.content.decode()


def test_signed_in_user_opening_the_sign_in_page_goes_home(
    client: Client, users: dict[str, User]
) -> None:
    client.force_login(users[Role.MEMBER])
    response = client.get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


# Throttling


@pytest.fixture
def axes_on(settings: Settings) -> Settings:
    settings.AXES_ENABLED = True
    return settings


def lock_out(client: Client, username: str, limit: int) -> None:
    for attempt in range(1, limit + 1):
        response = sign_in(client, username, f"sai-lan-{attempt}")
        if attempt < limit:
            assert response.status_code == 200, f"attempt {attempt} is not yet throttled"
            assert WRONG_LOGIN in response.content.decode()
    # The failure that reaches the limit already answers with the locked-out page.
    assert response.status_code == 429
    assert "accounts/locked_out.html" in template_names(response)


def test_too_many_failures_lock_the_user_out_even_with_the_right_password(
    client: Client, users: dict[str, User], axes_on: Settings
) -> None:
    lock_out(client, "user_member", axes_on.AXES_FAILURE_LIMIT)

    response = sign_in(client, "user_member", PASSWORD)
    assert response.status_code == 429
    assert "accounts/locked_out.html" in template_names(response)
    assert "Tạm khóa đăng nhập" in response.content.decode()
    minutes = int(axes_on.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Hãy thử lại sau {minutes} phút." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_user_name_and_address(
    client: Client, users: dict[str, User], axes_on: Settings
) -> None:
    lock_out(client, "user_member", axes_on.AXES_FAILURE_LIMIT)
    # Someone else at the same address (a shared office) can still sign in.
    assert sign_in(client, "user_secretary", PASSWORD).status_code == 302


def age_attempts(by: timedelta) -> None:
    """Move the recorded failures back in time, as if `by` had passed since."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - by)


def test_still_locked_shortly_before_the_cool_off_ends(
    client: Client, users: dict[str, User], axes_on: Settings
) -> None:
    lock_out(client, "user_member", axes_on.AXES_FAILURE_LIMIT)
    age_attempts(axes_on.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert sign_in(client, "user_member", PASSWORD).status_code == 429


def test_sign_in_works_again_after_the_cool_off(
    client: Client, users: dict[str, User], axes_on: Settings
) -> None:
    lock_out(client, "user_member", axes_on.AXES_FAILURE_LIMIT)
    age_attempts(axes_on.AXES_COOLOFF_TIME + timedelta(seconds=1))

    response = sign_in(client, "user_member", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(users[Role.MEMBER].pk)


def test_a_success_resets_the_failure_count(
    client: Client, users: dict[str, User], axes_on: Settings
) -> None:
    limit = axes_on.AXES_FAILURE_LIMIT
    for attempt in range(limit - 1):
        sign_in(client, "user_member", f"sai-{attempt}")
    assert sign_in(client, "user_member", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    # One more failure after the success is not the limit-th one.
    response = sign_in(client, "user_member", "sai-nua")
    assert response.status_code == 200
    assert WRONG_LOGIN in response.content.decode()


# Session lifetime


def signed_in(client: Client, user: User) -> str:
    """Sign in, make one request so the middleware stamps the session, return its key."""
    client.force_login(user)
    assert client.get(PROFILE).status_code == 200
    session = client.session
    assert SIGNED_IN_AT in session and SEEN_AT in session
    return str(session.session_key)


def set_session(client: Client, **values: float) -> None:
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


def test_session_survives_activity_within_its_limits(
    client: Client, users: dict[str, User]
) -> None:
    signed_in(client, users[Role.MEMBER])
    now = time.time()
    set_session(
        client,
        **{
            SEEN_AT: now - django_settings.SESSION_IDLE_SECONDS + 30,
            SIGNED_IN_AT: now - django_settings.SESSION_COOKIE_AGE + 30,
        },
    )
    assert client.get(PROFILE).status_code == 200
    # Activity moves the idle clock forward, not the sign-in clock.
    assert client.session[SEEN_AT] >= now
    assert client.session[SIGNED_IN_AT] < now - django_settings.SESSION_COOKIE_AGE + 60


def test_session_ends_after_idle_time(client: Client, users: dict[str, User]) -> None:
    key = signed_in(client, users[Role.MEMBER])
    set_session(client, **{SEEN_AT: time.time() - django_settings.SESSION_IDLE_SECONDS - 5})

    assert_sent_to_login(client.get(PROFILE), PROFILE)
    assert not session_exists(key)
    assert "Phiên làm việc đã hết hạn" in client.get(LOGIN).content.decode()
    assert_sent_to_login(client.get(PROFILE), PROFILE)


def test_session_ends_after_its_age_even_when_active(
    client: Client, users: dict[str, User]
) -> None:
    key = signed_in(client, users[Role.MEMBER])
    now = time.time()
    set_session(
        client, **{SIGNED_IN_AT: now - django_settings.SESSION_COOKIE_AGE - 5, SEEN_AT: now}
    )

    assert_sent_to_login(client.get(PROFILE), PROFILE)
    assert not session_exists(key)


def test_expired_session_is_refused_by_the_api_too(client: Client, users: dict[str, User]) -> None:
    signed_in(client, users[Role.MEMBER])
    set_session(client, **{SEEN_AT: time.time() - django_settings.SESSION_IDLE_SECONDS - 5})
    assert client.get("/api/v1/units/").status_code == 401


def test_an_authorization_header_does_not_extend_an_expired_session(
    client: Client, users: dict[str, User]
) -> None:
    signed_in(client, users[Role.MEMBER])
    set_session(client, **{SEEN_AT: time.time() - django_settings.SESSION_IDLE_SECONDS - 5})
    junk = {"HTTP_AUTHORIZATION": "Bearer junk"}
    assert client.get("/api/v1/units/", **junk).status_code == 401
    assert_sent_to_login(client.get(PROFILE, **junk), PROFILE)


# Sign out


def test_sign_out_is_post_only(client: Client, users: dict[str, User]) -> None:
    key = signed_in(client, users[Role.MEMBER])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert session_exists(key)
    assert client.get(PROFILE).status_code == 200


def test_sign_out_ends_the_session_on_the_server(client: Client, users: dict[str, User]) -> None:
    key = signed_in(client, users[Role.MEMBER])
    stolen = Client()
    stolen.cookies[django_settings.SESSION_COOKIE_NAME] = key
    assert stolen.get(PROFILE).status_code == 200

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not session_exists(key)
    # A copy of the old cookie is worth nothing now.
    assert_sent_to_login(stolen.get(PROFILE), PROFILE)
    assert_sent_to_login(client.get(PROFILE), PROFILE)


# Passwords


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1!", "password_too_short"),
        ("12345678901", "password_entirely_numeric"),
        ("password123", "password_too_common"),
        ("nguyenvanan2", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused(db: None, password: str, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        services.create_user("nguyenvanan", actor=None, password=password, full_name="")
    assert code in {e.code for e in refused.value.error_list}
    assert not User.objects.filter(username="nguyenvanan").exists()
    assert not AuditEvent.objects.filter(action="accounts.user.create").exists()


def test_a_strong_password_is_accepted(db: None) -> None:
    user = make_user("nguyenvanan")
    assert user.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="accounts.user.create", object_id=str(user.pk)).exists()
