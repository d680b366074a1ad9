from collections.abc import Iterator

import pytest

from chibo.rulebook.registry import SETTINGS


@pytest.fixture(autouse=True)
def _fresh_rulebook() -> Iterator[None]:
    """Settings a test made are rolled back with it: the rulebook's memory must forget them."""
    SETTINGS.forget()
    yield
    SETTINGS.forget()
