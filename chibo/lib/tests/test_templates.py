"""Numbers that identify things must not be written the Vietnamese way in HTML.

With USE_THOUSAND_SEPARATOR an id of 77143 renders as "77.143": a broken URL, form value or
element id. Every id, page number or pk written outside {% url %} needs `|unlocalize`.
"""

import re
from pathlib import Path

from django.conf import settings

BARE_ID = re.compile(r"\{\{ *[a-z_][a-z_.]*(?:\.pk|_id|\.id|page_number) *\}\}")


def test_identifiers_are_never_localized_in_templates() -> None:
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}"
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if BARE_ID.search(line)
    ]
    assert offenders == [], "add |unlocalize (and {% load l10n %}):\n" + "\n".join(offenders)
