"""Restructuring the organisation tree: create, rename, move, merge, split and dissolve.

Every service is dated (`on` is the first day of the new state), checks its input before
writing anything, runs in one transaction and records an audit event. Bad input raises
`ValidationError` with a Vietnamese message followed by its English gist.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chibo.accounts.models import User
from chibo.audit.services import record
from chibo.lib.dates import format_date, today
from chibo.lib.intervals import active_on
from chibo.lib.vntext import search_key
from chibo.members import services as member_services
from chibo.members.models import Membership
from chibo.units import counts, selectors, treepath
from chibo.units.models import EndReason, KindRule, Unit, UnitKind, UnitVersion


def _error(message: str, code: str, /, **params: object) -> ValidationError:
    return ValidationError(message % params if params else message, code=code)


def check_nesting(parent_kind: str | None, child_kind: str) -> None:
    """A unit of `child_kind` may sit under `parent_kind` (None: at the top) only by a KindRule."""
    if not KindRule.objects.filter(parent_kind=parent_kind or "", child_kind=child_kind).exists():
        child = UnitKind(child_kind).label
        if parent_kind is None:
            raise _error(
                _("%(child)s không thể là cấp cao nhất. (This kind cannot be a root.)"),
                "wrong_kind",
                child=child,
            )
        raise _error(
            _("%(child)s không thể trực thuộc %(parent)s. (Wrong parent kind.)"),
            "wrong_kind",
            child=child,
            parent=UnitKind(parent_kind).label,
        )


def _check_active(unit: Unit, on: date) -> None:
    if not unit.is_active_on(on):
        raise _error(
            _("%(unit)s không hoạt động vào ngày %(day)s. (The unit is not active on that date.)"),
            "inactive",
            unit=unit.name,
            day=format_date(on),
        )


def _open_version(unit: Unit) -> UnitVersion:
    return UnitVersion.objects.get(unit=unit, valid_to__isnull=True)


def _live_children_of(unit: Unit, on: date) -> list[Unit]:
    return list(selectors.live_children(unit, on))


def _check_no_later_change(units: Iterable[Unit], on: date) -> None:
    """History is appended, never rewritten: nothing may start after the new state does."""
    later = (
        UnitVersion.objects.filter(unit__in=list(units), valid_from__gt=on)
        .select_related("unit")
        .first()
    )
    if later is not None:
        raise _error(
            _(
                "%(unit)s đã có thay đổi từ ngày %(later)s, sau ngày %(day)s. Hãy chọn ngày từ "
                "%(later)s trở đi. (A later change exists: dates would overlap.)"
            ),
            "overlap",
            unit=later.unit.name,
            later=format_date(later.valid_from),
            day=format_date(on),
        )


def _check_code(code: str) -> str:
    code = code.strip().upper()
    if not code:
        raise _error(_("Mã đơn vị không được để trống. (Code is required.)"), "required")
    if Unit.objects.filter(code=code).exists():
        raise _error(
            _("Mã %(code)s đã được dùng. (The code is already used.)"), "duplicate", code=code
        )
    return code


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise _error(_("Tên đơn vị không được để trống. (Name is required.)"), "required")
    return name


def _new_version(
    unit: Unit, *, on: date, basis: str, name: str | None = None, parent: Unit | None = None
) -> None:
    """Close the unit's open version the day before `on` and open one from `on`.

    A change on the very day the open version started replaces that version instead.
    """
    current = _open_version(unit)
    new_parent = parent if parent is not None else unit.parent
    if current.valid_from == on:
        current.name = name or current.name
        current.parent = new_parent
        current.path = unit.path
        current.basis = basis or current.basis
        current.save()
        return
    current.valid_to = on - timedelta(days=1)
    current.save(update_fields=["valid_to"])
    UnitVersion.objects.create(
        unit=unit,
        name=name or current.name,
        parent=new_parent,
        path=unit.path,
        valid_from=on,
        basis=basis,
    )


@transaction.atomic
def create_unit(
    parent: Unit | None,
    *,
    actor: User | None,
    kind: str,
    name: str,
    code: str,
    on: date,
    basis: str = "",
) -> Unit:
    """Found a unit under `parent` (or at the top of the tree) from `on`."""
    if kind not in UnitKind.values:
        raise _error(_("Cấp tổ chức không hợp lệ. (Unknown kind.)"), "wrong_kind")
    check_nesting(parent.kind if parent else None, kind)
    if parent is not None:
        _check_active(parent, on)
    name = _check_name(name)
    code = _check_code(code)
    unit = Unit.objects.create(
        kind=kind,
        code=code,
        name=name,
        search_name=search_key(name),
        parent=parent,
        path=f"tmp-{code}",
        valid_from=on,
    )
    unit.path = treepath.child_path(parent.path if parent else "", unit.pk)
    unit.save(update_fields=["path"])
    UnitVersion.objects.create(
        unit=unit, name=name, parent=parent, path=unit.path, valid_from=on, basis=basis
    )
    counts.units_changed([unit.pk], on)
    record(
        "units.unit.create",
        actor=actor,
        obj=unit,
        unit=unit,
        changes={
            "kind": kind,
            "name": name,
            "code": code,
            "parent": parent and parent.code,
            "valid_from": on,
            "basis": basis,
        },
    )
    return unit


@transaction.atomic
def rename_unit(unit: Unit, *, actor: User | None, name: str, on: date, basis: str = "") -> Unit:
    """Give a unit a new name from `on`; reports for earlier dates keep the old name."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_active(unit, on)
    name = _check_name(name)
    _check_no_later_change([unit], on)
    old = unit.name
    if name == old:
        raise _error(_("Tên mới trùng tên hiện tại. (The name is unchanged.)"), "unchanged")
    _new_version(unit, on=on, basis=basis, name=name)
    unit.name = name
    unit.search_name = search_key(name)
    unit.save(update_fields=["name", "search_name"])
    record(
        "units.unit.rename",
        actor=actor,
        obj=unit,
        unit=unit,
        changes={"name": {"before": old, "after": name}, "on": on, "basis": basis},
    )
    return unit


def _live_subtree(unit: Unit, on: date) -> list[Unit]:
    return list(Unit.objects.filter(treepath.within(unit.path), active_on(on)).order_by("path"))


def _place(unit: Unit, new_parent: Unit) -> list[Unit]:
    """Put `unit`, and every unit whose path lies below it, under `new_parent` today."""
    old_prefix = unit.path
    new_prefix = treepath.child_path(new_parent.path, unit.pk)
    held = list(Unit.objects.filter(treepath.within(old_prefix)))
    for held_unit in held:
        held_unit.path = new_prefix + held_unit.path[len(old_prefix) :]
        if held_unit.pk == unit.pk:
            held_unit.parent = new_parent
    Unit.objects.bulk_update(held, ["path", "parent"])
    return held


def _relocate(unit: Unit, new_parent: Unit, *, on: date, basis: str) -> None:
    """Move `unit` and everything it holds under `new_parent`, with new versions from `on`."""
    for held_unit in _place(unit, new_parent):
        if held_unit.is_active_on(on) and held_unit.valid_to is None:
            _new_version(held_unit, on=on, basis=basis)


def _check_move(unit: Unit, new_parent: Unit, on: date) -> None:
    _check_active(new_parent, on)
    if treepath.is_within(new_parent.path, unit.path):
        raise _error(
            _(
                "Không thể chuyển %(unit)s vào %(parent)s vì %(parent)s nằm trong %(unit)s. "
                "(This would make a cycle.)"
            ),
            "cycle",
            unit=unit.name,
            parent=new_parent.name,
        )
    check_nesting(new_parent.kind, unit.kind)


@transaction.atomic
def move_unit(
    unit: Unit, *, actor: User | None, new_parent: Unit, on: date, basis: str = ""
) -> Unit:
    """Place a unit, with everything below it, under another parent from `on`."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_active(unit, on)
    if unit.parent_id == new_parent.pk:
        raise _error(_("Đơn vị đã trực thuộc cấp trên này. (Already there.)"), "unchanged")
    _check_move(unit, new_parent, on)
    _check_no_later_change(_live_subtree(unit, on), on)
    old_parent = unit.parent
    _relocate(unit, new_parent, on=on, basis=basis)
    unit.refresh_from_db()
    counts.units_changed([unit.pk, old_parent.pk if old_parent else None], on)
    record(
        "units.unit.move",
        actor=actor,
        obj=unit,
        unit=unit,
        changes={
            "parent": {"before": old_parent and old_parent.code, "after": new_parent.code},
            "on": on,
            "basis": basis,
        },
    )
    return unit


def _end(unit: Unit, *, on: date, reason: str, basis: str, successor: Unit | None) -> None:
    day_before = on - timedelta(days=1)
    staying = (
        Membership.objects.filter(unit=unit)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("member")
        .first()
    )
    if staying is not None:
        raise _error(
            _(
                "Đảng viên %(name)s còn sinh hoạt ở %(unit)s từ %(day)s, sau ngày kết thúc. "
                "(A member belongs to the unit after its end date.)"
            ),
            "not_empty",
            name=staying.member.full_name,
            unit=unit.name,
            day=format_date(max(staying.valid_from, on)),
        )
    current = _open_version(unit)
    if current.valid_from > day_before:
        raise _error(
            _(
                "%(unit)s bắt đầu giai đoạn hiện tại từ %(since)s; ngày kết thúc phải sau đó. "
                "(The end date must come after the unit's last change.)"
            ),
            "overlap",
            unit=unit.name,
            since=format_date(current.valid_from),
        )
    current.valid_to = day_before
    current.basis = current.basis or basis
    current.save(update_fields=["valid_to", "basis"])
    unit.valid_to = day_before
    unit.end_reason = reason
    unit.successor = successor
    unit.save(update_fields=["valid_to", "end_reason", "successor"])


@transaction.atomic
def dissolve_unit(unit: Unit, *, actor: User | None, on: date, basis: str = "") -> Unit:
    """End a unit from `on` (its last day is the day before). It must hold nobody by then."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_active(unit, on)
    children = _live_children_of(unit, on)
    if children:
        raise _error(
            _(
                "%(unit)s còn %(count)s tổ chức trực thuộc: hãy chuyển, sáp nhập hoặc giải thể "
                "chúng trước. (The unit still has units under it.)"
            ),
            "not_empty",
            unit=unit.name,
            count=len(children),
        )
    members = Membership.objects.filter(active_on(on), unit=unit).count()
    if members:
        raise _error(
            _(
                "%(unit)s còn %(count)s đảng viên sinh hoạt: hãy chuyển sinh hoạt trước khi giải "
                "thể. (The unit still has members.)"
            ),
            "not_empty",
            unit=unit.name,
            count=members,
        )
    _end(unit, on=on, reason=EndReason.DISSOLVED, basis=basis, successor=None)
    counts.units_changed([unit.pk, unit.parent_id], on)
    record(
        "units.unit.dissolve",
        actor=actor,
        obj=unit,
        unit=unit,
        changes={"valid_to": unit.valid_to, "basis": basis},
    )
    return unit


@transaction.atomic
def merge_units(
    sources: Sequence[Unit], *, actor: User | None, into: Unit, on: date, basis: str = ""
) -> Unit:
    """Merge several units into `into` from `on`.

    The units and members under each source move to `into`; each source ends the day before,
    names `into` as its successor and hands it its records, so its history stays reachable
    from `into`.
    """
    if not sources:
        raise _error(_("Hãy chọn ít nhất một đơn vị để sáp nhập. (Nothing to merge.)"), "required")
    target = Unit.objects.select_for_update().get(pk=into.pk)
    if not target.is_active_on(on):
        raise _error(
            _(
                "Không thể sáp nhập vào %(unit)s: đơn vị này không hoạt động vào ngày %(day)s. "
                "(Cannot merge into a dissolved or not yet founded unit.)"
            ),
            "inactive",
            unit=target.name,
            day=format_date(on),
        )
    locked = list(Unit.objects.select_for_update().filter(pk__in=[s.pk for s in sources]))
    for source in locked:
        if source.pk == target.pk:
            raise _error(
                _("Không thể sáp nhập %(unit)s vào chính nó. (A unit cannot merge into itself.)"),
                "cycle",
                unit=source.name,
            )
        _check_active(source, on)
        if treepath.is_within(target.path, source.path):
            raise _error(
                _(
                    "Không thể sáp nhập %(unit)s vào %(target)s vì %(target)s nằm trong "
                    "%(unit)s. (This would make a cycle.)"
                ),
                "cycle",
                unit=source.name,
                target=target.name,
            )
        for child in _live_children_of(source, on):
            check_nesting(target.kind, child.kind)
        _check_no_later_change(_live_subtree(source, on), on)
    _check_no_later_change([target], on)

    for source in locked:
        counts.units_changed([source.pk, target.pk, source.parent_id], on)
        children = _live_children_of(source, on)
        for child in children:
            _relocate(child, target, on=on, basis=basis)
        carried = member_services.carry_memberships(source, target, actor=actor, on=on, basis=basis)
        source.refresh_from_db()
        _end(source, on=on, reason=EndReason.MERGED, basis=basis, successor=target)
        _hand_over_records(source, target)
        record(
            "units.unit.merge",
            actor=actor,
            obj=source,
            unit=target,
            changes={
                "into": target.code,
                "on": on,
                "basis": basis,
                "units_moved": [child.code for child in children],
                "members_moved": carried,
            },
        )
    return target


def _hand_over_records(ended: Unit, keeper: Unit) -> None:
    """An ended unit's records are kept by `keeper`: place it there in the custody tree."""
    _place(ended, keeper)


@dataclass
class SplitPart:
    """One of the units a split creates, with the units and members it takes over."""

    name: str
    code: str
    child_ids: list[int] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)


@transaction.atomic
def split_unit(
    unit: Unit, *, actor: User | None, parts: Sequence[SplitPart], on: date, basis: str = ""
) -> list[Unit]:
    """Split a unit into new units of the same kind under the same parent, from `on`.

    Every unit and member under the old unit on that day must go to exactly one part.
    """
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_active(unit, on)
    if len(parts) < 2:
        raise _error(_("Chia tách cần ít nhất hai đơn vị mới. (At least two parts.)"), "required")
    if unit.parent is None:
        raise _error(_("Không thể chia tách cấp cao nhất. (Cannot split the root.)"), "root")
    _check_no_later_change(_live_subtree(unit, on), on)
    children = {child.pk: child for child in _live_children_of(unit, on)}
    memberships = {
        m.member_id: m
        for m in Membership.objects.filter(active_on(on), unit=unit).select_related("member")
    }
    _check_assigned(
        [pid for part in parts for pid in part.child_ids], set(children), _("tổ chức trực thuộc")
    )
    _check_assigned(
        [mid for part in parts for mid in part.member_ids], set(memberships), _("đảng viên")
    )
    created = [
        create_unit(
            unit.parent,
            actor=actor,
            kind=unit.kind,
            name=part.name,
            code=part.code,
            on=on,
            basis=basis,
        )
        for part in parts
    ]
    for part, new_unit in zip(parts, created, strict=True):
        for child_id in part.child_ids:
            _relocate(children[child_id], new_unit, on=on, basis=basis)
        member_services.move_memberships(
            [memberships[mid] for mid in part.member_ids], new_unit, on=on, basis=basis
        )
    unit.refresh_from_db()
    _end(unit, on=on, reason=EndReason.SPLIT, basis=basis, successor=None)
    counts.units_changed([unit.pk, unit.parent_id], on)
    record(
        "units.unit.split",
        actor=actor,
        obj=unit,
        unit=unit,
        changes={"into": [u.code for u in created], "on": on, "basis": basis},
    )
    return created


def _check_assigned(assigned: list[int], expected: set[int], what: str) -> None:
    if len(assigned) != len(set(assigned)):
        raise _error(
            _("Mỗi %(what)s chỉ được giao cho một đơn vị mới. (Assigned twice.)"),
            "duplicate",
            what=what,
        )
    if set(assigned) != expected:
        raise _error(
            _(
                "Mọi %(what)s của đơn vị cũ phải được giao cho đúng một đơn vị mới, và chỉ "
                "chúng. (Every child and member must go to exactly one part.)"
            ),
            "unassigned",
            what=what,
        )


@transaction.atomic
def allow_nesting(parent_kind: str, child_kind: str, *, actor: User | None, basis: str) -> KindRule:
    """Let units of `child_kind` sit under `parent_kind` ("" for the top of the tree)."""
    if parent_kind not in ["", *UnitKind.values] or child_kind not in UnitKind.values:
        raise _error(_("Cấp tổ chức không hợp lệ. (Unknown kind.)"), "wrong_kind")
    if not basis.strip():
        raise _error(_("Hãy ghi căn cứ của quy tắc. (A basis is required.)"), "required")
    if KindRule.objects.filter(parent_kind=parent_kind, child_kind=child_kind).exists():
        raise _error(_("Quy tắc này đã có. (The rule exists.)"), "duplicate")
    rule = KindRule.objects.create(
        parent_kind=parent_kind, child_kind=child_kind, basis=basis.strip()
    )
    record(
        "units.kind_rule.allow",
        actor=actor,
        obj=rule,
        unit=None,
        changes={"parent_kind": parent_kind, "child_kind": child_kind, "basis": rule.basis},
    )
    return rule


@transaction.atomic
def forbid_nesting(rule: KindRule, *, actor: User | None) -> None:
    """Remove a nesting rule that no unit active today relies on."""
    in_use = Unit.objects.filter(active_on(today()), kind=rule.child_kind)
    in_use = (
        in_use.filter(parent__kind=rule.parent_kind)
        if rule.parent_kind
        else in_use.filter(parent__isnull=True)
    )
    count = in_use.count()
    if count:
        raise _error(
            _(
                "Còn %(count)s tổ chức đang hoạt động theo quy tắc này; không thể bỏ. "
                "(Units still rely on this rule.)"
            ),
            "in_use",
            count=count,
        )
    record(
        "units.kind_rule.forbid",
        actor=actor,
        obj=rule,
        unit=None,
        changes={"parent_kind": rule.parent_kind, "child_kind": rule.child_kind},
    )
    rule.delete()
