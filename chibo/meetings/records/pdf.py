"""The PDF records of a meeting: the minutes (biên bản), a resolution (nghị quyết) and the
attendance list to sign, in the layout of Party documents (Hướng dẫn 36-HD/VPTW): the superior
unit and the unit top left, "ĐẢNG CỘNG SẢN VIỆT NAM" underlined top right, the number, the
place and date, the title centred, the body, the signatures.

Made with fpdf2 and the Roboto font of the `font-roboto` package, which covers Vietnamese in
its four styles (docs/decisions/0009-pdf.md). They are records of the cell, so they are written
in Vietnamese whatever the reader's interface language.
"""

import logging
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from importlib.resources import files

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, TextEmphasis, XPos, YPos

from chibo.lib.dates import format_date
from chibo.meetings.models import Mark, MeetingKind, MeetingMode, Resolution, Vote
from chibo.meetings.records.selectors import MinutesData, resolution_code, share
from chibo.members.models import Member

# fpdf2 subsets the fonts with fontTools, which reports every glyph at INFO, the root level of
# the server's log: a page of noise per PDF.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FAMILY = "Roboto"
FONT_FILES = {
    "": "Roboto-Regular.ttf",
    "B": "Roboto-Bold.ttf",
    "I": "Roboto-Italic.ttf",
    "BI": "Roboto-BoldItalic.ttf",
}
# Sizes in points and the A4 margins of 36-HD/VPTW (left 30 mm, right 15 mm, top and bottom 20).
BODY, HEAD, TITLE = 12, 12, 14
LINE = 6.2
LEFT, RIGHT, TOP, BOTTOM = 30, 15, 20, 20
SIGN_SPACE = 24  # the blank above a signer's name, in mm

# Words that name a unit's kind or a kind of locality, stripped to find the place name
# ("Chi bộ thôn Ninh Phú" → "Ninh Phú"), longest first.
ORGANISATIONS = ("chi bộ", "đảng bộ", "tổ đảng")
LOCALITIES = (
    "tổ dân phố",
    "khu dân cư",
    "khu phố",
    "thị trấn",
    "đặc khu",
    "phường",
    "thôn",
    "xóm",
    "bản",
    "ấp",
    "làng",
    "buôn",
    "xã",
    "khu",
)


def nfc(text: str) -> str:
    """Text typed on some phones arrives decomposed (e + combining marks); the font's
    precomposed letters need the composed form."""
    return unicodedata.normalize("NFC", text or "")


def _strip_word(name: str, words: Sequence[str]) -> tuple[str, bool]:
    lowered = name.lower()
    for word in words:
        if lowered.startswith(word + " "):
            return name[len(word) + 1 :].strip(), True
    return name, False


def place_of(unit_name: str, superior_name: str = "") -> str:
    """The place name of the date line: the locality a unit is named after, else its
    superior's ("Chi bộ Trường THPT" under "Đảng bộ xã Đa Lộc" → "Đa Lộc")."""
    for name in (unit_name, superior_name):
        rest, _found = _strip_word(" ".join(name.split()), ORGANISATIONS)
        rest, is_locality = _strip_word(rest, LOCALITIES)
        if is_locality and rest:
            return rest
    return _strip_word(unit_name.strip(), ORGANISATIONS)[0]


def date_line(place: str, day: date) -> str:
    """ "Ninh Phú, ngày 04 tháng 03 năm 2026" (Party documents write both with two digits)."""
    return _("%(place)s, ngày %(d)s tháng %(m)s năm %(y)s") % {
        "place": place,
        "d": f"{day.day:02d}",
        "m": f"{day.month:02d}",
        "y": day.year,
    }


def clock(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return _("%(h)s giờ %(m)s phút") % {"h": f"{local.hour:02d}", "m": f"{local.minute:02d}"}


class Document(FPDF):
    """An A4 Party document with the house font; page numbers from the second page on."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.set_font(FAMILY, "", BODY)
        self.set_title(nfc(title))
        self.set_lang("vi")
        self.set_creator("chibo")
        self.add_page()

    def set_font(
        self, family: str | None = None, style: str | TextEmphasis = "", size: float = 0
    ) -> None:
        """Each style of the house font is read when first used: reading a font file is most
        of the cost of a short document, and most documents use two or three of the four."""
        text = style.style if isinstance(style, TextEmphasis) else style.upper()
        emphasis = "".join(letter for letter in "BI" if letter in text)
        if f"{FAMILY.lower()}{emphasis}" not in self.fonts:
            self.add_font(
                FAMILY, emphasis, str(files("font_roboto") / "files" / FONT_FILES[emphasis])
            )
        super().set_font(family, style, size)

    def footer(self) -> None:
        if self.page_no() < 2:
            return
        self.set_y(-BOTTOM + 6)
        self.set_font(FAMILY, "", 10)
        self.cell(0, 5, str(self.page_no()), align=Align.C)

    @contextmanager
    def styled(self, style: str = "", size: float = BODY) -> Iterator[None]:
        before = (self.font_style, self.font_size_pt)
        self.set_font(FAMILY, style, size)
        try:
            yield
        finally:
            self.set_font(FAMILY, before[0], before[1])

    def centred(
        self, x: float, y: float, w: float, text: str, style: str = "", size: float = HEAD
    ) -> float:
        """Centre `text` in the column [x, x + w] from `y`, wrapping; return the y below it."""
        self.set_xy(x, y)
        with self.styled(style, size):
            self.multi_cell(w, LINE, nfc(text), align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        return self.get_y()

    def letterhead(self, superior: str, unit: str, number: str, place: str, day: date) -> None:
        """The two columns at the top of every Party document (36-HD/VPTW)."""
        top, left_w = self.get_y(), 80.0
        right_x, right_w = self.l_margin + left_w, self.epw - left_w
        y = top
        if superior:
            y = self.centred(self.l_margin, y, left_w, superior.upper())
        y = self.centred(self.l_margin, y, left_w, unit.upper(), "B")
        y = self.centred(self.l_margin, y, left_w, "*")
        if number:
            y = self.centred(self.l_margin, y + 1, left_w, _("Số: %(n)s") % {"n": number}, "", BODY)
        ry = self.centred(right_x, top, right_w, _("ĐẢNG CỘNG SẢN VIỆT NAM"), "BU", HEAD + 1)
        ry = self.centred(right_x, ry + LINE, right_w, date_line(place, day), "I", BODY)
        self.set_xy(self.l_margin, max(y, ry) + 2 * LINE)

    def titled(self, *lines: str) -> None:
        for i, text in enumerate(lines):
            if text:
                self.centred(
                    self.l_margin, self.get_y(), self.epw, text, "B", TITLE if i == 0 else HEAD
                )
        self.centred(self.l_margin, self.get_y(), self.epw, "-----", "", BODY)
        self.ln(LINE / 2)

    def heading(self, text: str) -> None:
        self.ln(LINE / 3)
        with self.styled("B"):
            self.multi_cell(0, LINE, nfc(text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def para(self, text: str, style: str = "", indent: float = 0) -> None:
        """Paragraphs of user text, justified, each line kept as typed."""
        with self.styled(style):
            for block in nfc(text).splitlines() or [""]:
                self.set_x(self.l_margin + indent)
                self.multi_cell(
                    self.epw - indent,
                    LINE,
                    block,
                    align=Align.J,
                    new_x=XPos.LMARGIN,
                    new_y=YPos.NEXT,
                )

    def labelled(self, label: str, text: str, indent: float = 0) -> None:
        """ "Label: text" with the label in bold, flowing on."""
        self.set_x(self.l_margin + indent)
        left = self.l_margin
        self.set_left_margin(left + indent)
        with self.styled("B"):
            self.write(LINE, nfc(label) + " ")
        self.write(LINE, nfc(text))
        self.set_left_margin(left)
        self.ln(LINE)

    def signatures(self, blocks: Sequence[tuple[Sequence[str], str]]) -> None:
        """Signature blocks side by side (the last one on the right): their heading lines in
        bold, room to sign, then the signer's name. An empty block keeps its column free."""
        needed = LINE * 4 + SIGN_SPACE
        if self.get_y() + needed > self.h - self.b_margin:
            self.add_page()
        self.ln(LINE / 2)
        top, columns = self.get_y(), 2
        w = self.epw / columns
        offset = columns - len(blocks)
        bottom = top
        for i, (lines, name) in enumerate(blocks):
            x = self.l_margin + (offset + i) * w
            y = top
            for line in lines:
                y = self.centred(x, y, w, line, "B", HEAD)
            if name:
                y = self.centred(x, y + SIGN_SPACE, w, name, "B", HEAD)
            bottom = max(bottom, y)
        self.set_xy(self.l_margin, bottom)

    def recipients(self, lines: Sequence[str]) -> float:
        """ "Nơi nhận:" in the left column, level with the signature; returns its top."""
        top = self.get_y() + LINE / 2
        self.set_xy(self.l_margin, top)
        with self.styled("BIU", 11):
            self.cell(0, 5, _("Nơi nhận:"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        with self.styled("", 10):
            for line in lines:
                self.cell(0, 5, nfc(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return top

    def render(self) -> bytes:
        return bytes(self.output())


def names(members: Sequence[Member]) -> str:
    return ", ".join(m.full_name for m in members)


def meeting_title(data: MinutesData) -> list[str]:
    """The title lines after "BIÊN BẢN": what meeting, of which month."""
    meeting = data.meeting
    month = meeting.series_month or data.day
    if meeting.kind == MeetingKind.REGULAR:
        first = _("SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG %(m)s") % {"m": f"{month:%m/%Y}"}
        return [first, meeting.title]
    if meeting.kind == MeetingKind.THEMATIC:
        return [_("SINH HOẠT CHI BỘ CHUYÊN ĐỀ"), meeting.title]
    return [str(meeting.get_kind_display()).upper(), meeting.title]


def vote_line(vote: Vote) -> str:
    return _(
        "%(subject)s: tán thành %(for)s/%(d)s (%(share)s), không tán thành %(against)s, "
        "không biểu quyết %(abstain)s. Quy tắc: %(rule)s. Kết quả: %(result)s."
    ) % {
        "subject": vote.subject,
        "for": vote.votes_for,
        "d": vote.denominator,
        "share": share(vote.votes_for, vote.denominator),
        "against": vote.votes_against,
        "abstain": vote.abstentions,
        "rule": str(vote.get_rule_display()).lower(),
        "result": _("thông qua") if vote.passed else _("không thông qua"),
    }


def _letterhead(doc: Document, data: MinutesData, number: str = "") -> None:
    doc.letterhead(
        data.superior_name,
        data.unit_name,
        number,
        place_of(data.unit_name, data.superior_name),
        data.day,
    )


def _composition(doc: Document, data: MinutesData) -> None:
    doc.heading(_("I. THÀNH PHẦN"))
    doc.labelled(
        _("Tổng số đảng viên của chi bộ:"),
        _(
            "%(n)s đồng chí; trong đó đảng viên chính thức %(o)s, dự bị %(p)s, miễn công tác "
            "và sinh hoạt đảng %(e)s, sinh hoạt tạm thời nơi khác %(a)s, đình chỉ sinh hoạt "
            "%(s)s."
        )
        % {
            "n": data.on_roll,
            "o": data.official,
            "p": data.probationary,
            "e": data.exempted,
            "a": data.attached_elsewhere,
            "s": data.suspended,
        },
    )
    doc.labelled(
        _("Đảng viên nơi khác sinh hoạt tạm thời tại chi bộ:"),
        _("%(n)s đồng chí.") % {"n": data.attached_here},
    )
    doc.labelled(_("Số đảng viên phải dự:"), _("%(n)s đồng chí.") % {"n": data.expected})
    doc.labelled(
        _("Có mặt:"),
        _(
            "%(n)s/%(e)s đồng chí (%(share)s; chính thức %(o)s, dự bị %(p)s, sinh hoạt tạm "
            "thời %(a)s); đảng viên được miễn sinh hoạt đến dự: %(x)s."
        )
        % {
            "n": data.present_counted,
            "e": data.expected,
            "share": share(data.present_counted, data.expected),
            "o": data.present_official,
            "p": data.present_probationary,
            "a": data.present_attached,
            "x": data.present_exempted,
        },
    )
    excused = "; ".join(f"{a.member.full_name} ({a.reason})" for a in data.excused)
    doc.labelled(
        _("Vắng mặt có lý do:"),
        _("%(n)s đồng chí") % {"n": len(data.excused)} + (f": {excused}." if excused else "."),
    )
    doc.labelled(
        _("Vắng mặt không có lý do:"),
        _("%(n)s đồng chí") % {"n": len(data.unexcused)}
        + (f": {names(data.unexcused)}." if data.unexcused else "."),
    )
    if data.unmarked:
        doc.labelled(_("Chưa điểm danh:"), names(data.unmarked) + ".")
    if data.guests:
        guests = "; ".join(g.name + (f" ({g.role})" if g.role else "") for g in data.guests)
        doc.labelled(_("Khách mời:"), guests + ".")
    if data.chair:
        chair = data.chair.full_name
        if data.chair_position:
            chair += f", {data.chair_position.lower()}"
        doc.labelled(_("Chủ trì:"), _("đồng chí %(name)s.") % {"name": chair})
    else:
        doc.labelled(_("Chủ trì:"), "…")
    if data.secretary:
        name = data.secretary.full_name
        doc.labelled(_("Thư ký:"), _("đồng chí %(name)s.") % {"name": name})
    else:
        doc.labelled(_("Thư ký:"), "…")


def minutes_pdf(data: MinutesData) -> bytes:
    """The minutes of a meeting (RULES.md §1.4), figures computed from the attendance."""
    with translation.override("vi"):
        meeting = data.meeting
        doc = Document(_("Biên bản %(m)s") % {"m": meeting})
        _letterhead(doc, data)
        doc.titled(_("BIÊN BẢN"), *meeting_title(data))

        started = _("Bắt đầu lúc %(t)s, ngày %(d)s") % {
            "t": clock(meeting.starts_at),
            "d": format_date(data.day),
        }
        doc.labelled(_("Thời gian:"), started + ".")
        if meeting.place:
            doc.labelled(_("Địa điểm:"), meeting.place + ".")
        if meeting.mode != MeetingMode.IN_PERSON:
            doc.labelled(_("Hình thức:"), str(meeting.get_mode_display()) + ".")
        _composition(doc, data)

        doc.heading(_("II. NỘI DUNG"))
        for i, item in enumerate(data.agenda, start=1):
            line = f"{i}. {item.title}"
            if item.assignee:
                line += " " + _("(phụ trách: %(name)s)") % {"name": item.assignee.full_name}
            doc.para(line, "B" if item.notes else "")
            if item.notes:
                doc.para(item.notes, indent=5)
        if meeting.minutes:
            doc.heading(_("Diễn biến cuộc họp"))
            doc.para(meeting.minutes)

        doc.heading(_("III. KẾT LUẬN"))
        doc.para(meeting.conclusions or "…")

        if data.votes or data.resolutions:
            doc.heading(_("IV. BIỂU QUYẾT VÀ NGHỊ QUYẾT"))
            for i, vote in enumerate(data.votes, start=1):
                doc.para(f"{i}. {vote_line(vote)}")
            for resolution in data.resolutions:
                doc.para(
                    _("Nghị quyết số %(code)s: %(title)s.")
                    % {"code": resolution_code(resolution), "title": resolution.title}
                )
        if meeting.ends_at:
            doc.ln(LINE / 3)
            doc.para(_("Cuộc họp kết thúc lúc %(t)s cùng ngày.") % {"t": clock(meeting.ends_at)})
        for amendment in data.amendments:
            doc.para(
                _("Đính chính ngày %(d)s (%(by)s): %(reason)s")
                % {"d": format_date(amendment.on), "by": amendment.by, "reason": amendment.reason},
                "I",
            )
        doc.signatures(
            [
                ([_("THƯ KÝ")], data.secretary.full_name if data.secretary else ""),
                ([_("CHỦ TRÌ")], data.chair.full_name if data.chair else ""),
            ]
        )
        return doc.render()


def resolution_pdf(resolution: Resolution, data: MinutesData) -> bytes:
    """A resolution with its number, the meeting that adopted it and its vote."""
    with translation.override("vi"):
        doc = Document(_("Nghị quyết số %(code)s") % {"code": resolution_code(resolution)})
        _letterhead(doc, data, resolution_code(resolution))
        doc.titled(_("NGHỊ QUYẾT"), resolution.title)
        doc.para(
            _("Ngày %(d)s, %(unit)s họp %(kind)s; có mặt %(n)s/%(e)s đảng viên phải dự.")
            % {
                "d": format_date(data.day),
                "unit": data.unit_name,
                "kind": str(data.meeting.get_kind_display()).lower(),
                "n": data.present_counted,
                "e": data.expected,
            }
        )
        doc.heading(_("CHI BỘ QUYẾT NGHỊ:"))
        doc.para(resolution.body or "…")
        votes = list(resolution.votes.all())
        if votes:
            doc.ln(LINE / 3)
            for vote in votes:
                doc.para(vote_line(vote), "I")
        position = (data.chair_position or _("Chủ trì")).upper()
        top = doc.recipients(
            [
                _("- %(unit)s (để báo cáo),") % {"unit": data.superior_name},
                _("- Đảng viên trong chi bộ,"),
                _("- Lưu chi bộ."),
            ]
            if data.superior_name
            else [_("- Đảng viên trong chi bộ,"), _("- Lưu chi bộ.")]
        )
        doc.set_y(top - LINE / 2)
        doc.signatures([([_("T/M CHI BỘ"), position], data.chair.full_name if data.chair else "")])
        return doc.render()


def attendance_pdf(data: MinutesData) -> bytes:
    """The list to sign at the meeting: every member it expects and the exempted members
    (who may come), with a column for each signature."""
    with translation.override("vi"):
        kinds = {
            "official": _("Chính thức"),
            "probationary": _("Dự bị"),
            "attached_here": _("Sinh hoạt tạm thời"),
            "exempted": _("Miễn sinh hoạt"),
        }
        doc = Document(_("Danh sách dự họp %(m)s") % {"m": data.meeting})
        _letterhead(doc, data)
        doc.titled(_("DANH SÁCH ĐẢNG VIÊN DỰ SINH HOẠT"), *meeting_title(data))
        with (
            doc.styled("", 11),
            doc.table(
                col_widths=(12, 52, 31, 34, 36),
                align="LEFT",
                text_align=("CENTER", "LEFT", "LEFT", "LEFT", "LEFT"),
                line_height=7,
                padding=(2, 1.5),
            ) as table,
        ):
            heading = table.row()
            for text in (_("STT"), _("Họ và tên"), _("Đảng viên"), _("Điểm danh"), _("Ký tên")):
                heading.cell(text)
            for i, line in enumerate(data.listed, start=1):
                row = table.row()
                row.cell(str(i))
                row.cell(nfc(line.member.full_name))
                row.cell(kinds[line.kind])
                mark = str(Mark(line.mark).label) if line.mark else ""
                row.cell(nfc(mark + (f" ({line.reason})" if line.reason else "")))
                row.cell("")
        doc.ln(LINE / 2)
        doc.para(
            _(
                "Số đảng viên phải dự: %(e)s; có mặt: %(n)s; vắng có lý do: %(x)s; vắng không "
                "lý do: %(u)s; đảng viên được miễn sinh hoạt đến dự: %(m)s."
            )
            % {
                "e": data.expected,
                "n": data.present_counted,
                "x": len(data.excused),
                "u": len(data.unexcused),
                "m": data.present_exempted,
            }
        )
        doc.signatures([([_("THƯ KÝ")], data.secretary.full_name if data.secretary else "")])
        return doc.render()
