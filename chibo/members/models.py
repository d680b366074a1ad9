from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chibo.lib.intervals import dates_in_order
from chibo.lib.vntext import KEY_COLLATION


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class DuesCategory(models.TextChoices):
    """Quyết định 342-QĐ/TW (28/12/2010): the base of a member's monthly dues (RULES.md §5)."""

    SALARY = "salary", _("Hưởng lương (1% tiền lương)")
    PENSION = "pension", _("Hưu trí, trợ cấp BHXH (0,5%)")
    ENTERPRISE = "enterprise", _("Doanh nghiệp, đơn vị sự nghiệp (1% thu nhập)")
    OTHER = "other", _("Đảng viên khác (mức cố định)")


citizen_id_format = RegexValidator(
    r"^\d{12}$", _("Số căn cước công dân gồm đúng 12 chữ số. (Citizen ID: 12 digits.)")
)
card_number_format = RegexValidator(
    r"^\d{6,12}$", _("Số thẻ đảng viên gồm 6 đến 12 chữ số. (Party card: 6–12 digits.)")
)


class Member(models.Model):
    """A party member: the person, their party record and, where they have one, their account.

    Fields marked sensitive (citizen ID, ethnicity, religion, home address) are personal data
    under Law 91/2025 on personal data: `members.privacy` decides who sees them unmasked.
    Status and unit are not fields here: they are dated intervals (`MemberStatus`, `Membership`).
    """

    full_name = models.CharField(_("họ và tên"), max_length=120)
    search_name = models.CharField(max_length=120, editable=False, db_collation=KEY_COLLATION)
    sort_name = models.CharField(max_length=120, editable=False, db_collation=KEY_COLLATION)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    hometown = models.CharField(_("quê quán"), max_length=200, blank=True)
    address = models.CharField(_("nơi ở hiện nay"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    citizen_id = models.CharField(
        _("số CCCD"),
        max_length=12,
        null=True,
        blank=True,
        validators=[citizen_id_format],
    )
    ethnicity = models.CharField(_("dân tộc"), max_length=50, blank=True)
    religion = models.CharField(_("tôn giáo"), max_length=50, blank=True)
    education = models.CharField(_("trình độ học vấn"), max_length=100, blank=True)
    occupation = models.CharField(_("nghề nghiệp"), max_length=100, blank=True)
    workplace = models.CharField(_("nơi làm việc"), max_length=200, blank=True)

    card_number = models.CharField(
        _("số thẻ đảng viên"),
        max_length=12,
        null=True,
        blank=True,
        validators=[card_number_format],
    )
    admission_decided_on = models.DateField(_("ngày quyết định kết nạp"), null=True, blank=True)
    admitted_on = models.DateField(_("ngày vào Đảng (lễ kết nạp)"), null=True, blank=True)
    recognised_on = models.DateField(_("ngày công nhận chính thức"), null=True, blank=True)
    dues_category = models.CharField(
        _("đối tượng đóng đảng phí"), max_length=20, choices=DuesCategory.choices, blank=True
    )
    dues_monthly = models.PositiveIntegerField(
        _("đảng phí hằng tháng (đồng)"), null=True, blank=True
    )

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        ordering = ["sort_name", "id"]
        # Plain B-tree indexes only (decision 0019): `db_index` and `unique` on a text column
        # also build a `varchar_pattern_ops` copy on PostgreSQL for LIKE 'prefix%', which no
        # query here makes (names are searched by the trigram index, numbers by equality),
        # and every import keeps each copy up to date.
        indexes = [
            models.Index(fields=["birth_date"], name="member_birth_idx"),
            # A person on record by name and birth date (the import's namesakes); also any
            # lookup by name alone.
            models.Index(fields=["search_name", "birth_date"], name="member_namesake_idx"),
            models.Index(fields=["sort_name", "id"], name="member_sort_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["citizen_id"], name="member_citizen_id_unique"),
            models.UniqueConstraint(fields=["card_number"], name="member_card_number_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name


class Status(models.TextChoices):
    PROBATIONARY = "probationary", _("Đảng viên dự bị")
    OFFICIAL = "official", _("Đảng viên chính thức")
    EXEMPTED = "exempted", _("Miễn công tác và sinh hoạt")
    ATTACHED = "attached", _("Sinh hoạt tạm thời nơi khác")
    SUSPENDED = "suspended", _("Đình chỉ sinh hoạt")
    REMOVED = "removed", _("Xóa tên")
    EXPELLED = "expelled", _("Khai trừ")
    DECEASED = "deceased", _("Từ trần")
    TRANSFERRED_OUT = "transferred_out", _("Chuyển sinh hoạt ra ngoài")


# Statuses in which a person is a member of the Party (counted in the unit's đảng số).
ON_ROLL = frozenset(
    {Status.PROBATIONARY, Status.OFFICIAL, Status.EXEMPTED, Status.ATTACHED, Status.SUSPENDED}
)
# Statuses that end membership here; nothing follows them.
FINAL = frozenset({Status.REMOVED, Status.EXPELLED, Status.DECEASED, Status.TRANSFERRED_OUT})


class Extent(models.TextChoices):
    FULL = "full", _("Toàn bộ")
    PARTIAL = "partial", _("Một phần")


class MemberStatus(models.Model):
    """One link of a member's status chain: what they were, from when to when, and on what basis.

    The links of one member follow each other without gaps or overlaps from the day they were
    admitted; a final status (removal, expulsion, death, transfer out) stays open. The rules are
    checked by `members.services`; the database keeps one open link per member.
    """

    # Indexed by `member_status_of_member` below, which leads with the member.
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="statuses", db_index=False
    )
    status = models.CharField(_("tình trạng"), max_length=20, choices=Status.choices)
    extent = models.CharField(_("mức miễn"), max_length=10, choices=Extent.choices, blank=True)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    basis_number = models.CharField(_("số văn bản"), max_length=60, blank=True)
    basis_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("tình trạng đảng viên")
        verbose_name_plural = _("tình trạng đảng viên")
        ordering = ["member", "valid_from"]
        indexes = [
            models.Index(fields=["status", "valid_from"], name="member_status_idx"),
            # "Was this member of this status that day?" (turnout's EXISTS, the roll): member
            # and status both equal, so that no planner without statistics (SQLite before
            # ANALYZE) prefers the status index and reads every member of that status.
            models.Index(fields=["member", "status", "valid_from"], name="member_status_of_member"),
        ]
        constraints = [
            dates_in_order(
                "member_status_dates_ordered", _("Ngày kết thúc phải sau ngày bắt đầu.")
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(valid_to__isnull=True),
                name="member_status_one_open",
                violation_error_message=_("Đảng viên chỉ có một tình trạng hiện tại."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()}"


class MembershipKind(models.TextChoices):
    OFFICIAL = "official", _("Sinh hoạt chính thức")
    TEMPORARY = "temporary", _("Sinh hoạt tạm thời")


class Membership(models.Model):
    """The unit a member is active in over one dated interval.

    Every member on the roll has one official unit on any day (their home unit, which counts
    them); while temporarily attached elsewhere they also have a temporary host unit, which
    does not count them (RULES.md §2.4). "Who belonged to this cell on 31/12/2021" is one query.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="memberships")
    kind = models.CharField(
        _("hình thức"),
        max_length=10,
        choices=MembershipKind.choices,
        default=MembershipKind.OFFICIAL,
    )
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    basis = models.CharField(_("căn cứ"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("nơi sinh hoạt")
        verbose_name_plural = _("nơi sinh hoạt")
        ordering = ["member", "valid_from"]
        indexes = [models.Index(fields=["unit", "valid_from"], name="membership_unit_idx")]
        constraints = [
            dates_in_order("membership_dates_ordered", _("Ngày kết thúc phải sau ngày bắt đầu.")),
            models.UniqueConstraint(
                fields=["member", "kind"],
                condition=Q(valid_to__isnull=True),
                name="membership_one_open",
                violation_error_message=_("Đảng viên chỉ sinh hoạt chính thức ở một nơi."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.unit}"


class TransferKind(models.TextChoices):
    OFFICIAL = "official", _("Chuyển sinh hoạt chính thức")
    TEMPORARY = "temporary", _("Chuyển sinh hoạt tạm thời")


class TransferState(models.TextChoices):
    ISSUED = "issued", _("Đã cấp giấy giới thiệu, chờ nơi nhận")
    CONFIRMED = "confirmed", _("Nơi nhận đã tiếp nhận")
    CANCELLED = "cancelled", _("Đã hủy")


class Transfer(models.Model):
    """A handover of a member's party activity from one unit to another (RULES.md §2.4).

    The sending unit issues it with the letter's number and date; the receiving unit confirms
    it. A letter not presented within the configured number of working days is flagged.
    A transfer out of the system names its destination in `destination_text` instead.
    """

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(_("hình thức"), max_length=10, choices=TransferKind.choices)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=TransferState.choices, default=TransferState.ISSUED
    )
    from_unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="transfers_in"
    )
    destination_text = models.CharField(_("nơi đến (ngoài hệ thống)"), max_length=300, blank=True)
    letter_number = models.CharField(_("số giấy giới thiệu"), max_length=60)
    letter_date = models.DateField(_("ngày giấy giới thiệu"))
    effective_on = models.DateField(_("ngày chuyển"))
    until = models.DateField(_("sinh hoạt tạm thời đến ngày"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    confirmed_on = models.DateField(_("ngày tiếp nhận"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chuyển sinh hoạt đảng")
        verbose_name_plural = _("chuyển sinh hoạt đảng")
        ordering = ["-letter_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_unit__isnull=False) | ~Q(destination_text=""),
                name="transfer_has_destination",
                violation_error_message=_("Cần nơi nhận. (A destination is required.)"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.letter_number}"
