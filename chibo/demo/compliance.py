"""The demo's compliance results: every month with meetings on record, up to the last
twelve, evaluated for the whole tree, so that the dashboards, trends and alerts have data."""

import random

from dateutil.relativedelta import relativedelta
from django.db.models import Min
from django.utils import timezone

from chibo.accounts.models import User
from chibo.compliance import services
from chibo.lib.dates import today
from chibo.meetings.models import Meeting
from chibo.units.models import Unit

MONTHS = 12


def build(actor: User, rng: random.Random) -> int:
    """Evaluate the months that have meetings (the last MONTHS of them); returns how many
    results were stored. `rng` is unused: the results follow from the data."""
    first = Meeting.objects.aggregate(first=Min("starts_at"))["first"]
    if first is None:
        return 0
    this_month = today().replace(day=1)
    month = max(
        timezone.localtime(first).date().replace(day=1),
        this_month - relativedelta(months=MONTHS - 1),
    )
    roots = list(Unit.objects.filter(parent__isnull=True))
    stored = 0
    while month <= this_month:
        for root in roots:
            stored += services.evaluate(root, month, actor=actor).results
        month += relativedelta(months=1)
    services.forget_changes()  # the meetings closed while building are evaluated above
    return stored
