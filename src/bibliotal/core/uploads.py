"""An uploaded file kept on the server between its preview and the confirmation.

The file lives under the data directory, named by a random token that only the uploader's
session knows; confirming reads and deletes it. Files older than a day are removed on the way.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django.conf import settings

SESSION_KEY = "bibliotal_uploads"
MAX_AGE_SECONDS = 24 * 3600


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def stash(request, data: bytes, filename: str) -> str:
    folder = _folder()
    _sweep(folder)
    token = secrets.token_urlsafe(16)
    (folder / token).write_bytes(data)
    kept = request.session.get(SESSION_KEY, {})
    kept[token] = filename[:255]
    request.session[SESSION_KEY] = kept
    return token


def take(request, token: str) -> tuple[bytes, str] | None:
    """The stashed file and its name, once; None when the token is not this session's."""
    kept = request.session.get(SESSION_KEY, {})
    if token not in kept:
        return None
    path = _folder() / token
    filename = kept.pop(token)
    request.session[SESSION_KEY] = kept
    if not path.exists():
        return None
    data = path.read_bytes()
    path.unlink(missing_ok=True)
    return data, filename
