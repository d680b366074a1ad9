"""Every URL of the project × every role × objects inside and outside the role's scope.

`ROUTES` must name every URL pattern: a URL added without an entry fails
`test_every_url_is_in_the_registry`, so its access rule is written down the day it is added.
Outside the caller's scope an object is a 404, never a 403, so that ids leak nothing.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from chibo.accounts import services
from chibo.accounts.models import ApiToken, Role, User
from chibo.audit.models import AuditEvent
from chibo.committees.tests import helpers as committee_helpers
from chibo.compliance.tests import helpers as compliance_helpers
from chibo.meetings import services as meeting_services
from chibo.meetings.models import Meeting
from chibo.meetings.records import selectors as record_selectors
from chibo.meetings.records import services as record_services
from chibo.meetings.tests import cascade_helpers
from chibo.meetings.tests import preparation_helpers as prep_helpers
from chibo.members.models import Member, TransferKind
from chibo.members.transfers import services as transfer_services
from chibo.quality.tests import helpers as quality_helpers
from chibo.recruitment.tests import helpers as recruitment_helpers
from chibo.units.models import KindRule, Unit, UnitVersion
from conftest import ROLE_UNITS, Tree, make_member

ANONYMOUS = "anonymous"
ROLES = [Role.ADMIN, Role.STAFF, Role.INSPECTOR, Role.SECRETARY, Role.MEMBER, ANONYMOUS]
MISSING_ID = 987_654  # an id no object has: "out of scope" for the administrator

# URL names the matrix does not walk, each with the reason.
SKIPPED = {
    "set_language": "Django's language switch: public by design, no object, only sets a cookie.",
}


@dataclass(frozen=True)
class Redirect:
    to: str  # the URL name the Location header resolves to
    with_next: bool = False  # a login redirect carries ?next=<the requested path>


LOGIN = Redirect("accounts:login", with_next=True)
Outcome = int | Redirect


def per_role(
    admin: Outcome,
    staff: Outcome,
    inspector: Outcome,
    secretary: Outcome,
    member: Outcome,
    anonymous: Outcome,
) -> dict[str, Outcome]:
    return {
        Role.ADMIN: admin,
        Role.STAFF: staff,
        Role.INSPECTOR: inspector,
        Role.SECRETARY: secretary,
        Role.MEMBER: member,
        ANONYMOUS: anonymous,
    }


def every(signed_in: Outcome, anonymous: Outcome) -> dict[str, Outcome]:
    return per_role(signed_in, signed_in, signed_in, signed_in, signed_in, anonymous)


READ = every(200, LOGIN)
# Founding units below: administrators, committee staff and secretaries in their subtree;
# inspectors and members only read, so for them the page does not exist (404, as outside).
WRITE = per_role(200, 200, 404, 200, 404, LOGIN)
# Renaming, moving, merging, splitting, dissolving is decided by the committee above the unit:
# the same roles, on units strictly below their own; on their own unit the page does not exist.
RESTRUCTURE = WRITE
RESTRUCTURE_OWN = every(404, LOGIN)
API_READ = every(200, 401)
API_SEES_MEMBERS = per_role(200, 200, 200, 200, 404, 401)


def api_write(outcome: int) -> dict[str, Outcome]:
    """An API write: administrators, committee staff and secretaries get `outcome`; the
    read-only roles a 404, as outside their scope; anonymous callers a 401."""
    return per_role(outcome, outcome, 404, outcome, 404, 401)


PENDING = Redirect("members:transfers_pending")
ROLL_CALL = Redirect("meetings:roll_call")
PUBLIC = every(200, 200)
PREPARE = Redirect("meetings:prepare")
MINE = Redirect("meetings:mine")
RECORDS = Redirect("meetings:records")
SEES_MEMBERS = per_role(200, 200, 200, 200, 404, LOGIN)
ALERT = Redirect("compliance:alert")
BOARD = Redirect("recruitment:board")
TARGETS = Redirect("recruitment:targets")
CANDIDATE = Redirect("recruitment:candidate")
RULES_PAGE = Redirect("rulebook:unit")


@dataclass(frozen=True)
class Target:
    """The object a request names: inside or outside the caller's scope."""

    label: str
    id: int
    in_scope: bool
    unit: Unit | None = None


@dataclass
class Ctx:
    tree: Tree
    users: dict[str, User]
    role: str

    @property
    def user(self) -> User | None:
        return self.users.get(self.role)


def unit_targets(ctx: Ctx) -> list[Target]:
    """Units to ask for: the role's own unit, one below it, and units outside its scope."""
    t = ctx.tree

    def unit(label: str, u: Unit, in_scope: bool) -> Target:
        return Target(label, u.pk, in_scope, u)

    if ctx.role == ANONYMOUS:
        return [unit("own", t.cell_a1, True), unit("other", t.other_cell, False)]
    own: Unit = getattr(t, ROLE_UNITS[Role(ctx.role)])
    targets = [unit("own", own, True)]
    if own != t.cell_a1:
        targets.append(unit("below", t.cell_a1, True))
    if ctx.role == Role.ADMIN:
        return [*targets, Target("missing", MISSING_ID, False)]
    assert own.parent is not None
    targets += [unit("other", t.other_cell, False), unit("above", own.parent, False)]
    if ctx.role in (Role.SECRETARY, Role.MEMBER):
        targets.append(unit("sibling", t.cell_a2, False))
    return targets


def token_targets(ctx: Ctx) -> list[Target]:
    """Tokens are personal: the caller's own, and someone else's (even for an administrator)."""
    owner = ctx.user or ctx.users[Role.MEMBER]
    other = ctx.users[Role.STAFF if ctx.role == Role.MEMBER else Role.MEMBER]
    own, _raw = services.create_token(owner, actor=owner, name="own")
    theirs, _raw = services.create_token(other, actor=other, name="theirs")
    return [Target("own", own.pk, True), Target("other", theirs.pk, False)]


def rule_targets(ctx: Ctx) -> list[Target]:
    """Kind rules belong to no unit: only administrators change them."""
    spare = KindRule.objects.create(parent_kind="province", child_kind="group", basis="thử")
    targets = [Target("rule", spare.pk, True)]
    if ctx.role == Role.ADMIN:
        targets.append(Target("missing", MISSING_ID, False))
    return targets


def member_targets(ctx: Ctx) -> list[Target]:
    """A member of the cell every role covers, and one of the other province."""
    inside = Member.objects.get(full_name="Lê Văn Chín")
    if ctx.role == Role.ADMIN:
        return [Target("own", inside.pk, True), Target("missing", MISSING_ID, False)]
    outside = Member.objects.get(full_name="Vũ Thị Mai")
    return [Target("own", inside.pk, True), Target("other", outside.pk, False)]


def member_id(ctx: Ctx, target: Target) -> dict[str, Any]:
    return {"member_id": target.id}


def transfer_targets(side: str) -> Callable[[Ctx], list[Target]]:
    """Transfers whose sending (`side="from"`) or receiving (`side="to"`) unit is the cell
    every role covers; outside the scope, one that touches that cell by its other end only."""

    def targets(ctx: Ctx) -> list[Target]:
        inside, outside = ctx.tree.cell_a1, ctx.tree.other_cell

        def transfer(from_unit: Unit, to_unit: Unit) -> int:
            return transfer_services.issue_transfer(
                make_member(from_unit, "Người Chuyển"),
                actor=None,
                kind=TransferKind.OFFICIAL,
                to_unit=to_unit,
                letter_number="01-GGT",
                letter_date=date(2025, 3, 3),
                effective_on=date(2025, 3, 3),
            ).pk

        ends = (inside, outside) if side == "from" else (outside, inside)
        own = Target("own", transfer(*ends), True)
        if ctx.role == Role.ADMIN:
            return [own, Target("missing", MISSING_ID, False)]
        return [own, Target("other", transfer(*reversed(ends)), False)]

    return targets


def transfer_id(ctx: Ctx, target: Target) -> dict[str, Any]:
    return {"transfer_id": target.id}


def unit_id(ctx: Ctx, target: Target) -> dict[str, Any]:
    return {"unit_id": target.id}


def resolution_targets(ctx: Ctx) -> list[Target]:
    """A resolution adopted at a meeting of the cell every role covers, and one adopted in the
    other province's cell."""

    def resolution(unit: Unit) -> int:
        starts_at = timezone.make_aware(datetime(2025, 3, 4, 19))
        meeting = meeting_services.plan_meeting(
            unit, actor=None, kind="regular", starts_at=starts_at
        )
        everyone = {m.pk: ("present", "") for m in record_selectors.roll(meeting).expected}
        meeting_services.record_attendance(meeting, actor=None, marks=everyone)
        return record_services.adopt_resolution(
            meeting, actor=None, title="Về nhiệm vụ tháng 4", body=""
        ).pk

    own = Target("own", resolution(ctx.tree.cell_a1), True, ctx.tree.cell_a1)
    if ctx.role == Role.ADMIN:
        return [own, Target("missing", MISSING_ID, False)]
    return [own, Target("other", resolution(ctx.tree.other_cell), False, ctx.tree.other_cell)]


def meeting_targets(ctx: Ctx) -> list[Target]:
    """A past meeting of the cell every role covers (its roll call is open), and one of the
    other province's cell."""

    def meeting(unit: Unit) -> int:
        starts_at = timezone.make_aware(datetime(2025, 3, 4, 19))
        return meeting_services.plan_meeting(
            unit, actor=None, kind="regular", starts_at=starts_at
        ).pk

    own = Target("own", meeting(ctx.tree.cell_a1), True, ctx.tree.cell_a1)
    if ctx.role == Role.ADMIN:
        return [own, Target("missing", MISSING_ID, False)]
    return [own, Target("other", meeting(ctx.tree.other_cell), False, ctx.tree.other_cell)]


def meeting_id(ctx: Ctx, target: Target) -> dict[str, Any]:
    return {"meeting_id": target.id}


def checkin_code(ctx: Ctx, target: Target) -> dict[str, Any]:
    """The check-in link is open to whoever holds its code (the page then says whether they
    may check in): "outside the scope" here is a wrong code, a 404."""
    meeting = Meeting.objects.filter(pk=target.id).first()
    code = meeting.checkin_code if meeting and target.in_scope else "not-the-code"
    return {"meeting_id": target.id, "code": code}


def links_to(response: HttpResponse, target: Target) -> bool:
    return f'href="{reverse("units:detail", args=[target.id])}' in response.content.decode()


def lists_id(response: HttpResponse, target: Target) -> bool:
    return target.id in [row["id"] for row in response.json()]


@dataclass(frozen=True)
class Route:
    """How to call one URL name and what each role gets."""

    expect: dict[str, Outcome]  # per role, for an object in scope (or a URL without object)
    kwargs: Callable[[Ctx, Target], dict[str, Any]] | None = None  # None: no object in the URL
    targets: Callable[[Ctx], list[Target]] = unit_targets
    methods: tuple[str, ...] = ("GET",)
    api: bool = False
    query: Callable[[Target], dict[str, str]] | None = None
    # For URLs without an object (lists, search): does the response show the target? It must
    # not for targets outside the scope, and must for the caller's own unit.
    shows: Callable[[HttpResponse, Target], bool] | None = None
    writes: bool = False  # a request that is not let through must write nothing
    # per role, for the role's own unit, where it differs from `expect`
    expect_own: dict[str, Outcome] | None = None
    # API writes: the JSON body sent with each method other than GET (PUT and PATCH too)
    body: dict[str, Any] | None = None


ROUTES: dict[str, Route] = {
    # Every role here holds one top unit, so home goes straight to it.
    "home": Route(every(Redirect("units:detail"), LOGIN)),
    "search": Route(
        READ, query=lambda t: {"q": t.unit.name if t.unit else "Không có"}, shows=links_to
    ),
    "accounts:login": Route(every(Redirect("home"), 200)),
    "accounts:logout": Route(
        every(Redirect("accounts:login"), Redirect("accounts:login")), methods=("POST",)
    ),
    "accounts:profile": Route(READ, shows=links_to),
    "accounts:new_token": Route(every(Redirect("accounts:profile"), LOGIN), methods=("POST",)),
    "accounts:revoke_token": Route(
        every(Redirect("accounts:profile"), LOGIN),
        kwargs=lambda c, t: {"token_id": t.id},
        targets=token_targets,
        methods=("POST",),
        writes=True,
    ),
    "units:detail": Route(READ, kwargs=unit_id),
    # Everyone reads the nesting rules; adding one is a POST that only administrators may make.
    "units:kind_rules": Route(READ, methods=("GET",)),
    "units:remove_kind_rule": Route(
        per_role(Redirect("units:kind_rules"), 404, 404, 404, 404, LOGIN),
        kwargs=lambda c, t: {"rule_id": t.id},
        targets=rule_targets,
        methods=("POST",),
        writes=True,
    ),
    "units:create_child": Route(WRITE, kwargs=unit_id, methods=("GET", "POST"), writes=True),
    **{
        f"units:{name}": Route(
            RESTRUCTURE,
            kwargs=unit_id,
            methods=("GET", "POST"),
            writes=True,
            expect_own=RESTRUCTURE_OWN,
        )
        for name in ("rename", "move", "merge", "split", "dissolve")
    },
    # A unit's committee: everyone in scope reads it; seats and supervisors of a unit are
    # decided by the committee above it, so changing them follows the restructuring rule.
    "committees:unit": Route(READ, kwargs=unit_id),
    "committees:appoint": Route(
        RESTRUCTURE,
        kwargs=unit_id,
        methods=("GET", "POST"),
        writes=True,
        expect_own=RESTRUCTURE_OWN,
    ),
    "committees:assign": Route(
        RESTRUCTURE,
        kwargs=unit_id,
        methods=("GET", "POST"),
        writes=True,
        expect_own=RESTRUCTURE_OWN,
    ),
    "committees:end_seat": Route(
        RESTRUCTURE,
        kwargs=lambda c, t: {"seat_id": t.id},
        targets=committee_helpers.seat_targets,
        methods=("GET", "POST"),
        writes=True,
        expect_own=RESTRUCTURE_OWN,
    ),
    "committees:end_supervision": Route(
        RESTRUCTURE,
        kwargs=lambda c, t: {"assignment_id": t.id},
        targets=committee_helpers.supervision_targets,
        methods=("GET", "POST"),
        writes=True,
        expect_own=RESTRUCTURE_OWN,
    ),
    "audit:unit": Route(READ, kwargs=unit_id),
    # Member records: committees, inspectors and secretaries of the member's unit; the member
    # role opens only the member's own record (none here), so every other record is a 404.
    "members:list": Route(per_role(200, 200, 200, 200, 404, LOGIN), kwargs=unit_id),
    "members:add": Route(WRITE, kwargs=unit_id, methods=("GET", "POST"), writes=True),
    "members:detail": Route(
        per_role(200, 200, 200, 200, 404, LOGIN), kwargs=member_id, targets=member_targets
    ),
    "members:edit": Route(
        WRITE, kwargs=member_id, targets=member_targets, methods=("GET", "POST"), writes=True
    ),
    # Transfers: issuing and cancelling are acts of the sending unit, confirming of the
    # receiving unit; inspectors and members only read. The pending list names members, so
    # it follows the roll: not for the member role.
    "members:transfer_issue": Route(
        WRITE, kwargs=member_id, targets=member_targets, methods=("GET", "POST"), writes=True
    ),
    "members:transfers_pending": Route(per_role(200, 200, 200, 200, 404, LOGIN), kwargs=unit_id),
    "members:transfer_confirm": Route(
        per_role(PENDING, PENDING, 404, PENDING, 404, LOGIN),
        kwargs=transfer_id,
        targets=transfer_targets("to"),
        methods=("POST",),
        writes=True,
    ),
    "members:transfer_cancel": Route(
        per_role(PENDING, PENDING, 404, PENDING, 404, LOGIN),
        kwargs=transfer_id,
        targets=transfer_targets("from"),
        methods=("POST",),
        writes=True,
    ),
    "members:change_status": Route(
        WRITE,
        kwargs=lambda c, t: {"member_id": t.id, "action": "exempt"},
        targets=member_targets,
        methods=("GET", "POST"),
        writes=True,
    ),
    # Member spreadsheets: everyone signed in downloads the empty template; an import is a
    # write on the unit (its preview and confirmation need a file this session uploaded, so
    # here they are 404 for everyone); the export follows the member list and is audited.
    "members:import_template": Route(READ),
    "members:import_upload": Route(WRITE, kwargs=unit_id, methods=("GET", "POST"), writes=True),
    "members:import_confirm": Route(
        every(404, LOGIN),
        kwargs=lambda c, t: {"unit_id": t.id, "token": "x" * 32},
        methods=("GET", "POST"),
        writes=True,
    ),
    "members:export": Route(per_role(200, 200, 200, 200, 404, LOGIN), kwargs=unit_id),
    # Party dues: the books name members, so they follow the member list (not the member
    # role); recording is a write on the unit, POST only: an empty form is sent back (200).
    "meetings:dues_month": Route(per_role(200, 200, 200, 200, 404, LOGIN), kwargs=unit_id),
    "meetings:dues_year": Route(per_role(200, 200, 200, 200, 404, LOGIN), kwargs=unit_id),
    "meetings:dues_totals": Route(per_role(200, 200, 200, 200, 404, LOGIN), kwargs=unit_id),
    "meetings:dues_collect": Route(WRITE, kwargs=unit_id, methods=("POST",), writes=True),
    # A meeting's records name members: the committees, inspectors and secretaries of the cell
    # read them and their PDFs; minutes, votes, resolutions and amendments are writes of the
    # secretary and above. An empty POST fails its form (the page comes back, nothing is
    # written), except the minutes, whose fields may all be empty: saved unchanged, redirected.
    "meetings:records": Route(SEES_MEMBERS, kwargs=meeting_id, targets=meeting_targets),
    "meetings:records_minutes": Route(
        per_role(RECORDS, RECORDS, 404, RECORDS, 404, LOGIN),
        kwargs=meeting_id,
        targets=meeting_targets,
        methods=("POST",),
        writes=True,
    ),
    "meetings:records_vote": Route(
        WRITE, kwargs=meeting_id, targets=meeting_targets, methods=("POST",), writes=True
    ),
    "meetings:records_resolution": Route(
        WRITE, kwargs=meeting_id, targets=meeting_targets, methods=("POST",), writes=True
    ),
    "meetings:records_amend": Route(
        WRITE, kwargs=meeting_id, targets=meeting_targets, methods=("POST",), writes=True
    ),
    "meetings:minutes_pdf": Route(SEES_MEMBERS, kwargs=meeting_id, targets=meeting_targets),
    "meetings:attendance_pdf": Route(SEES_MEMBERS, kwargs=meeting_id, targets=meeting_targets),
    "meetings:resolution_pdf": Route(
        SEES_MEMBERS, kwargs=lambda c, t: {"resolution_id": t.id}, targets=resolution_targets
    ),
    "audit:object": Route(
        READ, kwargs=lambda c, t: {"object_type": "units.unit", "object_id": str(t.id)}
    ),
    # Meetings: everyone in scope reads a unit's meetings and a meeting; the committees,
    # inspectors and secretaries of the cell see its roll call (it names members); planning,
    # moving, marking and the check-in QR are writes of the cell's secretary and above.
    "meetings:unit": Route(READ, kwargs=unit_id),
    "meetings:plan": Route(WRITE, kwargs=unit_id, methods=("GET", "POST"), writes=True),
    "meetings:detail": Route(READ, kwargs=meeting_id, targets=meeting_targets),
    "meetings:move": Route(
        WRITE, kwargs=meeting_id, targets=meeting_targets, methods=("GET", "POST"), writes=True
    ),
    # Guests name people: read with the members' records. Adding one (POST) is a write of
    # the secretary and above, tested in meetings/tests/test_pages.py (read-only roles: 404).
    "meetings:guests": Route(
        per_role(200, 200, 200, 200, 404, LOGIN), kwargs=meeting_id, targets=meeting_targets
    ),
    "meetings:close": Route(
        WRITE, kwargs=meeting_id, targets=meeting_targets, methods=("GET", "POST"), writes=True
    ),
    "meetings:roll_call": Route(
        per_role(200, 200, 200, 200, 404, LOGIN), kwargs=meeting_id, targets=meeting_targets
    ),
    "meetings:all_present": Route(
        per_role(ROLL_CALL, ROLL_CALL, 404, ROLL_CALL, 404, LOGIN),
        kwargs=meeting_id,
        targets=meeting_targets,
        methods=("POST",),
        writes=True,
    ),
    # An empty POST names no mark: the form says so and nothing is written.
    "meetings:mark": Route(
        WRITE,
        kwargs=lambda c, t: {
            "meeting_id": t.id,
            "member_id": Member.objects.get(full_name="Lê Văn Chín").pk,
        },
        targets=meeting_targets,
        methods=("POST",),
        writes=True,
    ),
    "meetings:qr": Route(WRITE, kwargs=meeting_id, targets=meeting_targets),
    # No role here is an expected member: the page says so (200) and nothing is written.
    "meetings:checkin": Route(
        every(200, LOGIN), kwargs=checkin_code, targets=meeting_targets, writes=True
    ),
    # A meeting's preparation names members (expected, opinions): the committees, inspectors
    # and secretaries of the cell read it; the agenda, documents and notice are writes of the
    # secretary and above. An empty POST fails its form (the page comes back, nothing
    # written); the buttons redirect to the page, with the refusal as a message (the notice
    # of a meeting that has begun is refused). Removing is a write: let through.
    "meetings:prepare": Route(SEES_MEMBERS, kwargs=meeting_id, targets=meeting_targets),
    "meetings:agenda_add": Route(
        WRITE, kwargs=meeting_id, targets=meeting_targets, methods=("POST",), writes=True
    ),
    "meetings:agenda_edit": Route(
        WRITE,
        kwargs=prep_helpers.agenda_kwargs,
        targets=prep_helpers.agenda_targets,
        methods=("GET", "POST"),
        writes=True,
    ),
    "meetings:agenda_move": Route(
        per_role(PREPARE, PREPARE, 404, PREPARE, 404, LOGIN),
        kwargs=prep_helpers.agenda_kwargs,
        targets=prep_helpers.agenda_targets,
        methods=("POST",),
        writes=True,
    ),
    "meetings:agenda_remove": Route(
        per_role(PREPARE, PREPARE, 404, PREPARE, 404, LOGIN),
        kwargs=prep_helpers.agenda_kwargs,
        targets=prep_helpers.agenda_targets,
        methods=("POST",),
        writes=True,
    ),
    "meetings:document_upload": Route(
        WRITE, kwargs=meeting_id, targets=meeting_targets, methods=("POST",), writes=True
    ),
    "meetings:notify": Route(
        per_role(PREPARE, PREPARE, 404, PREPARE, 404, LOGIN),
        kwargs=meeting_id,
        targets=meeting_targets,
        methods=("POST",),
        writes=True,
    ),
    # Documents are read by everyone who reads the meeting's unit (and by the members on its
    # roll through their own page); removing one is a write of the secretary and above.
    "meetings:document": Route(
        READ,
        kwargs=lambda c, t: {"document_id": t.id},
        targets=prep_helpers.document_targets,
    ),
    "meetings:document_remove": Route(
        per_role(PREPARE, PREPARE, 404, PREPARE, 404, LOGIN),
        kwargs=lambda c, t: {"document_id": t.id},
        targets=prep_helpers.document_targets,
        methods=("POST",),
        writes=True,
    ),
    # The opinion form exists only for the meeting's expected members; no role here has a
    # member record, so it is a 404 for all of them (test_preparation covers the members).
    "meetings:opinion": Route(
        every(404, LOGIN),
        kwargs=meeting_id,
        targets=meeting_targets,
        methods=("GET", "POST"),
        writes=True,
    ),
    # A member's own page: every account has one (without a member record it says so); a new
    # own calendar link needs a member record (refused with a message, nothing written).
    "meetings:mine": Route(READ),
    "meetings:my_feed": Route(every(MINE, LOGIN), methods=("POST",), writes=True),
    # A unit's calendar link: anyone who reads the unit; links are personal, so revoking
    # someone else's is a 404 even for an administrator.
    "meetings:unit_feed": Route(READ, kwargs=unit_id),
    "meetings:unit_feed_new": Route(
        every(Redirect("meetings:unit_feed"), LOGIN),
        kwargs=unit_id,
        methods=("POST",),
        writes=True,
    ),
    "meetings:feed_revoke": Route(
        every(Redirect("meetings:unit_feed"), LOGIN),
        kwargs=lambda c, t: {"feed_id": t.id},
        targets=prep_helpers.feed_targets,
        methods=("POST",),
        writes=True,
    ),
    # The feed itself needs no sign-in: its token is the key; a revoked token is a 404.
    "meetings:feed": Route(
        PUBLIC, kwargs=prep_helpers.token_kwargs, targets=prep_helpers.token_targets
    ),
    # Cascaded topics: a unit with cells below gives them a thematic topic, a write on the unit;
    # below it here is a cell, which has nothing to cascade to, so there the page does not exist.
    # The roll-up is read by everyone whose scope covers the giving unit (not the cell's roles).
    "meetings:cascade": Route(
        every(404, LOGIN),
        kwargs=unit_id,
        methods=("GET", "POST"),
        writes=True,
        expect_own=per_role(200, 200, 404, 404, 404, LOGIN),
    ),
    "meetings:cascade_rollup": Route(
        per_role(200, 200, 200, 404, 404, LOGIN),
        kwargs=meeting_id,
        targets=cascade_helpers.source_targets,
    ),
    "meetings:cascade_extend": Route(
        per_role(
            Redirect("meetings:cascade_rollup"),
            Redirect("meetings:cascade_rollup"),
            404,
            404,
            404,
            LOGIN,
        ),
        kwargs=meeting_id,
        targets=cascade_helpers.source_targets,
        methods=("POST",),
        writes=True,
    ),
    # Meeting quality: everyone in scope reads a unit's results and frameworks and a meeting's
    # assessment. Frameworks are issued by the committees above the cells (a write on their
    # unit; never on a cell); the assessment is a write of the cell's secretary and above (on
    # a meeting not yet held the page says why, and an empty POST writes nothing).
    "quality:results": Route(READ, kwargs=unit_id),
    "quality:frameworks": Route(READ, kwargs=unit_id),
    "quality:framework_new": Route(
        per_role(200, 200, 404, 404, 404, LOGIN),
        kwargs=unit_id,
        targets=quality_helpers.committee_targets,
        methods=("GET", "POST"),
        writes=True,
        expect_own=every(404, LOGIN),
    ),
    "quality:framework_edit": Route(
        per_role(200, 200, 404, 404, 404, LOGIN),
        kwargs=lambda c, t: {"framework_id": t.id},
        targets=quality_helpers.framework_targets,
        methods=("GET", "POST"),
        writes=True,
    ),
    "quality:meeting": Route(READ, kwargs=meeting_id, targets=meeting_targets),
    "quality:assess": Route(
        WRITE, kwargs=meeting_id, targets=meeting_targets, methods=("GET", "POST"), writes=True
    ),
    # The rules that apply to a unit: everyone in scope reads them; setting one is a write on
    # the unit (an empty POST is refused on the rules page and writes nothing).
    "rulebook:unit": Route(READ, kwargs=unit_id),
    **{
        f"rulebook:{name}": Route(
            per_role(RULES_PAGE, RULES_PAGE, 404, RULES_PAGE, 404, LOGIN),
            kwargs=unit_id,
            methods=("POST",),
            writes=True,
        )
        for name in ("set", "end")
    },
    # Recruitment: candidates are personal files, read as the members' records are (not by the
    # member role); the cell's steps, introducers and verification are writes of its secretary
    # and above. A new candidate belongs to a cell (or a chi bộ cơ sở): on the higher units the
    # page does not exist. Targets and the report are figures, read by everyone in scope.
    "recruitment:board": Route(SEES_MEMBERS, kwargs=unit_id),
    "recruitment:add": Route(
        WRITE,
        kwargs=unit_id,
        methods=("GET", "POST"),
        writes=True,
        expect_own=per_role(404, 404, 404, 200, 404, LOGIN),
    ),
    "recruitment:review": Route(
        per_role(BOARD, BOARD, 404, BOARD, 404, LOGIN),
        kwargs=unit_id,
        methods=("POST",),
        writes=True,
    ),
    "recruitment:targets": Route(READ, kwargs=unit_id),
    "recruitment:set_target": Route(
        per_role(TARGETS, TARGETS, 404, TARGETS, 404, LOGIN),
        kwargs=unit_id,
        methods=("POST",),
        writes=True,
    ),
    "recruitment:report": Route(READ, kwargs=unit_id),
    "recruitment:candidate": Route(
        SEES_MEMBERS,
        kwargs=recruitment_helpers.candidate_id,
        targets=recruitment_helpers.candidate_targets,
    ),
    "recruitment:step": Route(
        WRITE,
        kwargs=recruitment_helpers.step_kwargs,
        targets=recruitment_helpers.candidate_targets,
        methods=("GET", "POST"),
        writes=True,
    ),
    "recruitment:edit": Route(
        WRITE,
        kwargs=recruitment_helpers.candidate_id,
        targets=recruitment_helpers.candidate_targets,
        methods=("GET", "POST"),
        writes=True,
    ),
    "recruitment:introducers": Route(
        WRITE,
        kwargs=recruitment_helpers.candidate_id,
        targets=recruitment_helpers.candidate_targets,
        methods=("GET", "POST"),
        writes=True,
    ),
    "recruitment:relatives": Route(
        WRITE,
        kwargs=recruitment_helpers.candidate_id,
        targets=recruitment_helpers.candidate_targets,
        methods=("GET", "POST"),
        writes=True,
    ),
    "recruitment:attachment": Route(
        SEES_MEMBERS,
        kwargs=lambda c, t: {"attachment_id": t.id},
        targets=recruitment_helpers.attachment_targets,
    ),
    # A step's documents are kept by whoever may record the step; the read-only roles find no
    # such page. Nothing posted: the page comes back with the error, nothing is written.
    "recruitment:add_document": Route(
        per_role(CANDIDATE, CANDIDATE, 404, CANDIDATE, 404, LOGIN),
        kwargs=lambda c, t: {"step_id": t.id},
        targets=recruitment_helpers.step_targets,
        methods=("POST",),
        writes=True,
    ),
    "recruitment:remove_document": Route(
        per_role(CANDIDATE, CANDIDATE, 404, CANDIDATE, 404, LOGIN),
        kwargs=lambda c, t: {"attachment_id": t.id},
        targets=recruitment_helpers.attachment_targets,
        methods=("POST",),
        writes=True,
    ),
    # Recruitment in the API follows the pages. A new candidate on a unit that keeps no list is
    # refused by the service (400); the Youth Union cannot introduce a candidate who is not a
    # member of it (400, after the access check); no introducer of that id: 404 for everyone.
    "api:recruitment_board": Route(API_SEES_MEMBERS, kwargs=unit_id, api=True),
    "api:recruitment_candidates": Route(API_SEES_MEMBERS, kwargs=unit_id, api=True),
    "api:recruitment_add_candidate": Route(
        api_write(201),
        kwargs=unit_id,
        methods=("POST",),
        api=True,
        writes=True,
        body={
            "full_name": "Lê Thị Hoa",
            "sex": "F",
            "birth_date": "1998-02-03",
            "education": "university",
        },
        expect_own=per_role(400, 400, 404, 201, 404, 401),
    ),
    "api:recruitment_candidate": Route(
        API_SEES_MEMBERS,
        kwargs=recruitment_helpers.candidate_id,
        targets=recruitment_helpers.candidate_targets,
        api=True,
    ),
    "api:recruitment_record_step": Route(
        api_write(201),
        kwargs=recruitment_helpers.step_kwargs,
        targets=recruitment_helpers.candidate_targets,
        methods=("POST",),
        api=True,
        writes=True,
        body={"on": "2024-05-06", "by": "Trung tâm Chính trị"},
    ),
    "api:recruitment_add_introducer": Route(
        api_write(400),
        kwargs=recruitment_helpers.candidate_id,
        targets=recruitment_helpers.candidate_targets,
        methods=("POST",),
        api=True,
        writes=True,
        body={"kind": "youth_union", "assigned_on": "2024-05-06", "organisation": "Đoàn xã"},
    ),
    "api:recruitment_replace_introducer": Route(
        per_role(404, 404, 404, 404, 404, 401),
        kwargs=lambda c, t: {"candidate_id": t.id, "introducer_id": MISSING_ID},
        targets=recruitment_helpers.candidate_targets,
        methods=("POST",),
        api=True,
        writes=True,
        body={"member_id": 1, "on": "2024-05-06", "reason": "Chuyển công tác"},
    ),
    "api:recruitment_add_relative": Route(
        api_write(201),
        kwargs=recruitment_helpers.candidate_id,
        targets=recruitment_helpers.candidate_targets,
        methods=("POST",),
        api=True,
        writes=True,
        body={"relation": "self", "full_name": "Quần Chúng Trong"},
    ),
    "api:recruitment_target": Route(
        API_READ, kwargs=lambda c, t: {"unit_id": t.id, "year": 2025}, api=True
    ),
    "api:recruitment_set_target": Route(
        api_write(200),
        kwargs=lambda c, t: {"unit_id": t.id, "year": 2025},
        methods=("PUT",),
        api=True,
        writes=True,
        body={"target": 5, "basis": "Nghị quyết đại hội"},
    ),
    "api:recruitment_report": Route(
        API_READ, kwargs=unit_id, api=True, query=lambda t: {"from": "2016-01", "to": "2021-08"}
    ),
    # Compliance: everyone in scope reads a unit's dashboard and alerts, and their own inbox;
    # acting on an alert is a write on its unit (an empty resolution is refused: 200, nothing
    # written). A removal review names a member: read as the members' records are, decided by
    # the cell's secretary and above (an empty decision is refused the same way).
    "compliance:dashboard": Route(READ, kwargs=unit_id),
    "compliance:unit_alerts": Route(READ, kwargs=unit_id),
    "compliance:inbox": Route(READ),
    "compliance:alert": Route(
        READ, kwargs=lambda c, t: {"alert_id": t.id}, targets=compliance_helpers.alert_targets
    ),
    "compliance:acknowledge": Route(
        per_role(ALERT, ALERT, 404, ALERT, 404, LOGIN),
        kwargs=lambda c, t: {"alert_id": t.id},
        targets=compliance_helpers.alert_targets,
        methods=("POST",),
        writes=True,
    ),
    "compliance:resolve": Route(
        WRITE,
        kwargs=lambda c, t: {"alert_id": t.id},
        targets=compliance_helpers.alert_targets,
        methods=("POST",),
        writes=True,
    ),
    "compliance:review": Route(
        SEES_MEMBERS,
        kwargs=lambda c, t: {"review_id": t.id},
        targets=compliance_helpers.review_targets,
    ),
    "compliance:decide": Route(
        WRITE,
        kwargs=lambda c, t: {"review_id": t.id},
        targets=compliance_helpers.review_targets,
        methods=("POST",),
        writes=True,
    ),
    # The API description is public on purpose: it shows the shape of the API, no data.
    "api:openapi-json": Route(PUBLIC, api=True),
    "api:openapi-view": Route(PUBLIC),
    # Django Ninja's root exists only so that the API can reverse its own prefix.
    "api:api-root": Route(every(404, 404)),
    "api:top_units": Route(API_READ, api=True, shows=lists_id),
    "api:get_unit": Route(API_READ, kwargs=unit_id, api=True),
    "api:list_children": Route(API_READ, kwargs=unit_id, api=True),
    "api:list_subtree": Route(API_READ, kwargs=unit_id, api=True),
    "api:list_members": Route(per_role(200, 200, 200, 200, 404, 401), kwargs=unit_id, api=True),
    "api:get_member": Route(
        per_role(200, 200, 200, 200, 404, 401), kwargs=member_id, targets=member_targets, api=True
    ),
    "api:committee_seats": Route(API_READ, kwargs=unit_id, api=True),
    "api:committee_supervisors": Route(API_READ, kwargs=unit_id, api=True),
    # Meetings in the API follow the pages: everyone in scope reads a unit's meetings and a
    # meeting; the roll and the PDFs name members (not the member role); writes are the
    # secretary's and above. A valid body is let through (201/200); the vote, resolution and
    # closing are refused by their service on a meeting whose roll is not taken (400, nothing
    # written), which shows that access is checked before them.
    "api:list_meetings": Route(API_READ, kwargs=unit_id, api=True),
    "api:plan_meeting": Route(
        api_write(201),
        kwargs=unit_id,
        methods=("POST",),
        api=True,
        writes=True,
        body={"kind": "regular", "starts_at": "2025-06-04T19:00:00+07:00", "place": "Nhà văn hóa"},
    ),
    "api:generate_series": Route(
        api_write(200),
        kwargs=unit_id,
        methods=("POST",),
        api=True,
        writes=True,
        body={"month": "2025-06"},
    ),
    "api:get_meeting": Route(API_READ, kwargs=meeting_id, targets=meeting_targets, api=True),
    "api:move_meeting": Route(
        api_write(200),
        kwargs=meeting_id,
        targets=meeting_targets,
        methods=("PATCH",),
        api=True,
        writes=True,
        body={"starts_at": "2025-03-05T19:00:00+07:00", "place": "Hội trường thôn"},
    ),
    "api:get_attendance": Route(
        API_SEES_MEMBERS, kwargs=meeting_id, targets=meeting_targets, api=True
    ),
    "api:record_attendance": Route(
        api_write(200),
        kwargs=meeting_id,
        targets=meeting_targets,
        methods=("PUT",),
        api=True,
        writes=True,
        body={"marks": []},
    ),
    "api:record_vote": Route(
        api_write(400),
        kwargs=meeting_id,
        targets=meeting_targets,
        methods=("POST",),
        api=True,
        writes=True,
        body={"subject": "Thông qua nghị quyết", "votes_for": 1},
    ),
    "api:adopt_resolution": Route(
        api_write(400),
        kwargs=meeting_id,
        targets=meeting_targets,
        methods=("POST",),
        api=True,
        writes=True,
        body={"title": "Về nhiệm vụ tháng 4"},
    ),
    "api:close_meeting": Route(
        api_write(400),
        kwargs=meeting_id,
        targets=meeting_targets,
        methods=("POST",),
        api=True,
        writes=True,
        body={"ends_at": "2025-03-04T21:00:00+07:00"},
    ),
    "api:collect_dues": Route(
        api_write(200),
        kwargs=lambda c, t: {"unit_id": t.id, "month": "2025-03"},
        methods=("PUT",),
        api=True,
        writes=True,
        body={"payments": []},
    ),
    "api:list_obligations": Route(API_READ, api=True),
    "api:unit_results": Route(
        API_READ, kwargs=unit_id, api=True, query=lambda t: {"month": "2026-03", "months": "2"}
    ),
    "api:unit_alerts": Route(API_READ, kwargs=unit_id, api=True),
    "api:my_alerts": Route(API_READ, api=True),
    "api:get_alert": Route(
        API_READ,
        kwargs=lambda c, t: {"alert_id": t.id},
        targets=compliance_helpers.alert_targets,
        api=True,
    ),
    "api:acknowledge_alert": Route(
        api_write(200),
        kwargs=lambda c, t: {"alert_id": t.id},
        targets=compliance_helpers.alert_targets,
        methods=("POST",),
        api=True,
        writes=True,
        body={},
    ),
    "api:resolve_alert": Route(
        api_write(200),
        kwargs=lambda c, t: {"alert_id": t.id},
        targets=compliance_helpers.alert_targets,
        methods=("POST",),
        api=True,
        writes=True,
        body={"note": "Chi bộ đã họp bù."},
    ),
    "api:minutes_pdf": Route(
        API_SEES_MEMBERS, kwargs=meeting_id, targets=meeting_targets, api=True
    ),
    "api:attendance_pdf": Route(
        API_SEES_MEMBERS, kwargs=meeting_id, targets=meeting_targets, api=True
    ),
}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Documents uploaded by the targets go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def url_names(
    patterns: list[URLPattern | URLResolver] | None = None, namespace: str = "", prefix: str = ""
) -> dict[str, str]:
    """Every URL name of the project, with its namespace, and the route it answers."""
    found: dict[str, str] = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            found.update(url_names(pattern.url_patterns, inner, route))
        elif pattern.name is None:
            found[f"<unnamed /{route}>"] = route
        else:
            found[f"{namespace}:{pattern.name}" if namespace else pattern.name] = route
    return found


def test_every_url_is_in_the_registry() -> None:
    names = set(url_names())
    missing = sorted(names - set(ROUTES) - set(SKIPPED))
    assert not missing, f"add these URLs to ROUTES (or SKIPPED, with a reason): {missing}"
    stale = sorted((set(ROUTES) | set(SKIPPED)) - names)
    assert not stale, f"these registry entries name no URL any more: {stale}"
    assert not set(ROUTES) & set(SKIPPED)


def assert_outcome(response: HttpResponse, expected: Outcome, path: str, api: bool) -> None:
    if isinstance(expected, Redirect):
        assert response.status_code == 302, f"expected a redirect to {expected.to}"
        location = urlsplit(response["Location"])
        assert resolve(location.path).view_name == expected.to
        if expected.with_next:
            [next_url] = parse_qs(location.query)["next"]
            assert urlsplit(next_url).path == path
        return
    assert response.status_code == expected
    if api and expected in (401, 404):
        assert response.json()["code"] == {401: "unauthenticated", 404: "not_found"}[expected]


CASES = [pytest.param(name, role, id=f"{name}-{role}") for name in ROUTES for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES)
def test_access(name: str, role: str, tree: Tree, users: dict[str, User]) -> None:
    route = ROUTES[name]
    ctx = Ctx(tree, users, role)
    client = Client()
    if ctx.user is not None:
        client.force_login(ctx.user)
    targets = route.targets(ctx) if route.kwargs or route.shows else [None]
    for target in targets:
        kwargs = route.kwargs(ctx, target) if route.kwargs and target else {}
        path = reverse(name, kwargs=kwargs)
        query = route.query(target) if route.query and target else {}
        expected = route.expect[role]
        if route.expect_own and target and target.label == "own":
            expected = route.expect_own[role]
        if route.kwargs and target and not target.in_scope and ctx.user is not None:
            expected = 404
        for method in route.methods:
            events = AuditEvent.objects.count()
            if route.body is not None and method != "GET":
                body = json.dumps(route.body)
                response = client.generic(method, path, body, content_type="application/json")
            else:
                response = client.get(path, query) if method == "GET" else client.post(path, query)
            where = f"{method} {path} as {role}" + (f" ({target.label} object)" if target else "")
            try:
                assert_outcome(response, expected, path, route.api)
            except AssertionError as error:
                raise AssertionError(f"{where}: {error}") from error
            let_through = (isinstance(expected, Redirect) and expected != LOGIN) or (
                route.api and isinstance(expected, int) and 200 <= expected < 300
            )
            if route.writes and not let_through:
                assert AuditEvent.objects.count() == events, f"{where} wrote something"
            if route.shows and target and ctx.user is not None:
                if not target.in_scope:
                    assert not route.shows(response, target), f"{where} shows it"
                elif target.label == "own":
                    assert route.shows(response, target), f"{where} does not show it"


# The cases the brief spells out, written plainly.


def test_member_sees_their_own_cell_but_not_a_sibling(
    client: Client, tree: Tree, users: dict[str, User]
) -> None:
    client.force_login(users[Role.MEMBER])
    own = client.get(reverse("units:detail", args=[tree.cell_a1.pk]))
    assert own.status_code == 200
    assert tree.cell_a1.name in own.content.decode()
    assert client.get(reverse("units:detail", args=[tree.cell_a2.pk])).status_code == 404
    assert client.get(f"/api/v1/units/{tree.cell_a2.pk}").status_code == 404


def test_inspector_cannot_rename_and_nothing_changes(
    client: Client, tree: Tree, users: dict[str, User]
) -> None:
    unit = tree.cell_a1
    before = (unit.name, UnitVersion.objects.filter(unit=unit).count(), AuditEvent.objects.count())
    client.force_login(users[Role.INSPECTOR])
    response = client.post(
        reverse("units:rename", args=[unit.pk]),
        {"name": "Chi bộ đổi tên trái phép", "on": "2025-01-01", "basis": ""},
    )
    assert response.status_code == 404
    unit.refresh_from_db()
    after = (unit.name, UnitVersion.objects.filter(unit=unit).count(), AuditEvent.objects.count())
    assert after == before


def test_the_committee_above_renames_a_cell_its_secretary_cannot(
    client: Client, tree: Tree, users: dict[str, User]
) -> None:
    """The same request by the committee above does change the unit: the 404s are the
    permission, not a broken form."""
    client.force_login(users[Role.SECRETARY])
    refused = client.post(
        reverse("units:rename", args=[tree.cell_a1.pk]),
        {"name": "Chi bộ thôn Ninh Phú Mới", "on": "2025-01-01", "basis": ""},
    )
    assert refused.status_code == 404
    client.force_login(users[Role.STAFF])
    response = client.post(
        reverse("units:rename", args=[tree.cell_a1.pk]),
        {"name": "Chi bộ thôn Ninh Phú Mới", "on": "2025-01-01", "basis": ""},
    )
    assert response.status_code == 302
    tree.cell_a1.refresh_from_db()
    assert tree.cell_a1.name == "Chi bộ thôn Ninh Phú Mới"


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.MEMBER])
def test_read_only_roles_see_no_restructuring_links(
    client: Client, tree: Tree, users: dict[str, User], role: str
) -> None:
    client.force_login(users[role])
    page = client.get(reverse("units:detail", args=[tree.cell_a1.pk])).content.decode()
    for name in ("units:rename", "units:move", "units:merge", "units:split", "units:dissolve"):
        assert reverse(name, args=[tree.cell_a1.pk]) not in page


def test_tokens_are_not_shared_between_users(users: dict[str, User]) -> None:
    """The profile lists the caller's own tokens only."""
    services.create_token(users[Role.STAFF], actor=None, name="Khóa của cán bộ")
    client = Client()
    client.force_login(users[Role.MEMBER])
    assert "Khóa của cán bộ" not in client.get(reverse("accounts:profile")).content.decode()
    assert ApiToken.objects.filter(user=users[Role.MEMBER]).count() == 0


def test_api_docs_page_loads_nothing_from_another_site(client: Client) -> None:
    """The docs page is public, so it must not pull scripts from a CDN (STYLE: no CDN)."""
    page = client.get(reverse("api:openapi-view")).content.decode()
    assert re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page)
