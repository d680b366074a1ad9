import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Sinh hoạt thường kỳ")
    THEMATIC = "thematic", _("Sinh hoạt chuyên đề")
    EXTRAORDINARY = "extraordinary", _("Sinh hoạt bất thường")
    PREPARATORY = "preparatory", _("Họp chi ủy chuẩn bị")
    CEREMONY = "ceremony", _("Lễ kết nạp đảng viên")
    COMMITTEE = "committee", _("Họp cấp ủy")


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    HYBRID = "hybrid", _("Kết hợp")


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("Đã lên lịch")
    NOTIFIED = "notified", _("Đã gửi thông báo")
    HELD = "held", _("Đã họp")
    CLOSED = "closed", _("Đã khóa biên bản")
    CANCELLED = "cancelled", _("Đã hủy")


def new_checkin_code() -> str:
    return secrets.token_urlsafe(16)


class Meeting(models.Model):
    """One meeting of a unit: a cell's monthly or thematic meeting, a committee's meeting.

    Planned ahead (one by one or as a monthly series), held, then closed: closing locks the
    attendance, minutes and votes; a later change is an amendment with its reason (audit log).
    """

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("loại"), max_length=20, choices=MeetingKind.choices)
    mode = models.CharField(
        _("hình thức"), max_length=10, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON
    )
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=MeetingState.choices, default=MeetingState.PLANNED
    )
    title = models.CharField(_("chủ đề"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=200, blank=True)
    series_month = models.DateField(
        _("tháng của lịch định kỳ"),
        null=True,
        blank=True,
        help_text=_("Ngày đầu tháng, với cuộc họp thường kỳ sinh ra từ lịch."),
    )
    cascade_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cascaded",
        verbose_name=_("chuyên đề do cấp trên giao"),
    )
    prepares = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="preparations",
        verbose_name=_("chuẩn bị cho cuộc họp"),
        help_text=_("Cuộc họp chi ủy chuẩn bị: cuộc họp mà nó chuẩn bị."),
    )
    chair = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("chủ trì"),
    )
    minutes_secretary = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("thư ký"),
    )
    minutes = models.TextField(_("nội dung biên bản"), blank=True)
    conclusions = models.TextField(_("kết luận"), blank=True)
    checkin_code = models.CharField(max_length=40, default=new_checkin_code, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cuộc họp")
        verbose_name_plural = _("cuộc họp")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["unit", "starts_at"], name="meeting_unit_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("Giờ kết thúc phải sau giờ bắt đầu."),
            ),
            models.CheckConstraint(
                condition=Q(prepares__isnull=True) | Q(kind="preparatory"),
                name="meeting_only_preparatory_prepares",
                violation_error_message=_("Chỉ cuộc họp chuẩn bị mới gắn với cuộc họp khác."),
            ),
            models.UniqueConstraint(
                fields=["unit", "series_month"],
                condition=Q(kind="regular") & Q(series_month__isnull=False),
                name="meeting_one_regular_a_month",
                violation_error_message=_("Tháng này đã có cuộc họp thường kỳ trong lịch."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%d/%m/%Y}"


class AgendaItem(models.Model):
    """One item of a meeting's agenda, in order; tasks may be assigned to a named member."""

    class Part(models.TextChoices):
        OPENING = "opening", _("Phần mở đầu")
        CONTENT = "content", _("Nội dung")
        CLOSING = "closing", _("Kết thúc")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    part = models.CharField(_("phần"), max_length=10, choices=Part.choices)
    title = models.CharField(_("nội dung"), max_length=300)
    assignee = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người phụ trách"),
    )
    notes = models.TextField(_("ghi chép"), blank=True)

    class Meta:
        verbose_name = _("mục chương trình")
        verbose_name_plural = _("chương trình")
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_unique")
        ]

    def __str__(self) -> str:
        return self.title


class Mark(models.TextChoices):
    PRESENT = "present", _("Có mặt")
    LATE = "late", _("Đi muộn")
    EXCUSED = "excused", _("Vắng có lý do")
    UNEXCUSED = "unexcused", _("Vắng không lý do")


class MarkSource(models.TextChoices):
    SECRETARY = "secretary", _("Thư ký điểm danh")
    SELF = "self", _("Tự điểm danh (mã QR)")


class Attendance(models.Model):
    """One expected member's attendance at a meeting: who recorded it, when and how."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="attendance"
    )
    mark = models.CharField(_("điểm danh"), max_length=10, choices=Mark.choices)
    reason = models.CharField(_("lý do"), max_length=200, blank=True)
    counted = models.BooleanField(
        _("tính vào tỷ lệ"),
        default=True,
        help_text=_("Đảng viên được miễn sinh hoạt đến dự: ghi có mặt, không tính vào tỷ lệ."),
    )
    source = models.CharField(_("cách ghi"), max_length=10, choices=MarkSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now=True)

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once"),
            models.CheckConstraint(
                condition=~Q(mark="excused") | ~Q(reason=""),
                name="excused_has_reason",
                violation_error_message=_("Vắng có lý do thì phải ghi lý do."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_mark_display()}"


class Guest(models.Model):
    """Someone at the meeting who is not expected: the supervising committee member, a guest."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("họ và tên"), max_length=120)
    role = models.CharField(_("chức vụ, nơi công tác"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("khách mời")
        verbose_name_plural = _("khách mời")

    def __str__(self) -> str:
        return self.name


class DuesPayment(models.Model):
    """A member's party dues for one month, collected at the start of the regular meeting
    (Quyết định 342-QĐ/TW, RULES.md §5)."""

    # The foreign keys' own indexes would repeat the first column of the indexes below.
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="dues", db_index=False
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="dues", db_index=False
    )
    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng."))
    amount = models.PositiveIntegerField(_("số tiền (đồng)"))
    paid = models.BooleanField(_("đã nộp"), default=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="dues"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("đảng phí")
        verbose_name_plural = _("đảng phí")
        ordering = ["month", "member"]
        indexes = [
            models.Index(fields=["unit", "month"], name="dues_unit_month_idx"),
            # Who paid a month, read for a whole subtree by the compliance evaluation: the
            # month's entries alone, not every month's (decision 0015).
            models.Index(
                fields=["month", "member"], name="dues_paid_month_idx", condition=Q(paid=True)
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_once_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%m/%Y}"


class Resolution(models.Model):
    """A resolution (nghị quyết) of a meeting, numbered per unit and year: "Số: 05-NQ/CB"."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="resolutions")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="resolutions")
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveIntegerField(_("số"))
    title = models.CharField(_("trích yếu"), max_length=300)
    body = models.TextField(_("nội dung"), blank=True)

    class Meta:
        verbose_name = _("nghị quyết")
        verbose_name_plural = _("nghị quyết")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "number"], name="resolution_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number:02d}-NQ/CB ({self.year})"


class VoteRule(models.TextChoices):
    MAJORITY = "majority", _("Quá nửa số đảng viên được triệu tập (trừ các trường hợp loại trừ)")
    TWO_THIRDS_OFFICIAL = "two_thirds_official", _("Ít nhất 2/3 số đảng viên chính thức")


class Vote(models.Model):
    """A show-of-hands vote at a meeting; whether it passes is computed against the right
    denominator (RULES.md §1.5), stored with the figures it was computed from."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes")
    resolution = models.ForeignKey(
        Resolution, null=True, blank=True, on_delete=models.SET_NULL, related_name="votes"
    )
    subject = models.CharField(_("vấn đề biểu quyết"), max_length=300)
    rule = models.CharField(_("quy tắc"), max_length=30, choices=VoteRule.choices)
    votes_for = models.PositiveIntegerField(_("tán thành"))
    votes_against = models.PositiveIntegerField(_("không tán thành"))
    abstentions = models.PositiveIntegerField(_("không biểu quyết"))
    denominator = models.PositiveIntegerField(_("mẫu số"))
    passed = models.BooleanField(_("thông qua"))

    class Meta:
        verbose_name = _("biểu quyết")
        verbose_name_plural = _("biểu quyết")

    def __str__(self) -> str:
        return self.subject


# Preparation (42-HD/BTCTW 2025, RULES.md §1.2): documents, notices, members' opinions on the
# draft, and the private calendar feeds.


class MeetingDocument(models.Model):
    """A document of a meeting (draft resolution, report, material to study), posted for the
    members before the meeting: at least one day before it, by the 2025 guidance. Files are
    served only through a view that checks who may read the meeting, never as public media."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("tên tài liệu"), max_length=200)
    file = models.FileField(_("tệp"), upload_to="meetings/%Y/%m/", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("đăng lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("tài liệu cuộc họp")
        verbose_name_plural = _("tài liệu cuộc họp")
        ordering = ["meeting", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class NoticeChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    PAGE = "page", _("Trang cá nhân")


class MeetingNotice(models.Model):
    """One sending of a meeting's notice (time, place and content) on one channel: by e-mail to
    the expected members who have an address and to the supervising committee members, and on
    the members' own page. `recipients` is how many it reached on that channel."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    channel = models.CharField(_("kênh"), max_length=10, choices=NoticeChannel.choices)
    recipients = models.PositiveIntegerField(_("số người nhận"))
    sent_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("thông báo cuộc họp")
        verbose_name_plural = _("thông báo cuộc họp")
        ordering = ["meeting", "-sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.get_channel_display()} {self.recipients}"


class Opinion(models.Model):
    """An expected member's opinion on the draft resolution and the content of a meeting, sent
    beforehand; one per member and meeting, editable until the meeting starts."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="opinions")
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="meeting_opinions"
    )
    text = models.TextField(_("ý kiến"))
    created_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("sửa lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("ý kiến góp ý")
        verbose_name_plural = _("ý kiến góp ý")
        ordering = ["meeting", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                name="opinion_once_per_member",
                violation_error_message=_("Mỗi đảng viên gửi một ý kiến cho mỗi cuộc họp."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.meeting}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A private iCalendar link: a member's own meetings (`unit` empty) or one unit's meetings.

    The token in the URL is the only key, so a link can be revoked (and a new one made) at any
    time; a revoked link answers 404. Each user has at most one open link of each kind."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lịch iCal")
        verbose_name_plural = _("lịch iCal")
        ordering = ["user", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(unit__isnull=True, revoked_at__isnull=True),
                name="calendar_feed_one_own",
                violation_error_message=_("Đã có liên kết lịch của riêng bạn."),
            ),
            models.UniqueConstraint(
                fields=["user", "unit"],
                condition=Q(unit__isnull=False, revoked_at__isnull=True),
                name="calendar_feed_one_per_unit",
                violation_error_message=_("Đã có liên kết lịch của đơn vị này."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit or '—'}"
