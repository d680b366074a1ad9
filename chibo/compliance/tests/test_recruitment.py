"""The recruitment obligations plugged into the registry, read through that app's selectors."""

from datetime import date

from chibo.compliance import obligations
from chibo.compliance.models import Result, Status
from chibo.compliance.tests.helpers import evaluate
from chibo.lib.dates import today
from chibo.recruitment import services as recruitment_services
from conftest import Tree


def test_recruitment_obligations_are_registered() -> None:
    assert {"recruitment_target", "recruitment_steps", "probation_ending"} <= set(
        obligations.REGISTRY
    )


def test_behind_the_pro_rata_target(tree: Tree) -> None:
    month = today().replace(day=1)
    recruitment_services.set_target(
        tree.commune_a, actor=None, year=month.year, target=24, basis="NQ đại hội"
    )
    evaluate(tree.district, month)
    row = Result.objects.get(unit=tree.commune_a, obligation="recruitment_target", month=month)
    assert (row.numerator, row.denominator) == (0, 24)
    assert row.status == (Status.WARNING if month.month > 1 or today().day > 15 else Status.OK)
    assert Result.objects.filter(unit=tree.district, obligation="recruitment_target").exists()
    assert date(month.year, 1, 1) <= month
