"""Glue between forms and services: a service's ValidationError becomes a form error."""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

T = TypeVar("T")


def submit(form: forms.BaseForm, action: Callable[[], T]) -> T | None:
    """Run `action` (a service call) and return its result; on bad input, show why on the form."""
    try:
        return action()
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None


def errors_as_messages(request: HttpRequest, form: forms.BaseForm) -> None:
    """A form posted from a list page that has no room for it: each of its errors (the form's
    own first, then each field's) becomes a message shown above the list it returns to."""
    for errors in form.errors.values():
        messages.error(request, " ".join(str(error) for error in errors))
