"""Telling a page that the file it asked for is on its way.

A province's roll as Excel takes about a minute to write; a link that downloads it shows
nothing meanwhile. Links marked `data-download` (static/js/chibo.js) add a token to their
address and show the progress bar until a cookie with that token comes back with the file;
`announce` sets it. Without the script the link downloads the same file, unannounced.
"""

import re

from django.http import HttpRequest, HttpResponseBase

COOKIE = "chibo_download"
PARAMETER = "download"
_TOKEN = re.compile(r"[A-Za-z0-9]{6,40}")


def announce(request: HttpRequest, response: HttpResponseBase) -> None:
    """Set the download cookie on `response` when the request carries a well-formed token;
    anything else is ignored (the token only ever names one click on one page)."""
    token = request.GET.get(PARAMETER, "")
    if _TOKEN.fullmatch(token):
        # Read by the page's script, so not HttpOnly; it carries nothing but the token.
        response.set_cookie(COOKIE, token, max_age=300, samesite="Lax", secure=request.is_secure())
