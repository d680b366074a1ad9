"""Writes on accounts: users, dated roles and API tokens."""

import hashlib
import secrets
from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.models import ApiToken, Role, RoleAssignment, User
from chibo.audit.services import record
from chibo.lib.intervals import overlaps
from chibo.units.models import Unit, UnitKind

TOKEN_PREFIX = "chibo_"
# Roles bound to one cell: a secretary leads a cell, a member belongs to one.
CELL_ROLES = frozenset({Role.SECRETARY, Role.MEMBER})


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_user(
    username: str, *, actor: User | None, password: str, full_name: str = "", email: str = ""
) -> User:
    username = username.strip()
    if not username:
        raise ValidationError(_("Tên đăng nhập không được để trống. (Username is required.)"))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("Tên đăng nhập đã có. (Username taken.)"))
    user = User(username=username, full_name=full_name.strip(), email=email.strip())
    validate_password(password, user)
    user.set_password(password)
    user.save()
    record("accounts.user.create", actor=actor, obj=user, unit=None, changes={"username": username})
    return user


@transaction.atomic
def assign_role(
    user: User,
    *,
    actor: User | None,
    unit: Unit,
    role: str,
    valid_from: date,
    valid_to: date | None = None,
) -> RoleAssignment:
    """Give `user` a role on `unit` for a dated period, not overlapping the same role there."""
    if role not in Role.values:
        raise ValidationError(_("Vai trò không hợp lệ. (Unknown role.)"))
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu. (End before start.)"))
    if role in CELL_ROLES and unit.kind not in (UnitKind.CELL, UnitKind.BASE):
        raise ValidationError(
            _("Vai trò này chỉ gắn với một chi bộ. (This role is bound to a party cell.)")
        )
    clash = RoleAssignment.objects.filter(
        overlaps(valid_from, valid_to), user=user, unit=unit, role=role
    )
    if clash.exists():
        raise ValidationError(
            _("Người này đã có vai trò đó ở đơn vị này trong khoảng thời gian ấy. (Overlap.)")
        )
    assignment = RoleAssignment.objects.create(
        user=user, unit=unit, role=role, valid_from=valid_from, valid_to=valid_to
    )
    record(
        "accounts.role.assign",
        actor=actor,
        obj=assignment,
        unit=unit,
        changes={
            "user": user.username,
            "role": role,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )
    return assignment


@transaction.atomic
def create_token(user: User, *, actor: User | None, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the secret is returned once and never stored."""
    name = name.strip() or _("Mã truy cập")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[: len(TOKEN_PREFIX) + 4], digest=token_digest(raw)
    )
    record("accounts.token.create", actor=actor, obj=token, unit=None, changes={"name": name})
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: User | None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record("accounts.token.revoke", actor=actor, obj=token, unit=None)
    return token


def user_for_token(raw: str) -> User | None:
    """The active user a live token belongs to, marking when it was last used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.filter(digest=token_digest(raw), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
