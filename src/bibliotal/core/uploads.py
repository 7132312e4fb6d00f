"""An uploaded file kept on the server between its preview and the confirmation.

The file lives under the data directory, named by a random token that only the uploader's
session (or the import job on the worker) knows. It is kept no longer than needed: confirming
reads and deletes it, cancelling deletes it, and a file older than an hour is removed by the
next upload and by the worker's nightly run. It is copied in blocks, never held whole.
"""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings

SESSION_KEY = "bibliotal_uploads"
MAX_AGE_SECONDS = 3600  # long enough to read a preview and confirm it


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sweep(max_age: int = MAX_AGE_SECONDS) -> int:
    """Delete the kept files older than ``max_age`` seconds; how many were deleted."""
    cutoff, removed = time.time() - max_age, 0
    for path in _folder().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def keep(source, filename: str) -> str:
    """Copy a file (bytes or a binary stream) to the folder; its token. Not bound to a session:
    for the worker's jobs, which keep the token themselves."""
    sweep()
    token = secrets.token_urlsafe(16)
    path = _folder() / token
    if isinstance(source, bytes | bytearray):
        path.write_bytes(source)
    else:
        source.seek(0)
        with path.open("wb") as target:
            shutil.copyfileobj(source, target, length=1 << 20)
        source.seek(0)
    return token


def stash(request, source, filename: str) -> str:
    """Keep a file for this session's confirmation; its token."""
    token = keep(source, filename)
    kept = request.session.get(SESSION_KEY, {})
    kept[token] = filename[:255]
    request.session[SESSION_KEY] = kept
    return token


def path_of(token: str) -> Path | None:
    if not token or "/" in token or token.startswith("."):
        return None
    path = _folder() / token
    return path if path.exists() else None


def discard(token: str) -> None:
    path = path_of(token)
    if path is not None:
        path.unlink(missing_ok=True)


def peek(request, token: str) -> tuple[bytes, str] | None:
    """The stashed file and its name, kept for later (a review page that is sent back with
    errors reads it again); None when the token is not this session's or the file is gone."""
    kept = request.session.get(SESSION_KEY, {})
    path = path_of(token) if token in kept else None
    if path is None:
        return None
    return path.read_bytes(), kept[token]


def take(request, token: str) -> tuple[bytes, str] | None:
    """The stashed file and its name, once; None when the token is not this session's."""
    kept = request.session.get(SESSION_KEY, {})
    if token not in kept:
        return None
    filename = kept.pop(token)
    request.session[SESSION_KEY] = kept
    path = path_of(token)
    if path is None:
        return None
    data = path.read_bytes()
    path.unlink(missing_ok=True)
    return data, filename


def forget(request, token: str) -> bool:
    """Cancel a preview: delete this session's stashed file. Whether there was one."""
    kept = request.session.get(SESSION_KEY, {})
    if token not in kept:
        return False
    kept.pop(token)
    request.session[SESSION_KEY] = kept
    discard(token)
    return True
