"""The demo district's admissions, computed from data: the article's 944 from 1/2016 to 8/2021,
about 188 a year, above target; and today's pipeline across the former district."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from chibo.lib.dates import today
from chibo.recruitment import report, selectors
from chibo.recruitment.models import OPEN_STAGES, Candidate
from chibo.units.models import Unit, UnitKind


@pytest.mark.django_db
def test_the_article_figures_and_todays_pipeline() -> None:
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    district = Unit.objects.get(code="TH-HL")
    figures = report.report(district, date(2016, 1, 1), date(2021, 8, 31))
    assert figures.total.admitted == 944
    assert int(figures.per_year) == 188
    assert figures.total.above_target
    assert all(y.admitted >= y.target for y in figures.years)
    later = report.report(district, date(2016, 1, 1), date(2025, 6, 30))
    assert later.total.recognised > 900 and 0 < later.total.removed < 10
    # Candidates at every step today, some overdue, some with probation ending within 30 days.
    stages = set(Candidate.objects.values_list("stage", flat=True))
    assert set(OPEN_STAGES) <= stages
    overdue = soon = 0
    for commune in Unit.objects.filter(kind=UnitKind.COMMUNE, code__startswith="TH-"):
        board = selectors.board(commune, today())
        overdue += len(board.overdue)
        soon += len(board.ending_soon)
    assert overdue >= 3 and soon >= 1
