"""The English catalogue is complete, and the compiled .mo matches the .po."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def entries() -> list[tuple[str, str, str, str]]:
    """(flags, msgctxt, msgid, msgstr) of every entry but the header; plural entries give
    msgstr[0]."""

    def joined(block: str, key: str) -> str:
        match = re.search(rf'^{re.escape(key)} ((?:".*"\n?)+)', block, re.M)
        raw = "".join(re.findall(r'"(.*)"', match.group(1))) if match else ""
        return raw.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")

    found = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        flags = " ".join(re.findall(r"^#, (.*)$", block, re.M))
        msgid = joined(block, "msgid")
        if msgid:
            msgstr = joined(block, "msgstr") or joined(block, "msgstr[0]")
            found.append((flags, joined(block, "msgctxt"), msgid, msgstr))
    return found


def test_every_string_is_translated_and_none_is_fuzzy() -> None:
    found = entries()
    assert len(found) > 200
    assert [m for f, _c, m, _s in found if "fuzzy" in f] == []
    assert [m for _f, _c, m, s in found if not s] == []


def test_the_compiled_catalogue_is_up_to_date() -> None:
    with translation.override("en"):
        stale = [
            msgid
            for _flags, context, msgid, msgstr in entries()
            if "%(" not in msgid
            and (translation.pgettext(context, msgid) if context else translation.gettext(msgid))
            != msgstr
        ]
    assert stale == [], "run `make messages` to compile the catalogue"
