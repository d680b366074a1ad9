"""Forms of the import and export pages. They only read input; `plan` checks the rows."""

from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from chibo.lib.dates import today
from chibo.members.spreadsheets import files
from chibo.units.forms import date_field

MAX_BYTES = 10 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh sách (.xlsx hoặc .csv)"),
        help_text=_("Dùng tệp mẫu; tối đa 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    on = date_field(
        _("Vào danh sách từ ngày"),
        help_text=_("Ngày những người mới bắt đầu sinh hoạt ở đơn vị này."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["on"].initial = today()

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower().lstrip(".")
        if suffix not in files.FORMATS:
            raise forms.ValidationError(
                _("Chỉ nhận tệp .xlsx hoặc .csv; tệp .xls cũ hãy lưu lại dạng .xlsx.")
            )
        if (upload.size or 0) > MAX_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 10 MB; hãy chia nhỏ tệp."))
        if suffix == files.XLSX:
            head = upload.read(4)
            upload.seek(0)
            if head != ZIP_MAGIC:
                raise forms.ValidationError(
                    _("Tệp không phải .xlsx thật; hãy mở bằng Excel và lưu lại dạng .xlsx.")
                )
        return upload

    @property
    def file_format(self) -> str:
        return Path(self.cleaned_data["file"].name).suffix.lower().lstrip(".")


class ExportForm(forms.Form):
    on = date_field(_("Tại ngày"), required=False)
    format = forms.ChoiceField(
        label=_("Dạng tệp"),
        choices=[(files.XLSX, "Excel (.xlsx)"), (files.CSV, "CSV (.csv)")],
        required=False,
    )
