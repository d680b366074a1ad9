"""Give every request an id (kept from X-Request-ID when a proxy sets one) for logs and audit."""

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from chibo.audit import context

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        token = context.set_current(
            context.RequestContext(request_id=request_id, ip=request.META.get("REMOTE_ADDR"))
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response
