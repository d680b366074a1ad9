from django.http import HttpRequest

from chibo.accounts import access


def roles(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's roles in force, for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_roles": []}
    return {"my_roles": access.active_roles(user)}
