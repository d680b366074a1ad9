"""An uploaded import file kept between the preview and the confirmation.

The file goes to var/imports/ under a random name; the session keeps only that token with the
unit and the day, so another user (or another unit's page) cannot reach it. The file is
deleted once imported; files left behind by a preview nobody confirmed go after a day.
"""

import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404

from chibo.units.models import Unit

SESSION_KEY = "member_imports"
MAX_AGE_SECONDS = 24 * 3600
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class Pending:
    token: str
    path: Path
    file_format: str
    name: str
    on: date


def directory() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for old in folder.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


def keep(
    session: SessionBase, unit: Unit, upload: UploadedFile, *, file_format: str, on: date
) -> str:
    """Store `upload` and remember it in the session; returns its token."""
    folder = directory()
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    # Personal data: readable by the server's own user only.
    descriptor = os.open(
        folder / f"{token}.{file_format}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
    )
    with os.fdopen(descriptor, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    pending = dict(session.get(SESSION_KEY, {}))
    pending[token] = {
        "unit": unit.pk,
        "format": file_format,
        "name": (upload.name or "")[:200],
        "on": on.isoformat(),
    }
    session[SESSION_KEY] = pending
    return token


def find(session: SessionBase, unit: Unit, token: str) -> Pending:
    """The file this session uploaded for `unit` under `token`; otherwise 404."""
    entry = session.get(SESSION_KEY, {}).get(token) if TOKEN.match(token) else None
    if not entry or entry["unit"] != unit.pk:
        raise Http404
    path = directory() / f"{token}.{entry['format']}"
    if not path.is_file():
        raise Http404
    return Pending(token, path, entry["format"], entry["name"], date.fromisoformat(entry["on"]))


def discard(session: SessionBase, pending: Pending) -> None:
    pending.path.unlink(missing_ok=True)
    remaining = dict(session.get(SESSION_KEY, {}))
    remaining.pop(pending.token, None)
    session[SESSION_KEY] = remaining
