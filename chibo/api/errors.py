"""One error shape for the whole API: {"code": "...", "message": "...", "details": [...]}."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


class Error(Schema):
    code: str
    message: str
    details: list[dict[str, Any]] = []


ERRORS: dict[int, type[Error]] = {400: Error, 401: Error, 404: Error, 422: Error}


def install(api: NinjaAPI) -> None:
    def reply(
        request: HttpRequest, status: int, code: str, message: str, details: Any = None
    ) -> HttpResponse:
        body = {"code": code, "message": message, "details": details or []}
        return api.create_response(request, body, status=status)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return reply(request, 404, "not_found", "Không tìm thấy. (Not found.)")

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return reply(request, 401, "unauthenticated", "Cần đăng nhập. (Authentication required.)")

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return reply(request, 400, "invalid", " ".join(exc.messages))

    @api.exception_handler(NinjaValidationError)
    def malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return reply(
            request,
            422,
            "malformed",
            "Dữ liệu gửi lên không hợp lệ. (Malformed input.)",
            [dict(e) for e in exc.errors],
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return reply(request, exc.status_code, "error", str(exc))
