"""Personal API tokens: created on the profile page or by `create_token`, shown once, stored as a
SHA-256 digest, accepted as `Authorization: Bearer …`, revocable, and audited."""

import hashlib
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from chibo.accounts import services
from chibo.accounts.models import ApiToken, Role, User
from chibo.audit.models import AuditEvent
from conftest import Tree

NEW_TOKEN = re.compile(r'<code class="token" id="new-token">(chibo_[^<]+)</code>')
TOP_UNITS = "/api/v1/units/"


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def token_events(action: str, token: ApiToken) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=action, object_type="accounts.apitoken", object_id=str(token.pk)
        )
    )


def create_on_profile(client: Client, user: User, name: str = "Báo cáo tuần") -> str:
    """Create a token through the profile page and return the secret it shows."""
    client.force_login(user)
    response = client.post(reverse("accounts:new_token"), {"name": name})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    page = client.get(reverse("accounts:profile")).content.decode()
    found = NEW_TOKEN.search(page)
    assert found, "the new token is shown on the profile page"
    return found.group(1)


def test_profile_shows_a_new_token_once_and_stores_only_its_digest(
    client: Client, users: dict[str, User]
) -> None:
    user = users[Role.SECRETARY]
    raw = create_on_profile(client, user)

    token = ApiToken.objects.get(user=user)
    assert token.name == "Báo cáo tuần"
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.prefix)
    # The secret itself is kept nowhere: not in the row, not in the session after display.
    stored = [str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert not any(raw in value for value in stored)
    assert "chibo_new_token" not in client.session
    again = client.get(reverse("accounts:profile")).content.decode()
    assert raw not in again
    assert token.prefix in again  # listed by its prefix only


def test_token_authenticates_api_calls_with_the_users_scope(
    users: dict[str, User], tree: Tree
) -> None:
    raw = create_on_profile(Client(), users[Role.SECRETARY])
    api = Client()  # no session: only the token speaks

    response = api.get(TOP_UNITS, **bearer(raw))
    assert response.status_code == 200
    assert [u["id"] for u in response.json()] == [tree.cell_a1.pk]
    assert ApiToken.objects.get().last_used_at is not None
    # The token carries the user's scope, not more.
    assert api.get(f"/api/v1/units/{tree.cell_a1.pk}", **bearer(raw)).status_code == 200
    outside = api.get(f"/api/v1/units/{tree.other_cell.pk}", **bearer(raw))
    assert outside.status_code == 404
    assert outside.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer chibo_not-a-real-token", "Bearer something-else", "Token chibo_x"],
)
def test_api_without_a_valid_token_is_401(users: dict[str, User], header: str | None) -> None:
    create_on_profile(Client(), users[Role.MEMBER])
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = Client().get(TOP_UNITS, **extra)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_revoked_token_gets_401_and_revoking_is_audited(
    client: Client, users: dict[str, User]
) -> None:
    user = users[Role.STAFF]
    raw = create_on_profile(client, user)
    token = ApiToken.objects.get(user=user)
    assert Client().get(TOP_UNITS, **bearer(raw)).status_code == 200

    response = client.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(TOP_UNITS, **bearer(raw)).status_code == 401

    [event] = token_events("accounts.token.revoke", token)
    assert event.actor == user
    # Revoking again changes nothing and records nothing more.
    client.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert len(token_events("accounts.token.revoke", token)) == 1


def test_revoke_is_post_only(client: Client, users: dict[str, User]) -> None:
    user = users[Role.MEMBER]
    token, _raw = services.create_token(user, actor=user, name="x")
    client.force_login(user)
    assert client.get(reverse("accounts:revoke_token", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_someone_elses_token_is_404(client: Client, users: dict[str, User]) -> None:
    owner = users[Role.MEMBER]
    token, raw = services.create_token(owner, actor=owner, name="của người khác")
    # Even an administrator cannot revoke a personal token of someone else from their profile.
    for role in (Role.SECRETARY, Role.ADMIN):
        client.force_login(users[role])
        response = client.post(reverse("accounts:revoke_token", args=[token.pk]))
        assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token_events("accounts.token.revoke", token) == []
    assert Client().get(TOP_UNITS, **bearer(raw)).status_code == 200


def test_creating_a_token_on_the_profile_is_audited(client: Client, users: dict[str, User]) -> None:
    user = users[Role.INSPECTOR]
    create_on_profile(client, user, name="  ")
    token = ApiToken.objects.get(user=user)
    assert token.name  # a blank name gets a default
    [event] = token_events("accounts.token.create", token)
    assert event.actor == user
    assert event.unit is None
    assert event.changes == {"name": token.name}


def test_create_token_command_prints_a_working_token_once(users: dict[str, User]) -> None:
    user = users[Role.MEMBER]
    out, err = StringIO(), StringIO()
    call_command("create_token", user.username, "--name", "Máy chủ báo cáo", stdout=out, stderr=err)

    lines = out.getvalue().splitlines()
    assert len(lines) == 1, "stdout holds the token alone, so a script can capture it"
    raw = lines[0]
    token = ApiToken.objects.get(user=user)
    assert token.name == "Máy chủ báo cáo"
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    summary = err.getvalue().strip().splitlines()
    assert len(summary) == 1
    assert token.prefix in summary[0] and user.username in summary[0]
    assert raw not in err.getvalue()
    assert Client().get(TOP_UNITS, **bearer(raw)).status_code == 200

    [event] = token_events("accounts.token.create", token)
    assert event.actor is None  # run by an operator on the server, not by a signed-in user


def test_create_token_command_dry_run_creates_nothing(users: dict[str, User]) -> None:
    out, err = StringIO(), StringIO()
    call_command("create_token", users[Role.MEMBER].username, "--dry-run", stdout=out, stderr=err)
    assert out.getvalue() == ""
    assert "Dry run" in err.getvalue()
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="accounts.token.create").exists()


def test_create_token_command_refuses_an_unknown_user(db: None) -> None:
    with pytest.raises(CommandError, match=r"Không có tài khoản 'ai_do'\. \(No such user\.\)"):
        call_command("create_token", "ai_do", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()
