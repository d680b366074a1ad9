"""Sessions end 8 hours after sign-in and after 30 idle minutes, whichever comes first."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

SIGNED_IN_AT = "chibo_signed_in_at"
SEEN_AT = "chibo_seen_at"
# Writing the session on every request would cost a write per click; a minute is precise enough.
SEEN_RESOLUTION = 60


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            signed_in = session.setdefault(SIGNED_IN_AT, now)
            seen = session.get(SEEN_AT, now)
            if now - signed_in > settings.SESSION_COOKIE_AGE or (
                now - seen > settings.SESSION_IDLE_SECONDS
            ):
                logout(request)
                messages.info(request, _("Phiên làm việc đã hết hạn, mời đăng nhập lại."))
            elif now - seen >= SEEN_RESOLUTION or SEEN_AT not in session:
                session[SEEN_AT] = now
        return self.get_response(request)
