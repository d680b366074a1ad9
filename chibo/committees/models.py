from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chibo.lib.intervals import dates_in_order


class Body(models.TextChoices):
    """The leading bodies of a unit (GLOSSARY: committee, standing committee, cell committee)."""

    COMMITTEE = "committee", _("Cấp ủy, ban chấp hành")
    STANDING = "standing", _("Ban thường vụ")
    CELL_COMMITTEE = "cell_committee", _("Chi ủy")


class Position(models.TextChoices):
    """A seat's position, from the top down: the order in which a committee is listed."""

    SECRETARY = "secretary", _("Bí thư")
    STANDING_DEPUTY = "standing_deputy", _("Phó bí thư thường trực")
    DEPUTY = "deputy", _("Phó bí thư")
    STANDING_MEMBER = "standing_member", _("Ủy viên ban thường vụ")
    MEMBER = "member", _("Ủy viên")


class CommitteeSeat(models.Model):
    """A member's seat on a leading body of a unit, with its position, over a dated period.

    `unit` is the unit whose body it is: a cell's chi ủy, a base, commune or province committee
    or its standing committee. A cell of fewer than 9 official members has no chi ủy: its
    secretary (and deputy) sit on the body `committee` (RULES.md §1.1). A standing-committee seat
    implies a seat on the committee; record it on its own row only where the decision does.
    `valid_to` is the last day held (inclusive), empty while held. Only `committees.services`
    writes these rows and checks the rules (one secretary per unit and day, sizes, overlaps).
    """

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("đảng viên"),
        on_delete=models.CASCADE,
        related_name="committee_seats",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("tổ chức đảng"),
        on_delete=models.PROTECT,
        related_name="committee_seats",
    )
    body = models.CharField(_("cơ quan"), max_length=20, choices=Body.choices)
    position = models.CharField(_("chức vụ"), max_length=20, choices=Position.choices)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến hết ngày"), null=True, blank=True)
    basis = models.CharField(_("căn cứ"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("chức vụ cấp ủy")
        verbose_name_plural = _("chức vụ cấp ủy")
        ordering = ["unit", "valid_from", "id"]
        indexes = [
            models.Index(fields=["unit", "valid_from"], name="committee_seat_unit_idx"),
            models.Index(fields=["member", "valid_from"], name="committee_seat_member_idx"),
        ]
        constraints = [
            dates_in_order(
                "committee_seat_dates_ordered", _("Ngày kết thúc phải sau ngày bắt đầu.")
            ),
            # Safety nets under the services' dated checks: they hold for the open seats.
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(position="secretary", valid_to__isnull=True),
                name="committee_seat_one_open_secretary",
                violation_error_message=_("Mỗi tổ chức đảng chỉ có một bí thư."),
            ),
            models.UniqueConstraint(
                fields=["member", "unit", "body"],
                condition=Q(valid_to__isnull=True),
                name="committee_seat_one_open_per_body",
                violation_error_message=_("Đảng viên đã có chức vụ trong cơ quan này."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_position_display()} · {self.unit}"

    def is_active_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)


class SupervisionAssignment(models.Model):
    """A committee member of a higher unit assigned to watch over a unit (phân công phụ trách).

    The district standing committee assigns its members to clusters, district committee members
    to communes, commune committee members to cells (seed article, Hậu Lộc); the supervisor
    attends the unit's meetings and is told their time, place and content (RULES.md §1.2(3)).
    The supervisor holds a seat on a unit strictly above `unit` on the first day; a supervisor
    is assigned to a unit once at a time. `valid_to` is the last day (inclusive).
    """

    supervisor = models.ForeignKey(
        "members.Member",
        verbose_name=_("cấp ủy viên phụ trách"),
        on_delete=models.CASCADE,
        related_name="supervision_assignments",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị được phụ trách"),
        on_delete=models.PROTECT,
        related_name="supervision_assignments",
    )
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến hết ngày"), null=True, blank=True)
    basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("phân công phụ trách")
        verbose_name_plural = _("phân công phụ trách")
        ordering = ["unit", "valid_from", "id"]
        indexes = [
            models.Index(fields=["unit", "valid_from"], name="supervision_unit_idx"),
            models.Index(fields=["supervisor", "valid_from"], name="supervision_supervisor_idx"),
        ]
        constraints = [
            dates_in_order("supervision_dates_ordered", _("Ngày kết thúc phải sau ngày bắt đầu.")),
            models.UniqueConstraint(
                fields=["supervisor", "unit"],
                condition=Q(valid_to__isnull=True),
                name="supervision_one_open",
                violation_error_message=_("Đồng chí này đã được phân công phụ trách đơn vị."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} → {self.unit}"

    def is_active_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)
