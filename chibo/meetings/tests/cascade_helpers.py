"""Cascaded topics for tests, built with the real service, and the source meetings the access
matrix (chibo/accounts/tests/test_access_matrix.py) asks for on the roll-up URLs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from chibo.accounts.models import Role
from chibo.meetings.cascade import cascade_topic
from chibo.meetings.models import Meeting
from chibo.units.models import Unit

if TYPE_CHECKING:
    from chibo.accounts.tests.test_access_matrix import Ctx, Target

TOPIC = "Học tập, quán triệt Chỉ thị 50-CT/TW"


def cascade(unit: Unit, when: datetime | None = None, title: str = TOPIC) -> Meeting:
    starts_at = when or timezone.make_aware(datetime(2025, 3, 20, 19))
    return cascade_topic(unit, actor=None, title=title, starts_at=starts_at)


def source_targets(ctx: Ctx) -> list[Target]:
    """A topic given by the first commune (the cell every role covers is below it), and one
    given by the other province's base organisation."""
    from chibo.accounts.tests.test_access_matrix import MISSING_ID, Target

    own = Target("own", cascade(ctx.tree.commune_a).pk, True, ctx.tree.commune_a)
    if ctx.role == Role.ADMIN:
        return [own, Target("missing", MISSING_ID, False)]
    other = cascade(ctx.tree.other_base)
    return [own, Target("other", other.pk, False, ctx.tree.other_base)]
