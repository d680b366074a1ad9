"""What each audit action is called in the interface. Every `record(action=...)` has a label."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "units.unit.create": _("Thành lập tổ chức"),
    "units.unit.rename": _("Đổi tên tổ chức"),
    "units.unit.move": _("Chuyển cấp trên"),
    "units.unit.merge": _("Sáp nhập"),
    "units.unit.split": _("Chia tách"),
    "units.unit.dissolve": _("Giải thể"),
    "units.kind_rule.allow": _("Thêm quy tắc cấp tổ chức"),
    "units.kind_rule.forbid": _("Bỏ quy tắc cấp tổ chức"),
    "members.member.register": _("Thêm đảng viên vào danh sách"),
    "members.member.update": _("Sửa thông tin đảng viên"),
    "members.member.recognise": _("Công nhận đảng viên chính thức"),
    "members.member.exempt": _("Miễn công tác và sinh hoạt đảng"),
    "members.member.suspend": _("Đình chỉ sinh hoạt đảng"),
    "members.member.resume": _("Trở lại sinh hoạt"),
    "members.member.remove": _("Xóa tên"),
    "members.member.expel": _("Khai trừ"),
    "members.member.die": _("Từ trần"),
    "members.member.view": _("Xem hồ sơ đảng viên"),
    "members.member.export": _("Xuất danh sách đảng viên"),
    "members.transfer.issue": _("Cấp giấy giới thiệu chuyển sinh hoạt"),
    "members.transfer.confirm": _("Tiếp nhận chuyển sinh hoạt"),
    "members.transfer.cancel": _("Hủy chuyển sinh hoạt"),
    "committees.seat.appoint": _("Nhận chức vụ cấp ủy"),
    "committees.seat.end": _("Thôi chức vụ cấp ủy"),
    "committees.supervision.assign": _("Được phân công phụ trách"),
    "committees.supervision.end": _("Thôi phân công phụ trách"),
    "meetings.meeting.plan": _("Lên lịch cuộc họp"),
    "meetings.meeting.move": _("Dời cuộc họp"),
    "meetings.meeting.close": _("Khóa biên bản cuộc họp"),
    "meetings.attendance.record": _("Điểm danh"),
    "meetings.minutes.write": _("Ghi biên bản cuộc họp"),
    "meetings.vote.record": _("Ghi kết quả biểu quyết"),
    "meetings.resolution.adopt": _("Thông qua nghị quyết"),
    "meetings.meeting.amend": _("Đính chính biên bản"),
    "meetings.dues.collect": _("Thu đảng phí"),
    "meetings.dues.correct": _("Sửa sổ thu đảng phí"),
    "accounts.user.create": _("Tạo tài khoản"),
    "accounts.role.assign": _("Phân quyền"),
    "accounts.token.create": _("Tạo mã truy cập API"),
    "accounts.token.revoke": _("Thu hồi mã truy cập API"),
}


def label(action: str) -> str:
    return str(ACTIONS.get(action, action))
