from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chibo.lib.vntext import KEY_COLLATION
from chibo.members.models import Sex, citizen_id_format


class Education(models.TextChoices):
    """General education (trình độ giáo dục phổ thông) and above; 232-QĐ/TW asks for lower
    secondary or higher, with exceptions for disadvantaged areas (RULES.md §2.1)."""

    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")
    VOCATIONAL = "vocational", _("Trung cấp, cao đẳng")
    UNIVERSITY = "university", _("Đại học")
    POSTGRADUATE = "postgraduate", _("Sau đại học")


QUALIFYING_EDUCATION = frozenset(set(Education.values) - {Education.PRIMARY})


class Stage(models.TextChoices):
    """Where a candidate stands: the last step done, and so the step awaited."""

    LISTED = "listed", _("Quần chúng ưu tú, chờ học lớp nhận thức về Đảng")
    CERTIFIED = "certified", _("Có giấy chứng nhận, chờ đơn xin vào Đảng")
    APPLIED = "applied", _("Có đơn, chờ lý lịch")
    DECLARED = "declared", _("Đã khai lý lịch, chờ kết luận thẩm tra")
    VERIFIED = "verified", _("Đã thẩm tra lý lịch, chờ ý kiến đoàn thể, nơi cư trú")
    READY = "ready", _("Đủ hồ sơ, chờ chi bộ xét")
    PROPOSED = "proposed", _("Chi bộ đề nghị, chờ nghị quyết đảng ủy cơ sở")
    ENDORSED = "endorsed", _("Đã đề nghị, chờ quyết định kết nạp")
    DECIDED = "decided", _("Có quyết định, chờ lễ kết nạp")
    PROBATION = "probation", _("Đảng viên dự bị")
    RECOGNISED = "recognised", _("Đã công nhận đảng viên chính thức")
    REMOVED = "removed", _("Xóa tên trong thời gian dự bị")
    WITHDRAWN = "withdrawn", _("Thôi theo dõi")


# Stages of a candidate still followed by the pipeline, in order.
OPEN_STAGES = [s for s in Stage.values if s not in ("recognised", "removed", "withdrawn")]


class StepKind(models.TextChoices):
    CERTIFICATE = "certificate", _("Giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng")
    APPLICATION = "application", _("Đơn xin vào Đảng")
    HISTORY = "history", _("Lý lịch người xin vào Đảng")
    VERIFICATION = "verification", _("Kết luận thẩm tra lý lịch")
    OPINIONS = "opinions", _("Ý kiến của đoàn thể và chi ủy nơi cư trú")
    CELL_RESOLUTION = "cell_resolution", _("Nghị quyết của chi bộ đề nghị kết nạp")
    COMMITTEE_RESOLUTION = "committee_resolution", _("Nghị quyết của đảng ủy cơ sở")
    EXTENSION = "extension", _("Gia hạn thời gian xem xét quyết định")
    DECISION = "decision", _("Quyết định kết nạp")
    CEREMONY = "ceremony", _("Lễ kết nạp")
    PROBATION_CELL = "probation_cell", _("Nghị quyết của chi bộ về đảng viên dự bị")
    PROBATION_COMMITTEE = (
        "probation_committee",
        _("Nghị quyết của đảng ủy cơ sở về đảng viên dự bị"),
    )
    RECOGNITION = "recognition", _("Quyết định công nhận đảng viên chính thức")
    REMOVAL = "removal", _("Quyết định xóa tên đảng viên dự bị")
    WITHDRAWAL = "withdrawal", _("Thôi theo dõi")


class Proposal(models.TextChoices):
    RECOGNISE = "recognise", _("Đề nghị công nhận đảng viên chính thức")
    REMOVE = "remove", _("Đề nghị xóa tên")


class Candidate(models.Model):
    """A person in a cell's list of outstanding candidates (quần chúng ưu tú), not yet a member,
    and then, once admitted, their probation until recognition or removal (RULES.md §3).

    The cell keeps the list and assigns an official member to help each one. `stage` and the
    dates below are the steps' results that deadlines and the board need, kept by the services
    (`recruitment.services`) together with the `Step` rows, which hold the record itself.
    """

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("chi bộ"), on_delete=models.PROTECT, related_name="candidates"
    )
    full_name = models.CharField(_("họ và tên"), max_length=120)
    search_name = models.CharField(max_length=120, editable=False, db_collation=KEY_COLLATION)
    sort_name = models.CharField(max_length=120, editable=False, db_collation=KEY_COLLATION)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("ngày sinh"))
    citizen_id = models.CharField(
        _("số căn cước công dân"),
        max_length=12,
        blank=True,
        validators=[citizen_id_format],
        help_text=_("Ghi vào hồ sơ đảng viên khi kết nạp."),
    )
    hometown = models.CharField(_("quê quán"), max_length=200, blank=True)
    address = models.CharField(_("nơi ở hiện nay"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    ethnicity = models.CharField(_("dân tộc"), max_length=50, blank=True)
    religion = models.CharField(_("tôn giáo"), max_length=50, blank=True)
    education = models.CharField(_("trình độ học vấn"), max_length=20, choices=Education.choices)
    education_exception = models.CharField(
        _("căn cứ ngoại lệ về học vấn"),
        max_length=200,
        blank=True,
        help_text=_("Vùng cao, hải đảo, đồng bào dân tộc thiểu số: văn bản hướng dẫn áp dụng."),
    )
    occupation = models.CharField(_("nghề nghiệp"), max_length=100, blank=True)
    workplace = models.CharField(_("nơi làm việc, học tập"), max_length=200, blank=True)
    youth_union = models.BooleanField(_("là đoàn viên Đoàn TNCS Hồ Chí Minh"), default=False)
    helper = models.ForeignKey(
        "members.Member",
        verbose_name=_("đảng viên được phân công giúp đỡ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    listed_on = models.DateField(_("đưa vào danh sách ngày"))
    reviewed_on = models.DateField(_("rà soát gần nhất"), null=True, blank=True)
    stage = models.CharField(
        _("bước hiện tại"), max_length=12, choices=Stage.choices, default=Stage.LISTED
    )
    certificate_on = models.DateField(_("ngày cấp giấy chứng nhận"), null=True, blank=True)
    resolved_on = models.DateField(_("ngày nghị quyết chi bộ"), null=True, blank=True)
    endorsed_on = models.DateField(_("ngày nghị quyết đảng ủy cơ sở"), null=True, blank=True)
    extension_workdays = models.PositiveSmallIntegerField(_("ngày gia hạn"), default=0)
    decided_on = models.DateField(_("ngày quyết định kết nạp"), null=True, blank=True)
    decision_received_on = models.DateField(_("ngày nhận quyết định"), null=True, blank=True)
    admitted_on = models.DateField(_("ngày lễ kết nạp"), null=True, blank=True)
    probation_ends_on = models.DateField(_("hết thời gian dự bị"), null=True, blank=True)
    proposal = models.CharField(
        _("đề nghị của chi bộ"), max_length=10, choices=Proposal.choices, blank=True
    )
    probation_resolved_on = models.DateField(
        _("ngày chi bộ đề nghị (dự bị)"), null=True, blank=True
    )
    probation_endorsed_on = models.DateField(
        _("ngày đảng ủy cơ sở đề nghị (dự bị)"), null=True, blank=True
    )
    escalated_on = models.DateField(_("chuyển cấp trên ngày"), null=True, blank=True)
    closed_on = models.DateField(_("kết thúc ngày"), null=True, blank=True)
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("đảng viên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="candidacy",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quần chúng ưu tú")
        verbose_name_plural = _("quần chúng ưu tú")
        ordering = ["sort_name", "id"]
        # Plain B-tree indexes, no LIKE copies (decision 0019).
        indexes = [
            models.Index(fields=["unit", "stage"], name="candidate_unit_stage_idx"),
            models.Index(fields=["sort_name", "id"], name="candidate_sort_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage__in=["probation", "recognised", "removed"])
                | Q(member__isnull=False),
                name="candidate_admitted_has_member",
                violation_error_message=_("Đã kết nạp thì phải có hồ sơ đảng viên."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class Step(models.Model):
    """One act of the admission or recognition procedure, as recorded: its date, document
    number, who did it, and for votes the figures and the denominator they were measured by.
    A vote that fell short of two thirds is a step too: it counts towards escalation."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("bước"), max_length=20, choices=StepKind.choices)
    on = models.DateField(pgettext_lazy("date of a step", "ngày"))
    number = models.CharField(_("số văn bản"), max_length=60, blank=True)
    by = models.CharField(_("người, cơ quan thực hiện"), max_length=200, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    proposal = models.CharField(
        _("nội dung đề nghị"), max_length=10, choices=Proposal.choices, blank=True
    )
    votes_for = models.PositiveIntegerField(_("tán thành"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("không tán thành"), null=True, blank=True)
    voters = models.PositiveIntegerField(
        _("mẫu số"),
        null=True,
        blank=True,
        help_text=_("Số đảng viên chính thức của chi bộ, hoặc số cấp ủy viên, ngày biểu quyết."),
    )
    passed = models.BooleanField(_("đạt"), null=True, blank=True)
    workdays = models.PositiveSmallIntegerField(_("số ngày làm việc"), null=True, blank=True)
    received_on = models.DateField(_("ngày chi bộ nhận"), null=True, blank=True)
    consent = models.CharField(_("văn bản đồng ý của cấp trên"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bước phát triển đảng viên")
        verbose_name_plural = _("các bước phát triển đảng viên")
        ordering = ["candidate", "on", "id"]
        indexes = [models.Index(fields=["kind", "on"], name="recruitment_step_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(votes_for__isnull=True) | Q(voters__isnull=False),
                name="recruitment_vote_has_denominator",
                violation_error_message=_("Biểu quyết phải có mẫu số."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on:%d/%m/%Y}"


class Attachment(models.Model):
    """A scanned document of a step (application, history, resolution, decision). Served only
    through a view that checks who may read the candidate, never as public media."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("tên tài liệu"), max_length=200)
    file = models.FileField(_("tệp"), upload_to="recruitment/%Y/%m/", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tài liệu kèm theo")
        verbose_name_plural = _("tài liệu kèm theo")
        ordering = ["step", "id"]

    def __str__(self) -> str:
        return self.title


class IntroducerKind(models.TextChoices):
    MEMBER = "member", _("Đảng viên chính thức")
    YOUTH_UNION = "youth_union", _("Nghị quyết Ban chấp hành Đoàn cơ sở")
    TRADE_UNION = "trade_union", _("Nghị quyết Ban chấp hành Công đoàn cơ sở")


class Introducer(models.Model):
    """Who introduces the candidate (Điều lệ Đảng, Điều 4(1); RULES.md §3.2): two official
    members, or the Youth Union's (else the trade union's) resolution and one official member.

    `since` is the day the member began to work, study or live with the candidate in the same
    unit (12 months before the cell's resolution at least). A replacement (`replaces`), assigned
    when an introducer leaves, is exempt from the 12 months.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="introducers")
    kind = models.CharField(_("hình thức"), max_length=12, choices=IntroducerKind.choices)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("đảng viên giới thiệu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="introductions",
    )
    organisation = models.CharField(_("tổ chức giới thiệu"), max_length=200, blank=True)
    number = models.CharField(_("số nghị quyết"), max_length=60, blank=True)
    since = models.DateField(_("cùng công tác, học tập, cư trú từ ngày"), null=True, blank=True)
    assigned_on = models.DateField(_("ngày giới thiệu"))
    ended_on = models.DateField(_("thôi giới thiệu ngày"), null=True, blank=True)
    reason = models.CharField(_("lý do thôi"), max_length=200, blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("thay cho"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacement",
    )

    class Meta:
        verbose_name = _("người giới thiệu")
        verbose_name_plural = _("người giới thiệu")
        ordering = ["candidate", "assigned_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="member") & Q(member__isnull=False))
                | (~Q(kind="member") & ~Q(organisation="")),
                name="introducer_is_member_or_union",
                violation_error_message=_("Cần đảng viên giới thiệu hoặc tên tổ chức giới thiệu."),
            ),
        ]

    def __str__(self) -> str:
        return self.member.full_name if self.member else self.organisation


class Relation(models.TextChoices):
    SELF = "self", _("Bản thân")
    FATHER = "father", _("Cha đẻ")
    MOTHER = "mother", _("Mẹ đẻ")
    FATHER_IN_LAW = "father_in_law", _("Cha vợ, cha chồng")
    MOTHER_IN_LAW = "mother_in_law", _("Mẹ vợ, mẹ chồng")
    GUARDIAN = "guardian", _("Người nuôi dưỡng")
    SPOUSE = "spouse", _("Vợ, chồng")
    CHILD = "child", _("Con đẻ")


class Verdict(models.TextChoices):
    PENDING = "pending", _("Đang thẩm tra")
    CLEAR = "clear", _("Đạt, không có vấn đề")
    CONCERN = "concern", _("Có vấn đề cần làm rõ")


class Relative(models.Model):
    """One person whose history the background verification covers (thẩm tra lý lịch,
    RULES.md §3.1(4)): the candidate, parents, parents-in-law, spouse, adult children."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="relatives")
    relation = models.CharField(_("quan hệ"), max_length=15, choices=Relation.choices)
    full_name = models.CharField(_("họ và tên"), max_length=120)
    verdict = models.CharField(
        _("kết quả thẩm tra"), max_length=10, choices=Verdict.choices, default=Verdict.PENDING
    )
    concluded_on = models.DateField(_("ngày có kết quả"), null=True, blank=True)
    by = models.CharField(_("nơi thẩm tra"), max_length=200, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("người được thẩm tra lý lịch")
        verbose_name_plural = _("người được thẩm tra lý lịch")
        ordering = ["candidate", "id"]

    def __str__(self) -> str:
        return f"{self.get_relation_display()}: {self.full_name}"


class Target(models.Model):
    """A unit's admission target for a calendar year (chỉ tiêu kết nạp), set by its congress
    or committee (RULES.md §3.6); the results are counted from the members' records."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="admission_targets"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    target = models.PositiveIntegerField(_("chỉ tiêu kết nạp"))
    basis = models.CharField(_("căn cứ"), max_length=300)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chỉ tiêu kết nạp")
        verbose_name_plural = _("chỉ tiêu kết nạp")
        ordering = ["unit", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="recruitment_target_once_a_year",
                violation_error_message=_("Đơn vị đã có chỉ tiêu năm này."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}: {self.target}"
