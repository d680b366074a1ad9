"""API authentication: a personal token (`Authorization: Bearer chibo_…`) or the browser session."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from chibo.accounts.services import user_for_token


class TokenAuth(HttpBearer):
    openapi_description = "Personal API token from the profile page or `manage.py create_token`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


AUTH = [TokenAuth(), SessionAuth()]
