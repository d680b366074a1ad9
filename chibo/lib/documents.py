"""Documents people upload (a meeting's papers, a candidate's scanned file): which kinds are
accepted, checked by their content and not only their name, and how they are sent back."""

import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _fail(message: str) -> ValidationError:
    return ValidationError(message)


_ZIP = b"PK\x03\x04"


def _zip_holds(upload: Any, name: str) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            return name in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


@dataclass(frozen=True)
class DocumentKind:
    label: str  # what the user calls it
    content_type: str
    inline: bool  # phones open it in the browser; office files are downloaded


DOCUMENT_KINDS: dict[str, DocumentKind] = {
    ".pdf": DocumentKind("PDF", "application/pdf", True),
    ".docx": DocumentKind(
        "Word (.docx)",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        False,
    ),
    ".xlsx": DocumentKind(
        "Excel (.xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False
    ),
    ".jpg": DocumentKind("JPEG", "image/jpeg", True),
    ".jpeg": DocumentKind("JPEG", "image/jpeg", True),
    ".png": DocumentKind("PNG", "image/png", True),
    ".webp": DocumentKind("WebP", "image/webp", True),
}
_OLD_OFFICE = {".doc": ".docx", ".xls": ".xlsx"}


def _content_matches(extension: str, upload: Any) -> bool:
    """Whether the bytes are what the extension says: a renamed or broken file is refused
    here, so that the download view can trust the type it sends."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension == ".webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    inside = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}[extension]
    matches = head.startswith(_ZIP) and _zip_holds(upload, inside)
    upload.seek(0)
    return matches


def check_document(upload: File) -> str:
    """The file's extension if it is a document a meeting may carry: PDF, Word (.docx), Excel
    (.xlsx) or an image (JPEG, PNG, WebP), at most 10 MB; otherwise a clear refusal."""
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower()
    if extension in _OLD_OFFICE:
        raise _fail(
            _(
                "Tệp %(name)s là định dạng Office cũ. Hãy mở tệp và lưu lại thành %(new)s hoặc "
                "PDF rồi tải lên. (Old Office format: save as %(new)s or PDF.)"
            )
            % {"name": name, "new": _OLD_OFFICE[extension]}
        )
    if extension not in DOCUMENT_KINDS:
        raise _fail(
            _(
                "Tệp %(name)s không nhận được: chỉ nhận PDF, Word (.docx), Excel (.xlsx) hoặc "
                "ảnh (.jpg, .png, .webp). (PDF, DOCX, XLSX or images only.)"
            )
            % {"name": name}
        )
    size = upload.size or 0
    if size == 0:
        raise _fail(_("Tệp %(name)s rỗng. (Empty file.)") % {"name": name})
    if size > MAX_DOCUMENT_BYTES:
        raise _fail(
            _(
                "Tệp %(name)s nặng %(size)s MB, quá giới hạn %(max)s MB. Hãy nén hoặc chia nhỏ "
                "tệp. (Files up to %(max)s MB.)"
            )
            % {
                "name": name,
                "size": f"{size / 1024 / 1024:.1f}".replace(".", ","),
                "max": MAX_DOCUMENT_BYTES // 1024 // 1024,
            }
        )
    if not _content_matches(extension, upload):
        raise _fail(
            _(
                "Tệp %(name)s có đuôi %(ext)s nhưng nội dung không phải %(kind)s: có thể tệp bị "
                "hỏng hoặc bị đổi tên. (The content does not match the extension.)"
            )
            % {"name": name, "ext": extension, "kind": DOCUMENT_KINDS[extension].label}
        )
    return extension


def accept() -> str:
    """The `accept` attribute of a file input for documents (phones offer their camera too)."""
    return ",".join([*DOCUMENT_KINDS, "image/*"])


def serve(file: FieldFile, filename: str | None = None) -> FileResponse:
    """A stored document as its checked type: PDF and images open in the browser, office files
    are downloaded; never cached by a shared proxy. 404 if the type is unknown or the file is
    gone."""
    name = PurePath(file.name or "").name
    kind = DOCUMENT_KINDS.get(PurePath(name).suffix.lower())
    if kind is None:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=kind.content_type,
        as_attachment=not kind.inline,
        filename=filename or name,
    )
    response["Cache-Control"] = "private, no-store"
    return response
