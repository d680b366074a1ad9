"""Glue between forms and services: a service's ValidationError becomes a form error."""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError

T = TypeVar("T")


def submit(form: forms.BaseForm, action: Callable[[], T]) -> T | None:
    """Run `action` (a service call) and return its result; on bad input, show why on the form."""
    try:
        return action()
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None
