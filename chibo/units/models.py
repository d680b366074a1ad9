from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.lib.intervals import dates_in_order
from chibo.lib.vntext import KEY_COLLATION


class UnitKind(models.TextChoices):
    CENTRAL = "central", _("Trung ương")
    PROVINCE = "province", _("Đảng bộ tỉnh, thành phố")
    DISTRICT = "district", _("Đảng bộ huyện (trước 1/7/2025)")
    COMMUNE = "commune", _("Đảng bộ xã, phường (cấp trên trực tiếp cơ sở)")
    BASE = "base", _("Tổ chức cơ sở đảng")
    CELL = "cell", _("Chi bộ trực thuộc")
    GROUP = "group", _("Tổ đảng")


class KindRule(models.Model):
    """A kind of unit that may sit directly under another kind.

    The nesting is data, not code: the 2025 reform (294-QĐ/TW) moved commune committees under
    the province and dropped the district, and further pilots may change it again.
    RULES.md §0 "Structural change".
    """

    parent_kind = models.CharField(
        _("cấp trên"),
        max_length=20,
        choices=UnitKind.choices,
        blank=True,
        help_text=_("Để trống: cấp cao nhất của cây tổ chức."),
    )
    child_kind = models.CharField(_("cấp dưới"), max_length=20, choices=UnitKind.choices)
    basis = models.CharField(_("căn cứ"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("quy tắc cấp tổ chức")
        verbose_name_plural = _("quy tắc cấp tổ chức")
        constraints = [
            models.UniqueConstraint(
                fields=["parent_kind", "child_kind"],
                name="kind_rule_unique",
                violation_error_message=_("Quy tắc này đã có."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_parent_kind_display()} → {self.get_child_kind_display()}"


class EndReason(models.TextChoices):
    DISSOLVED = "dissolved", _("Giải thể")
    MERGED = "merged", _("Hợp nhất, sáp nhập")
    SPLIT = "split", _("Chia tách")


class Unit(models.Model):
    """A party organisation: any node of the tree, from the Central level down to a party group.

    `name`, `parent` and `path` are where the unit stands today. For a unit that has ended they
    point to the unit that now keeps its records: the unit it was merged into, otherwise its last
    parent, so that its history stays visible to the committees above it. Where the unit stood on
    an earlier date is in `UnitVersion`. Only `units.services` write these rows.
    """

    kind = models.CharField(_("cấp"), max_length=20, choices=UnitKind.choices)
    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    # Searched with LIKE '%…%' (`selectors.search_units`), which no B-tree serves (decision 0019).
    search_name = models.CharField(max_length=200, editable=False, db_collation=KEY_COLLATION)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    valid_from = models.DateField(_("thành lập ngày"))
    valid_to = models.DateField(_("kết thúc ngày"), null=True, blank=True)
    end_reason = models.CharField(
        _("lý do kết thúc"), max_length=20, choices=EndReason.choices, blank=True
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        ordering = ["path"]
        constraints = [
            dates_in_order("unit_dates_ordered", _("Ngày kết thúc phải sau ngày thành lập.")),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)


class UnitVersion(models.Model):
    """Where a unit stood, and what it was called, over one dated interval.

    Intervals of one unit follow each other without gaps or overlaps; `valid_to` is the last day
    (inclusive) and empty while the interval is open. "The tree as of 31/12/2021" is the set of
    versions valid on that day, and a subtree as of a day is one range scan on `path`.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(_("tên"), max_length=200)
    parent = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="child_versions"
    )
    path = models.CharField(max_length=255)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    basis = models.CharField(_("căn cứ"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("giai đoạn của tổ chức")
        verbose_name_plural = _("các giai đoạn của tổ chức")
        ordering = ["unit", "valid_from"]
        indexes = [
            models.Index(fields=["path", "valid_from"], name="unit_version_path_idx"),
            models.Index(fields=["parent", "valid_from"], name="unit_version_parent_idx"),
        ]
        constraints = [
            dates_in_order("unit_version_dates_ordered", _("Ngày kết thúc phải sau ngày bắt đầu.")),
            models.UniqueConstraint(
                fields=["unit", "valid_from"],
                name="unit_version_one_start",
                violation_error_message=_("Tổ chức đã có một giai đoạn bắt đầu ngày này."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y}–)"


class SubtreeCount(models.Model):
    """The figures of a unit's whole subtree on one day: members on the roll, cells and units,
    the unit itself included, and the members on its own roll.

    The unit page and the API read a unit's row and its children's instead of counting every
    membership below it (decision 0015). Rows are kept for today and for recent month ends only
    and are exact: `units.counts` writes them nightly and, after each change to the roll or the
    tree, rewrites the rows of the changed units and of the units above them. A row that is
    missing is counted live. Only `units.counts` writes these rows.
    """

    # Rows are found by day first (the unique index below), never by unit alone.
    # Derived rows: no foreign-key constraint (decision 0018).
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    day = models.DateField(_("ngày"))
    members = models.PositiveIntegerField(default=0)
    cells = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=1)
    own_members = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("số liệu toàn đơn vị")
        verbose_name_plural = _("số liệu toàn đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["day", "unit"], name="subtree_count_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day:%d/%m/%Y}: {self.members}"
