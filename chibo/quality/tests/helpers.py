"""Test data for meeting quality, built with the real services, and the objects the access
matrix (chibo/accounts/tests/test_access_matrix.py) asks for on the quality URLs."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from chibo.accounts.models import Role
from chibo.quality import services
from chibo.quality.models import Framework
from chibo.units.models import Unit

if TYPE_CHECKING:
    from chibo.accounts.tests.test_access_matrix import Ctx, Target

CRITERIA = [
    ("Chuẩn bị nội dung, tài liệu chu đáo, gửi trước ít nhất 1 ngày", 20),
    ("Đảng viên dự họp đầy đủ, đúng giờ", 20),
    ("Nội dung sinh hoạt thiết thực, đúng trọng tâm", 30),
    ("Thảo luận dân chủ, nghị quyết có tính khả thi", 30),
]
LEVELS = [("Tốt", 85), ("Khá", 70), ("Trung bình", 50), ("Kém", 0)]


def make_framework(
    unit: Unit,
    valid_from: date = date(2020, 1, 1),
    name: str = "Khung tiêu chí đánh giá chất lượng sinh hoạt chi bộ",
    criteria: list[tuple[str, int]] | None = None,
    levels: list[tuple[str, int]] | None = None,
) -> Framework:
    return services.create_framework(
        unit,
        actor=None,
        name=name,
        basis="Quy định 15-QĐi/TU (14/11/2018) của Tỉnh ủy Quảng Nam",
        valid_from=valid_from,
        criteria=CRITERIA if criteria is None else criteria,
        levels=LEVELS if levels is None else levels,
    )


def committee_targets(ctx: Ctx) -> list[Target]:
    """Where a framework may be issued: the district (a committee above the cells, in scope
    for the administrator and the district's staff), the other province (outside), and the
    cell every role covers as "own": a cell never issues one."""
    from chibo.accounts.tests.test_access_matrix import ANONYMOUS, MISSING_ID, Target

    t = ctx.tree
    own = Target("own", t.cell_a1.pk, ctx.role != ANONYMOUS, t.cell_a1)
    district = Target("committee", t.district.pk, ctx.role in (Role.ADMIN, Role.STAFF), t.district)
    if ctx.role == Role.ADMIN:
        return [own, district, Target("missing", MISSING_ID, False)]
    return [own, district, Target("other", t.other_province.pk, False, t.other_province)]


def framework_targets(ctx: Ctx) -> list[Target]:
    """A framework of the district, and one of the other province."""
    from chibo.accounts.tests.test_access_matrix import MISSING_ID, Target

    t = ctx.tree
    mine = Target("committee", make_framework(t.district).pk, ctx.role in (Role.ADMIN, Role.STAFF))
    if ctx.role == Role.ADMIN:
        return [mine, Target("missing", MISSING_ID, False)]
    return [mine, Target("other", make_framework(t.other_province).pk, False)]
