from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    OK = "ok", _("Đạt")
    WARNING = "warning", _("Cần chú ý")
    FAILED = "failed", _("Không đạt")
    NOT_APPLICABLE = "na", _("Không áp dụng")


class Result(models.Model):
    """Whether a unit met one obligation in one month, and the figures of its whole subtree.

    A cell's own row says what it did (`own`); the row of every unit above it sums its
    children's rows: how many units of the subtree were ok, warning or failed, and the
    numerator and denominator of the obligation's figure (members present over members
    expected, cells that met over cells). The sums are exact, so a province's dashboard reads
    its children's rows, never attendance (decision 0014). `parent` and `path` are where the
    unit stood that month. Only `compliance.services` writes these rows.
    """

    # Derived rows without foreign-key constraints (decision 0018): the references are kept by
    # the evaluation that writes them, not checked again for each of millions of rows.
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.CASCADE,
        related_name="compliance_results",
        db_constraint=False,
    )
    parent = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    path = models.CharField(max_length=255)
    obligation = models.CharField(_("nghĩa vụ"), max_length=40)
    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng."))
    status = models.CharField(_("kết quả"), max_length=10, choices=Status.choices)
    own = models.BooleanField(_("đánh giá chính đơn vị"), default=False)
    units_ok = models.PositiveIntegerField(default=0)
    units_warning = models.PositiveIntegerField(default=0)
    units_failed = models.PositiveIntegerField(default=0)
    numerator = models.PositiveIntegerField(default=0)
    denominator = models.PositiveIntegerField(default=0)
    detail = models.JSONField(default=dict, blank=True)
    evaluated_at = models.DateTimeField(_("đánh giá lúc"))

    class Meta:
        verbose_name = _("kết quả chấp hành")
        verbose_name_plural = _("kết quả chấp hành")
        ordering = ["month", "path", "obligation"]
        indexes = [
            models.Index(fields=["parent", "month"], name="compliance_result_parent_idx"),
            models.Index(fields=["month", "path"], name="compliance_result_path_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "obligation", "month"], name="compliance_result_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.obligation} {self.month:%m/%Y}: {self.status}"

    @property
    def applicable(self) -> int:
        return self.units_ok + self.units_warning + self.units_failed


class AlertState(models.TextChoices):
    OPEN = "open", _("Mới")
    ACKNOWLEDGED = "acknowledged", _("Đã tiếp nhận")
    RESOLVED = "resolved", _("Đã xử lý")


class Alert(models.Model):
    """A failed or warning result that someone must act on.

    It starts with the unit itself (a cell's secretary and the committee member supervising
    it); not resolved within the configured days, it moves to the unit above (its committee
    staff), and on up. Acknowledged, then resolved with a note; all of it audited. A result
    that becomes ok again resolves its alert by itself.
    """

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="alerts")
    obligation = models.CharField(_("nghĩa vụ"), max_length=40)
    month = models.DateField(_("tháng"))
    # Where the unit stood in the tree in `month`, as its result's path (decision 0017): the
    # dashboard counts a subtree's open alerts in the month from an index, without the units.
    path = models.CharField(max_length=255, default="")
    status = models.CharField(_("mức"), max_length=10, choices=Status.choices)
    message = models.CharField(_("nội dung"), max_length=500)
    level = models.ForeignKey(
        "units.Unit",
        on_delete=models.CASCADE,
        related_name="alerts_held",
        verbose_name=_("cấp đang xử lý"),
    )
    escalations = models.PositiveSmallIntegerField(_("số lần chuyển lên"), default=0)
    level_since = models.DateTimeField(_("ở cấp này từ"))
    state = models.CharField(
        _("trạng thái"), max_length=15, choices=AlertState.choices, default=AlertState.OPEN
    )
    raised_at = models.DateTimeField(_("phát sinh lúc"))
    acknowledged_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("ghi chú xử lý"), blank=True)

    class Meta:
        verbose_name = _("cảnh báo")
        verbose_name_plural = _("cảnh báo")
        ordering = ["-month", "-raised_at", "-id"]
        indexes = [
            models.Index(fields=["level", "state"], name="alert_level_idx"),
            models.Index(fields=["state", "level_since"], name="alert_due_idx"),
            models.Index(
                fields=["month", "path"],
                name="alert_open_path_idx",
                condition=Q(state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED]),
            ),
            # The month's resolved alerts below a unit (`selectors.unit_alerts`): they pile up
            # month after month, and the open alerts' index does not hold them.
            models.Index(
                fields=["month", "path"],
                name="alert_resolved_path_idx",
                condition=Q(state=AlertState.RESOLVED),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "obligation", "month"], name="alert_once_per_result"
            ),
            models.CheckConstraint(
                condition=~Q(state="resolved") | Q(resolved_at__isnull=False),
                name="alert_resolved_has_time",
                violation_error_message=_("Cảnh báo đã xử lý phải có thời điểm xử lý."),
            ),
        ]

    def __str__(self) -> str:
        return self.message


class ReviewOutcome(models.TextChoices):
    PENDING = "pending", _("Chờ chi bộ xem xét")
    NOT_PROPOSED = "not_proposed", _("Chi bộ không đề nghị xóa tên")
    PROPOSED = "proposed", _("Chi bộ đề nghị cấp ủy có thẩm quyền xóa tên")


class RemovalReview(models.Model):
    """A proposal to a cell to consider a member's case (24-QĐ/TW §8.1, RULES.md §2.2): months
    of a year with an unexcused absence, or with dues unpaid, reached the threshold.

    It proposes; it never removes anyone. The cell considers the case and records what it
    decided; a removal itself is then decided by the competent committee and written through
    the members' own services. The months are kept up to date while the case is pending.
    """

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="removal_reviews"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="removal_reviews")
    period_start = models.DateField(_("tính từ tháng"))
    absent_months = models.JSONField(_("tháng vắng không lý do"), default=list)
    unpaid_months = models.JSONField(_("tháng không đóng đảng phí"), default=list)
    outcome = models.CharField(
        _("kết quả xem xét"),
        max_length=15,
        choices=ReviewOutcome.choices,
        default=ReviewOutcome.PENDING,
    )
    note = models.TextField(_("ý kiến của chi bộ"), blank=True)
    proposed_at = models.DateTimeField(_("đề nghị lúc"))
    decided_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("đề nghị xem xét xóa tên")
        verbose_name_plural = _("đề nghị xem xét xóa tên")
        ordering = ["-period_start", "unit", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "unit", "period_start"], name="removal_review_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.period_start:%Y}"


class Lapse(models.Model):
    """A month in which a member on a unit's roll missed its meeting without reason, or left
    the month's dues unpaid: what a removal review counts over its window (24-QĐ/TW §8.1,
    RULES.md §2.2).

    Stored when the month is evaluated, so that evaluating a month reads that month's
    attendance and dues, and the earlier months of the window from here (decision 0016).
    Only `compliance.lapses` writes these rows.
    """

    # Derived rows: no foreign-key constraints (decision 0018).
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng."))
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    absent = models.BooleanField(_("vắng không lý do"), default=False)
    unpaid = models.BooleanField(_("không đóng đảng phí"), default=False)

    class Meta:
        verbose_name = _("tháng vi phạm của đảng viên")
        verbose_name_plural = _("tháng vi phạm của đảng viên")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "member"], name="compliance_lapse_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.unit_id} {self.month:%m/%Y}"


class LapseMonth(models.Model):
    """A unit's month whose lapses are stored. `complete` once they were read after the month
    ended; a record of the unit dated in that month or later (a meeting, dues, a status, a
    transfer) forgets the row, so the month is read again when it is next needed."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    month = models.DateField(_("tháng"))
    complete = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("tháng đã ghi vi phạm")
        verbose_name_plural = _("tháng đã ghi vi phạm")
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="compliance_lapsemonth_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%m/%Y}"
