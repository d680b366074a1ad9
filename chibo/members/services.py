"""Writes on members: the roll, the record, and the dated status chain.

Every service checks its input before writing, runs in one transaction and records an audit
event. Bad input raises `ValidationError`, keyed by field where a field is at fault, with a
Vietnamese message followed by its English gist.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import diff, record, record_many
from chibo.lib.bulk import among, update_rows
from chibo.lib.dates import add_months, format_date
from chibo.lib.intervals import active_on
from chibo.lib.vntext import name_order, search_key
from chibo.members import rules
from chibo.members.models import (
    FINAL,
    DuesCategory,
    Extent,
    Member,
    Membership,
    MembershipKind,
    MemberStatus,
    Sex,
    Status,
    card_number_format,
    citizen_id_format,
)
from chibo.units import counts as unit_counts
from chibo.units.models import Unit


@dataclass
class MemberDetails:
    """What can be written about a member: the person and their party record."""

    full_name: str
    sex: str
    birth_date: date | None = None
    hometown: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    citizen_id: str | None = None
    ethnicity: str = ""
    religion: str = ""
    education: str = ""
    occupation: str = ""
    workplace: str = ""
    card_number: str | None = None
    admission_decided_on: date | None = None
    admitted_on: date | None = None
    recognised_on: date | None = None
    dues_category: str = ""
    dues_monthly: int | None = None

    def values(self) -> dict[str, Any]:
        """The fields by name, in order. A shallow copy: the values are plain (text, dates,
        numbers), and `dataclasses.asdict` deep-copies each one, most of the cost of
        checking a file of 10.000 members."""
        return dict(vars(self))


DETAIL_FIELDS = [f.name for f in fields(MemberDetails)]
# The codes, once: `Sex.values` builds the translated labels on every call.
SEXES, DUES_CATEGORIES = frozenset(Sex.values), frozenset(DuesCategory.values)


@dataclass(frozen=True)
class Basis:
    """The document a status change rests on."""

    number: str = ""
    day: date | None = None
    reason: str = ""


def _day(on: date | None) -> str:
    return format_date(on)


def details_of(member: Member) -> MemberDetails:
    return MemberDetails(**{name: getattr(member, name) for name in DETAIL_FIELDS})


def check_details(
    details: MemberDetails, *, instance: Member | None = None, check_unique: bool = True
) -> MemberDetails:
    """Clean `details` and check them; raise ValidationError keyed by field on any fault.

    `check_unique=False` leaves out the two queries for another member with the same citizen
    ID or card number, for callers that check a whole batch at once (`register_members`).
    """
    errors: dict[str, list[str]] = {}

    def fault(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    details.full_name = " ".join((details.full_name or "").split())
    if not details.full_name:
        fault("full_name", _("Họ và tên không được để trống. (Full name is required.)"))
    if details.sex not in SEXES:
        fault("sex", _("Giới tính phải là Nam hoặc Nữ. (Sex must be M or F.)"))
    for name in ("citizen_id", "card_number"):
        value = (getattr(details, name) or "").strip().replace(" ", "")
        setattr(details, name, value or None)
    validators = {"citizen_id": citizen_id_format, "card_number": card_number_format}
    for name, validator in validators.items():
        value = getattr(details, name)
        if value is None:
            continue
        try:
            validator(value)
        except ValidationError as error:
            fault(name, " ".join(error.messages))
            continue
        if not check_unique:
            continue
        clash = Member.objects.filter(**{name: value})
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            fault(name, _taken())
    birth, decided = details.birth_date, details.admission_decided_on
    admitted, recognised = details.admitted_on, details.recognised_on
    if birth and birth > date.today():
        fault("birth_date", _("Ngày sinh ở tương lai. (Birth date in the future.)"))
    min_age = rules.rule("min_admission_age")
    if birth and decided and decided < add_months(birth, 12 * min_age):
        fault(
            "admission_decided_on",
            _("Ngày kết nạp trước khi đủ %(age)s tuổi. (Admitted before age %(age)s.)")
            % {"age": min_age},
        )
    if decided and admitted and admitted < decided:
        fault(
            "admitted_on",
            _("Lễ kết nạp trước ngày quyết định kết nạp. (Ceremony before the decision.)"),
        )
    if recognised and not admitted:
        fault(
            "recognised_on",
            _("Chưa có ngày vào Đảng thì chưa thể công nhận chính thức. (Admission date needed.)"),
        )
    months = rules.rule("probation_months")
    if recognised and admitted and recognised < add_months(admitted, months):
        fault(
            "recognised_on",
            _(
                "Công nhận chính thức trước khi hết %(months)s tháng dự bị. "
                "(Recognised before the end of probation.)"
            )
            % {"months": months},
        )
    if details.dues_category and details.dues_category not in DUES_CATEGORIES:
        fault("dues_category", _("Đối tượng đóng đảng phí không hợp lệ. (Unknown category.)"))
    if details.dues_category == DuesCategory.OTHER and details.dues_monthly is not None:
        low, high = rules.rule("other_dues_min"), rules.rule("other_dues_max")
        # Members beyond working age pay half of the in-age rate (342-QĐ/TW).
        if not low // 2 <= details.dues_monthly <= high:
            fault(
                "dues_monthly",
                _("Mức đảng phí phải từ %(low)s đến %(high)s đồng. (Out of range.)")
                % {"low": f"{low // 2:,}".replace(",", "."), "high": f"{high:,}".replace(",", ".")},
            )
    if details.email and "@" not in details.email:
        fault("email", _("Địa chỉ thư điện tử không hợp lệ. (Invalid e-mail.)"))
    if errors:
        raise ValidationError(errors)
    return details


def _taken() -> str:
    return _("Số này đã thuộc về một đảng viên khác. (Already used by another member.)")


def _holders(name: str, values: list[str]) -> dict[str, set[int]]:
    """The members on record holding each of `values` as their `name` (citizen ID, card
    number), for the values someone holds: one query, however many numbers."""
    holders: dict[str, set[int]] = {}
    if not values:
        return holders
    for value, pk in Member.objects.filter(among(name, values)).values_list(name, "pk"):
        holders.setdefault(value, set()).add(pk)
    return holders


def _check_unique_batch(people: list[MemberDetails]) -> None:
    """No two people of a batch, and none of them and a member on record, share a citizen ID
    or card number: the uniqueness rule of `check_details`, for many at once."""
    for name in ("citizen_id", "card_number"):
        values = [v for p in people if (v := getattr(p, name))]
        if len(values) != len(set(values)) or _holders(name, values):
            raise ValidationError({name: [_taken()]})


def _new_member(details: MemberDetails, user: User | None = None) -> Member:
    return Member(
        **details.values(),
        search_name=(key := search_key(details.full_name)),
        sort_name=name_order(key),
        user=user,
    )


def opening_chain(member: Member, on: date) -> list[MemberStatus]:
    """The status chain of a member put on the roll on `on`: probationary until recognised."""
    recognised = member.recognised_on
    if recognised is None and member.admitted_on is None:
        # An existing member entered without dates: the register says official.
        return [MemberStatus(member=member, status=Status.OFFICIAL, valid_from=on)]
    if recognised is not None and recognised <= on:
        return [MemberStatus(member=member, status=Status.OFFICIAL, valid_from=on)]
    if recognised is None:
        return [MemberStatus(member=member, status=Status.PROBATIONARY, valid_from=on)]
    return [
        MemberStatus(
            member=member,
            status=Status.PROBATIONARY,
            valid_from=on,
            valid_to=recognised - timedelta(days=1),
        ),
        MemberStatus(member=member, status=Status.OFFICIAL, valid_from=recognised),
    ]


def _check_unit_open(unit: Unit, on: date) -> None:
    if not unit.is_active_on(on):
        raise ValidationError(
            _("%(unit)s không hoạt động vào ngày %(day)s. (Unit not active on that date.)")
            % {"unit": unit.name, "day": _day(on)}
        )


@transaction.atomic
def register_member(
    unit: Unit,
    *,
    actor: User | None,
    details: MemberDetails,
    on: date,
    user: User | None = None,
    basis: str = "",
) -> Member:
    """Put a member on the roll of `unit` from `on` (data entry of an existing member)."""
    return register_members(
        unit, actor=actor, people=[details], on=[on], basis=basis, users=[user]
    )[0]


@transaction.atomic
def register_members(
    unit: Unit,
    *,
    actor: User | None,
    people: list[MemberDetails],
    on: list[date],
    basis: str = "",
    users: list[User | None] | None = None,
) -> list[Member]:
    """Put many members on the roll of `unit` at once (an initial roll, an import): all or none.

    `on[i]` is the day person i joins this unit's roll.
    """
    for day in set(on):
        _check_unit_open(unit, day)
    checked = [check_details(p, check_unique=False) for p in people]
    _check_unique_batch(checked)
    for day, person in zip(on, checked, strict=True):
        if person.admitted_on and day < person.admitted_on:
            raise ValidationError(
                {
                    "admitted_on": [
                        _("Vào danh sách trước ngày vào Đảng. (On the roll before admission.)")
                    ]
                }
            )
    members = Member.objects.bulk_create(
        [_new_member(p, u) for p, u in zip(checked, users or [None] * len(people), strict=True)],
        batch_size=500,
    )
    Membership.objects.bulk_create(
        [
            Membership(member=m, unit=unit, valid_from=day, basis=basis)
            for m, day in zip(members, on, strict=True)
        ],
        batch_size=500,
    )
    MemberStatus.objects.bulk_create(
        [s for m, day in zip(members, on, strict=True) for s in opening_chain(m, day)],
        batch_size=500,
    )
    record_many(
        "members.member.register",
        actor=actor,
        objects=[
            (m, unit, {"unit": unit.code, "on": day.isoformat(), "basis": basis})
            for m, day in zip(members, on, strict=True)
        ],
    )
    if on:
        roll_changed(unit, min(on))
    return members


def roll_changed(unit: Unit, on: date) -> None:
    """Members were put on `unit`'s roll from `on` (registered one by one or imported): its
    stored subtree counts are recomputed on commit, and its stored lapses from that month on
    are forgotten now, to be read again when next needed (decision 0016)."""
    from chibo.compliance.lapses import forget  # lazy: compliance reads the roll

    unit_counts.units_changed([unit.pk], on)
    forget([unit.pk], on)


def home_unit(member: Member, on: date) -> Unit | None:
    """The unit whose roll the member is on, on `on`."""
    membership = (
        Membership.objects.filter(active_on(on), member=member, kind=MembershipKind.OFFICIAL)
        .select_related("unit")
        .first()
    )
    return membership.unit if membership else None


def latest_unit(member: Member) -> Unit | None:
    """The unit whose roll the member was on last (for members who have left)."""
    membership = (
        Membership.objects.filter(member=member, kind=MembershipKind.OFFICIAL)
        .select_related("unit")
        .order_by("-valid_from")
        .first()
    )
    return membership.unit if membership else None


def update_member(
    member: Member, *, actor: User | None, changes: dict[str, Any], reason: str = ""
) -> Member:
    """Edit or correct a member's record; the change and its reason go to the history.

    Raises ValidationError keyed by field. (`update_members` holds the transaction.)"""
    return update_members([(member, changes)], actor=actor, reason=reason)[0]


@transaction.atomic
def update_members(
    edits: Sequence[tuple[Member, dict[str, Any]]],
    *,
    actor: User | None,
    reason: str = "",
    where: Callable[[int, str], str] | None = None,
) -> list[Member]:
    """Edit or correct the records of many members at once (an import's updates), each as
    `update_member` does, all or none, in a few statements whatever their number: the members
    locked and read in one, the numbers they take checked in one a kind, the chains of those
    whose dates change read in one, the changed records written together, their units read in
    one and one audit event each written in one insert.

    Each edit is merged into the record as it is once locked. A fault raises ValidationError:
    keyed by field where there is one edit and no `where`; else a list of messages, each named
    by `where(i, message)` for the edit `i` it is about. Returns the members, as edited.
    """
    unknown = {name for _member, changes in edits for name in changes} - set(DETAIL_FIELDS)
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %(f)s") % {"f": ", ".join(sorted(unknown))})
    ids = [member.pk for member, _changes in edits]
    locked = {m.pk: m for m in Member.objects.select_for_update().filter(among("pk", ids))}
    faults: dict[int, dict[str, list[str]]] = {}
    edited: list[_Edit] = []
    for i, (member, changes) in enumerate(edits):
        current = locked[member.pk]
        before = details_of(current).values()
        try:
            details = check_details(MemberDetails(**{**before, **changes}), check_unique=False)
        except ValidationError as error:
            faults[i] = error.message_dict
            continue
        if details.values() != before:
            edited.append(_Edit(i, current, before, details))
    for i, fault in [*_numbers_taken(edited), *_chains_against_dates(edited)]:
        for name, messages in fault.message_dict.items():
            faults.setdefault(i, {}).setdefault(name, []).extend(messages)
    if faults:
        if where is None and len(edits) == 1:
            raise ValidationError(faults[0])
        name_of = where or (lambda _i, message: message)
        raise ValidationError(
            [name_of(i, m) for i in sorted(faults) for ms in faults[i].values() for m in ms]
        )
    if not edited:
        return [locked[pk] for pk in ids]
    changed = {n for e in edited for n, value in e.details.values().items() if value != e.before[n]}
    for edit in edited:
        for name, value in edit.details.values().items():
            setattr(edit.member, name, value)
        edit.member.search_name = search_key(edit.member.full_name)
        edit.member.sort_name = name_order(edit.member.search_name)
    update_rows(Member, [*sorted(changed), "search_name", "sort_name"], [e.member for e in edited])
    units = latest_units([e.member.pk for e in edited])
    record_many(
        "members.member.update",
        actor=actor,
        objects=[
            (
                e.member,
                units.get(e.member.pk),
                {**diff(e.before, e.details.values()), "reason": reason},
            )
            for e in edited
        ],
    )
    return [locked[pk] for pk in ids]


@dataclass
class _Edit:
    """One edit of `update_members` that changes the record: which, of what, to what."""

    index: int
    member: Member
    before: dict[str, Any]
    details: MemberDetails


def _numbers_taken(edited: list[_Edit]) -> list[tuple[int, ValidationError]]:
    """The edits giving a citizen ID or card number that another member holds, or that
    another edit gives too: the uniqueness rule of `check_details`, for many at once."""
    faults = []
    for name in ("citizen_id", "card_number"):
        claims: dict[str, list[_Edit]] = {}
        for edit in edited:
            if value := getattr(edit.details, name):
                claims.setdefault(value, []).append(edit)
        if not claims:
            continue
        holders = _holders(name, list(claims))
        for value, edits in claims.items():
            for edit in edits:
                if len(edits) > 1 or holders.get(value, set()) - {edit.member.pk}:
                    faults.append((edit.index, ValidationError({name: [_taken()]})))
    return faults


def _chains_against_dates(edited: list[_Edit]) -> list[tuple[int, ValidationError]]:
    """`check_chain_against_dates` for the edits that change an admission or recognition
    date, their chains read in one query."""
    dated = [
        e
        for e in edited
        if (e.before["recognised_on"], e.before["admitted_on"])
        != (e.details.recognised_on, e.details.admitted_on)
    ]
    if not dated:
        return []
    chains = chains_of([e.member.pk for e in dated])
    faults = []
    for edit in dated:
        try:
            check_chain_against_dates(edit.member, edit.details, chain=chains[edit.member.pk])
        except ValidationError as error:
            faults.append((edit.index, error))
    return faults


def chains_of(ids: list[int]) -> dict[int, list[MemberStatus]]:
    """The status chains of the members `ids`, each in date order, in one query."""
    chains: dict[int, list[MemberStatus]] = {pk: [] for pk in ids}
    for link in MemberStatus.objects.filter(among("member_id", ids)).order_by(
        "member_id", "valid_from"
    ):
        chains[link.member_id].append(link)
    return chains


def latest_units(ids: list[int]) -> dict[int, Unit]:
    """`latest_unit` of each of the members `ids`, in one query."""
    units: dict[int, Unit] = {}
    latest_first = (
        Membership.objects.filter(among("member_id", ids), kind=MembershipKind.OFFICIAL)
        .select_related("unit")
        .order_by("member_id", "-valid_from")
    )
    for membership in latest_first:
        units.setdefault(membership.member_id, membership.unit)
    return units


def check_chain_against_dates(
    member: Member, details: MemberDetails, *, chain: list[MemberStatus] | None = None
) -> None:
    """No official status before recognition, no status at all before admission. `chain`: the
    member's statuses in date order, where the caller has read them."""
    if chain is None:
        chain = list(member.statuses.order_by("valid_from"))
    if details.admitted_on and chain and chain[0].valid_from < details.admitted_on:
        raise ValidationError(
            {"admitted_on": [_("Đã có tình trạng trước ngày này. (Statuses exist before it.)")]}
        )
    official = [s for s in chain if s.status == Status.OFFICIAL]
    if official and details.recognised_on and official[0].valid_from < details.recognised_on:
        raise ValidationError(
            {
                "recognised_on": [
                    _("Đã là đảng viên chính thức trước ngày này. (Official before this date.)")
                ]
            }
        )


# Which status may follow which (RULES.md §2): overlays (exempted, attached, suspended) sit on a
# standing (probationary, official) and return to it; final statuses end the chain.
STANDING = frozenset({Status.PROBATIONARY, Status.OFFICIAL})
OVERLAYS = frozenset({Status.EXEMPTED, Status.ATTACHED, Status.SUSPENDED})
ALLOWED_NEXT: dict[str, frozenset[str]] = {
    Status.PROBATIONARY: frozenset({Status.OFFICIAL}) | OVERLAYS | FINAL,
    Status.OFFICIAL: OVERLAYS | FINAL,
    Status.EXEMPTED: STANDING | FINAL | {Status.SUSPENDED},
    Status.ATTACHED: STANDING | FINAL | {Status.SUSPENDED},
    Status.SUSPENDED: STANDING | FINAL,
}


def _standing(member: Member, on: date) -> str:
    """Probationary or official on `on`, from the recognition date on the record."""
    if member.recognised_on is not None and member.recognised_on <= on:
        return Status.OFFICIAL
    if member.recognised_on is None and member.admitted_on is None:
        return Status.OFFICIAL
    return Status.PROBATIONARY


def _change_status(
    member: Member,
    status: str,
    *,
    actor: User | None,
    on: date,
    basis: Basis,
    action: str,
    extent: str = "",
    until: date | None = None,
) -> MemberStatus:
    """Close the open link of the chain the day before `on` and open `status` from `on`.

    With `until`, the new status ends that day and the member's standing resumes the day after.
    """
    current = (
        MemberStatus.objects.select_for_update()
        .filter(member=member, valid_to__isnull=True)
        .first()
    )
    if current is None:
        raise ValidationError(
            _("%(name)s chưa có trong danh sách. (Not on a roll.)") % {"name": member}
        )
    if current.status in FINAL:
        raise ValidationError(
            _("%(name)s đã %(status)s từ %(day)s; không thể thay đổi tiếp. (Status is final.)")
            % {
                "name": member,
                "status": current.get_status_display().lower(),
                "day": _day(current.valid_from),
            }
        )
    if status not in ALLOWED_NEXT[current.status]:
        raise ValidationError(
            _("Không thể chuyển từ “%(a)s” sang “%(b)s”. (Transition not allowed.)")
            % {"a": current.get_status_display(), "b": Status(status).label}
        )
    if on <= current.valid_from:
        raise ValidationError(
            _(
                "Tình trạng hiện tại bắt đầu từ %(day)s; ngày thay đổi phải sau ngày đó. "
                "(The change must come after the current status began.)"
            )
            % {"day": _day(current.valid_from)}
        )
    if until is not None and until < on:
        raise ValidationError(_("Ngày kết thúc trước ngày bắt đầu. (End before start.)"))
    current.valid_to = on - timedelta(days=1)
    current.save(update_fields=["valid_to"])
    created = MemberStatus.objects.create(
        member=member,
        status=status,
        extent=extent,
        valid_from=on,
        valid_to=until,
        basis_number=basis.number,
        basis_date=basis.day,
        reason=basis.reason,
    )
    if until is not None:
        MemberStatus.objects.create(
            member=member,
            status=_standing(member, until + timedelta(days=1)),
            valid_from=until + timedelta(days=1),
        )
    if status in FINAL:
        Membership.objects.filter(member=member).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        ).update(valid_to=on - timedelta(days=1))
    record(
        action,
        actor=actor,
        obj=member,
        unit=home_unit(member, on - timedelta(days=1)) or latest_unit(member),
        changes={
            "status": {"before": current.status, "after": status},
            "on": on,
            "until": until,
            "extent": extent,
            "basis": basis.number,
            "basis_date": basis.day,
        },
    )
    counted_in = home_unit(member, on) or home_unit(member, on - timedelta(days=1))
    if counted_in is not None:
        from chibo.compliance.services import unit_changed  # lazy: compliance reads the roll

        unit_changed(counted_in.pk, on)
        unit_counts.units_changed([counted_in.pk], on)
    return created


@transaction.atomic
def recognise_member(member: Member, *, actor: User | None, on: date, basis: Basis) -> Member:
    """Recognise a probationary member as official from `on` (Điều lệ Art. 5)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    months = rules.rule("probation_months")
    if member.admitted_on and on < add_months(member.admitted_on, months):
        raise ValidationError(
            _("Chưa hết %(months)s tháng dự bị (vào Đảng %(day)s). (Probation not over.)")
            % {"months": months, "day": _day(member.admitted_on)}
        )
    _change_status(
        member, Status.OFFICIAL, actor=actor, on=on, basis=basis, action="members.member.recognise"
    )
    member.recognised_on = on
    member.save(update_fields=["recognised_on"])
    return member


@transaction.atomic
def exempt_member(
    member: Member, *, actor: User | None, on: date, extent: str, basis: Basis
) -> MemberStatus:
    """Exempt a member from work and activities (fully or partly), as the cell resolved."""
    if extent not in Extent.values:
        raise ValidationError({"extent": [_("Hãy chọn miễn toàn bộ hay một phần. (Extent.)")]})
    if not basis.number:
        raise ValidationError(
            {
                "basis_number": [
                    _("Cần số nghị quyết của chi bộ. (The cell's resolution is required.)")
                ]
            }
        )
    return _change_status(
        member,
        Status.EXEMPTED,
        actor=actor,
        on=on,
        basis=basis,
        extent=extent,
        action="members.member.exempt",
    )


@transaction.atomic
def suspend_member(
    member: Member, *, actor: User | None, on: date, basis: Basis, until: date | None = None
) -> MemberStatus:
    if not basis.number:
        raise ValidationError({"basis_number": [_("Cần số quyết định. (A decision is required.)")]})
    return _change_status(
        member,
        Status.SUSPENDED,
        actor=actor,
        on=on,
        basis=basis,
        until=until,
        action="members.member.suspend",
    )


@transaction.atomic
def resume_activity(member: Member, *, actor: User | None, on: date, basis: Basis) -> MemberStatus:
    """End an exemption or a suspension: the member is active again from `on`."""
    current = MemberStatus.objects.filter(member=member, valid_to__isnull=True).first()
    if current is None or current.status not in (Status.EXEMPTED, Status.SUSPENDED):
        raise ValidationError(
            _("Đảng viên không đang được miễn hay bị đình chỉ. (Not exempted or suspended.)")
        )
    return _change_status(
        member,
        _standing(member, on),
        actor=actor,
        on=on,
        basis=basis,
        action="members.member.resume",
    )


def _final(status: str, action: str, needs_basis: bool = True):  # type: ignore[no-untyped-def]
    @transaction.atomic
    def end(member: Member, *, actor: User | None, on: date, basis: Basis) -> MemberStatus:
        if needs_basis and not basis.number:
            raise ValidationError(
                {"basis_number": [_("Cần số quyết định. (A decision is required.)")]}
            )
        return _change_status(member, status, actor=actor, on=on, basis=basis, action=action)

    return end


remove_member = _final(Status.REMOVED, "members.member.remove")
remove_member.__doc__ = (
    "Remove a member from the roll (xóa tên) on the competent committee's decision."
)
expel_member = _final(Status.EXPELLED, "members.member.expel")
expel_member.__doc__ = "Expel a member (khai trừ), a disciplinary measure, with its decision."
record_death = _final(Status.DECEASED, "members.member.die", needs_basis=False)
record_death.__doc__ = "Record a member's death: nothing can follow it."


def status_on(member: Member, on: date) -> MemberStatus | None:
    return MemberStatus.objects.filter(active_on(on), member=member).first()


# Moving members between units (restructuring) -------------------------------------------


def carry_memberships(
    source: Unit, target: Unit, *, actor: User | None, on: date, basis: str = ""
) -> int:
    """Move every member of `source` on `on` to `target` from that day (a merge or a split).

    Called inside the restructuring service's transaction; returns how many moved.
    """
    current = list(Membership.objects.filter(active_on(on), unit=source))
    return move_memberships(current, target, on=on, basis=basis)


def move_memberships(
    memberships: Iterable[Membership], target: Unit, *, on: date, basis: str = ""
) -> int:
    memberships = list(memberships)
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
            Membership(
                member_id=membership.member_id,
                unit=target,
                kind=membership.kind,
                valid_from=on,
                basis=basis,
            )
        )
    Membership.objects.bulk_update(memberships, ["valid_to"])
    Membership.objects.bulk_create(opened)
    return len(opened)
