"""Writes on members. Issue-sized for now: registering a member and moving memberships."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import record, record_many
from chibo.lib.dates import format_date
from chibo.lib.intervals import active_on
from chibo.lib.vntext import name_sort_key, search_key
from chibo.members.models import Member, Membership, Sex
from chibo.units.models import Unit


@dataclass(frozen=True)
class NewMember:
    full_name: str
    sex: str
    joined_on: date
    birth_date: date | None = None


def _check_new(unit: Unit, full_name: str, sex: str, joined_on: date) -> str:
    full_name = " ".join(full_name.split())
    if not full_name:
        raise ValidationError(_("Họ và tên không được để trống (Full name is required)."))
    if sex not in Sex.values:
        raise ValidationError(_("Giới tính không hợp lệ (Invalid sex)."))
    if not unit.is_active_on(joined_on):
        raise ValidationError(
            _("%(unit)s không hoạt động vào ngày %(day)s (Unit not active on that date).")
            % {"unit": unit.name, "day": format_date(joined_on)}
        )
    return full_name


@transaction.atomic
def register_members(
    unit: Unit, *, actor: User | None, people: list[NewMember], basis: str = ""
) -> list[Member]:
    """Put many people on the roll of `unit` at once (an initial roll, the demo): all or none."""
    names = [_check_new(unit, p.full_name, p.sex, p.joined_on) for p in people]
    members = Member.objects.bulk_create(
        [
            Member(
                full_name=name,
                search_name=search_key(name),
                sort_name=name_sort_key(name),
                sex=p.sex,
                birth_date=p.birth_date,
            )
            for name, p in zip(names, people, strict=True)
        ],
        batch_size=500,
    )
    Membership.objects.bulk_create(
        [
            Membership(member=m, unit=unit, valid_from=p.joined_on, basis=basis)
            for m, p in zip(members, people, strict=True)
        ],
        batch_size=500,
    )
    record_many(
        "members.member.register",
        actor=actor,
        objects=[
            (m, unit, {"unit": unit.code, "joined_on": p.joined_on.isoformat(), "basis": basis})
            for m, p in zip(members, people, strict=True)
        ],
    )
    return members


@transaction.atomic
def register_member(
    unit: Unit,
    *,
    actor: User | None,
    full_name: str,
    sex: str,
    joined_on: date,
    birth_date: date | None = None,
    user: User | None = None,
    basis: str = "",
) -> Member:
    """Put a member on the roll of `unit` from `joined_on`."""
    full_name = _check_new(unit, full_name, sex, joined_on)
    member = Member.objects.create(
        full_name=full_name,
        search_name=search_key(full_name),
        sort_name=name_sort_key(full_name),
        sex=sex,
        birth_date=birth_date,
        user=user,
    )
    Membership.objects.create(member=member, unit=unit, valid_from=joined_on, basis=basis)
    record(
        "members.member.register",
        actor=actor,
        obj=member,
        unit=unit,
        changes={"unit": unit.code, "joined_on": joined_on, "basis": basis},
    )
    return member


def carry_memberships(
    source: Unit, target: Unit, *, actor: User | None, on: date, basis: str = ""
) -> int:
    """Move every member of `source` on `on` to `target` from that day (a merge or a split).

    Called inside the restructuring service's transaction; returns how many moved.
    """
    current = list(Membership.objects.filter(active_on(on), unit=source))
    return _move(current, target, on=on, basis=basis)


def move_memberships(
    memberships: list[Membership], target: Unit, *, on: date, basis: str = ""
) -> int:
    return _move(memberships, target, on=on, basis=basis)


def _move(memberships: list[Membership], target: Unit, *, on: date, basis: str) -> int:
    if not memberships:
        return 0
    day_before = on - timedelta(days=1)
    opened = []
    for membership in memberships:
        if membership.valid_from >= on:
            raise ValidationError(
                _(
                    "Đảng viên %(name)s chỉ vào %(unit)s từ %(day)s; không thể chuyển trước "
                    "ngày đó. (A member joined after the restructuring date.)"
                )
                % {
                    "name": membership.member.full_name,
                    "unit": membership.unit.name,
                    "day": format_date(membership.valid_from),
                }
            )
        membership.valid_to = day_before
        opened.append(
            Membership(member_id=membership.member_id, unit=target, valid_from=on, basis=basis)
        )
    Membership.objects.bulk_update(memberships, ["valid_to"])
    Membership.objects.bulk_create(opened)
    return len(opened)
