from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Framework(models.Model):
    """A set of criteria and levels for a cell's self-assessment of a meeting, issued by a
    province or commune committee (no national standard exists, RULES.md §1.7).

    It applies to `unit` and everything below it from `valid_from`, unless a lower unit has a
    framework of its own; a later framework of the same unit takes over from its own date.
    Once a meeting has been assessed against it, its criteria, levels and date are fixed: a
    change is a new framework with a new date, so that past results keep their meaning.
    """

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="quality_frameworks"
    )
    name = models.CharField(_("tên khung tiêu chí"), max_length=200)
    basis = models.CharField(
        _("căn cứ"),
        max_length=300,
        blank=True,
        help_text=_("Ví dụ: Quy định 15-QĐi/TU (14/11/2018) của Tỉnh ủy Quảng Nam."),
    )
    valid_from = models.DateField(_("áp dụng từ ngày"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khung tiêu chí đánh giá chất lượng sinh hoạt")
        verbose_name_plural = _("khung tiêu chí đánh giá chất lượng sinh hoạt")
        ordering = ["unit", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "valid_from"],
                name="framework_one_start",
                violation_error_message=_("Đơn vị đã có một khung tiêu chí áp dụng từ ngày này."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y})"


class Criterion(models.Model):
    """One criterion of a framework, in order, scored from 0 to `max_points`."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    text = models.CharField(_("tiêu chí"), max_length=500)
    max_points = models.PositiveSmallIntegerField(_("điểm tối đa"))

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "position"], name="criterion_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(max_points__gt=0),
                name="criterion_has_points",
                violation_error_message=_("Điểm tối đa phải lớn hơn 0."),
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Level(models.Model):
    """A classification of a meeting ("Tốt", "Khá", "Trung bình", "Kém"): a total of at least
    `min_points` reaches it, the highest level reached is the meeting's."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    name = models.CharField(_("mức xếp loại"), max_length=60)
    min_points = models.PositiveSmallIntegerField(_("từ điểm"))

    class Meta:
        verbose_name = _("mức xếp loại")
        verbose_name_plural = _("mức xếp loại")
        ordering = ["framework", "-min_points"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "name"], name="level_name_unique"),
            models.UniqueConstraint(
                fields=["framework", "min_points"], name="level_min_points_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """A cell's self-assessment of one held meeting against the framework in force on the
    meeting's day: the total of its scores and the level it reaches. Assessing again replaces
    it (the audit log keeps the earlier result)."""

    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="quality"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="assessments")
    total = models.PositiveSmallIntegerField(_("tổng điểm"))
    level = models.ForeignKey(
        Level, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("xếp loại")
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField(_("đánh giá lúc"))

    class Meta:
        verbose_name = _("tự đánh giá chất lượng sinh hoạt")
        verbose_name_plural = _("tự đánh giá chất lượng sinh hoạt")

    def __str__(self) -> str:
        return f"{self.meeting}: {self.level} ({self.total})"


class Score(models.Model):
    """The points a meeting got on one criterion, with a note."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(_("điểm"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("điểm tiêu chí")
        verbose_name_plural = _("điểm tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="score_once")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.points}"
