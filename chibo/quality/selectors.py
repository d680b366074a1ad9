"""Reads on meeting quality: the framework in force for a unit on a day, a meeting's
assessment, and a subtree's results by month and by unit. Access comes from accounts.access."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Max, Prefetch, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from chibo.accounts import access
from chibo.accounts.models import User
from chibo.meetings.models import Meeting
from chibo.quality import rules
from chibo.quality.models import Assessment, Criterion, Framework, Level, Score
from chibo.units import treepath
from chibo.units.models import Unit
from chibo.units.selectors import version_on


def with_items(frameworks: QuerySet[Framework]) -> QuerySet[Framework]:
    """Frameworks with their criteria (in order) and levels (highest first): two queries."""
    return frameworks.prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("position")),
        Prefetch("levels", queryset=Level.objects.order_by("-min_points")),
    )


def framework_for(unit: Unit, on: date) -> Framework | None:
    """The framework a unit's meeting on `on` is assessed against: the nearest unit up the
    tree, as the tree stood that day, with a framework in force then; of that unit's
    frameworks, the latest to have started. None when no unit above has issued one."""
    version = version_on(unit, on)
    ids = treepath.ids(version.path if version else unit.path)
    candidates = list(
        with_items(Framework.objects.filter(unit_id__in=ids, valid_from__lte=on)).select_related(
            "unit"
        )
    )
    if not candidates:
        return None
    return max(candidates, key=lambda f: (ids.index(f.unit_id), f.valid_from))


def level_for(levels: list[Level], total: int) -> Level | None:
    """The highest level whose minimum the total reaches."""
    reached = [level for level in levels if level.min_points <= total]
    return max(reached, key=lambda level: level.min_points) if reached else None


def access_framework(user: User, framework_id: int, *, write: bool = False) -> Framework:
    """The framework if the user may see (or change) the unit that issued it; otherwise 404."""
    framework = Framework.objects.filter(pk=framework_id).first()
    if framework is None:
        raise Http404
    framework.unit = access.access_unit(user, framework.unit_id, write=write)
    return framework


def is_used(framework: Framework) -> bool:
    return Assessment.objects.filter(framework=framework).exists()


@dataclass(frozen=True)
class Frameworks:
    """What a unit's framework page shows."""

    in_force: Framework | None  # today, for the unit's own meetings (perhaps from above)
    own: list[Framework]  # issued by the unit, latest first
    below: list[Framework]  # issued by units below it


def frameworks_of(unit: Unit, on: date) -> Frameworks:
    """The frameworks of a unit's page in a fixed number of queries."""
    issued = list(
        with_items(Framework.objects.filter(treepath.within(unit.path, "unit__path")))
        .select_related("unit")
        .annotate(used=Count("assessments"))
        .order_by("unit__path", "-valid_from")
    )
    return Frameworks(
        framework_for(unit, on),
        [f for f in issued if f.unit_id == unit.pk],
        [f for f in issued if f.unit_id != unit.pk],
    )


def assessment_of(meeting: Meeting) -> Assessment | None:
    """A meeting's assessment with its framework, level and scores in criterion order."""
    return (
        Assessment.objects.filter(meeting=meeting)
        .select_related("framework", "level", "assessed_by")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=Score.objects.select_related("criterion").order_by("criterion__position"),
            )
        )
        .first()
    )


# Results of a subtree ------------------------------------------------------------------------


@dataclass
class Tally:
    """Meetings held, and how many were assessed at each level (by level name)."""

    held: int = 0
    levels: dict[str, int] = field(default_factory=dict)
    columns: list[int] = field(default_factory=list)  # counts in the order of the columns

    @property
    def assessed(self) -> int:
        return sum(self.levels.values())


@dataclass(frozen=True)
class Results:
    """A subtree's results for a year: by month, and by unit directly below (or itself)."""

    level_names: list[str]  # the columns, highest level first
    months: list[tuple[date, Tally]]  # the twelve months of the year
    units: list[tuple[Unit, Tally]]  # the unit itself and its children that held meetings
    total: Tally


def _new_year(year: int) -> datetime:
    return timezone.make_aware(datetime.combine(date(year, 1, 1), time()))


def results(unit: Unit, year: int) -> Results:
    """Held meetings of the subtree in `year` (the kinds that are assessed), and their levels,
    by month and by the unit directly below `unit` they fall under. Four queries whatever the
    size of the subtree; feeds the compliance and evaluation features."""
    start, end = _new_year(year), _new_year(year + 1)
    tz = timezone.get_current_timezone()
    meetings = Meeting.objects.filter(
        treepath.within(unit.path, "unit__path"),
        kind__in=rules.ASSESSED_KINDS,
        state__in=rules.ASSESSED_STATES,
        starts_at__gte=start,
        starts_at__lt=end,
    )
    held = (
        meetings.annotate(month=TruncMonth("starts_at", tzinfo=tz))
        .values("month", "unit__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    assessed = (
        Assessment.objects.filter(meeting__in=meetings)
        .annotate(month=TruncMonth("meeting__starts_at", tzinfo=tz))
        .values("month", "meeting__unit__path", "level__name")
        .annotate(n=Count("pk"), rank=Max("level__min_points"))
        .order_by()
    )
    depth = treepath.depth(unit.path)

    def under(path: str) -> int:
        """The unit directly below `unit` that `path` lies in, or `unit` itself."""
        chain = treepath.ids(path)
        return chain[depth] if len(chain) > depth else unit.pk

    by_month: dict[date, Tally] = defaultdict(Tally)
    by_unit: dict[int, Tally] = defaultdict(Tally)
    total = Tally()
    for held_row in held:
        month = timezone.localtime(held_row["month"], tz).date()
        for tally in (by_month[month], by_unit[under(held_row["unit__path"])], total):
            tally.held += held_row["n"]
    ranks: dict[str, int] = {}
    for row in assessed:
        month = timezone.localtime(row["month"], tz).date()
        name = row["level__name"]
        ranks[name] = max(ranks.get(name, 0), row["rank"])
        for tally in (by_month[month], by_unit[under(row["meeting__unit__path"])], total):
            tally.levels[name] = tally.levels.get(name, 0) + row["n"]
    columns = sorted(ranks, key=lambda n: (-ranks[n], n))
    months = [(date(year, m, 1), by_month.get(date(year, m, 1), Tally())) for m in range(1, 13)]
    units = [(u, by_unit[u.pk]) for u in Unit.objects.filter(pk__in=by_unit).order_by("path")]
    for tally in [total, *(t for _m, t in months), *(t for _u, t in units)]:
        tally.columns = [tally.levels.get(name, 0) for name in columns]
    return Results(columns, months, units, total)
