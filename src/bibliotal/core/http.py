"""Reading from another system over the network, with discipline.

Every integration (dpl-cms, Danmarks Statistik's Statbank, iCalendar feeds) fetches through
``fetch``:

- only the configured host is contacted: the address must be on that host, and a redirect is
  followed only when it stays on it;
- no private, loopback or link-local address is contacted unless the operator allows it with
  ``BIBLIOTAL_ALLOW_LOCAL_SOURCES`` (tests and the demo's fake website run on 127.0.0.1);
- a connection and each read have a timeout, and the whole answer a deadline;
- a failed connection, a timeout, an answer that stops halfway, a 5xx answer and 429 (too many
  requests) are tried again after 1, 2, 4 … seconds (``RETRIES`` times); another 4xx is not;
- a failure raises ``FetchError`` with a message for a person. Callers write nothing then, so
  the last good data is kept.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 20.0
DEADLINE_SECONDS = 120.0
RETRIES = 3
BACKOFF_SECONDS = 1.0
MAX_BYTES = 50 * 1024 * 1024
USER_AGENT = "Bibliotal (https://github.com/bibliotal)"


class FetchError(Exception):
    """The source could not be read; the message is for a person."""


@dataclass(frozen=True)
class Answer:
    url: str
    data: bytes
    attempts: int

    def json(self):
        try:
            return json.loads(self.data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            where = getattr(exc, "lineno", None)
            detail = (
                _("line %(line)d, column %(column)d: %(error)s")
                % {"line": exc.lineno, "column": exc.colno, "error": exc.msg}
                if where
                else str(exc)
            )
            raise FetchError(
                _("%(url)s did not answer with valid JSON (%(detail)s).")
                % {"url": self.url, "detail": detail}
            ) from exc


def allow_local() -> bool:
    return bool(getattr(settings, "BIBLIOTAL_ALLOW_LOCAL_SOURCES", False))


def host_of(url: str) -> str:
    return (urllib.parse.urlsplit(url).hostname or "").lower()


def check_address(url: str, *, allowed_host: str) -> None:
    """Refuse an address that is not on ``allowed_host`` or that points into a private network."""
    parsed = urllib.parse.urlsplit(url)
    local = allow_local()
    if parsed.scheme not in ({"https", "http"} if local else {"https"}):
        raise FetchError(_("The address must start with https://: %(url)s") % {"url": url})
    host = (parsed.hostname or "").lower()
    if not host or host != allowed_host.lower():
        raise FetchError(
            _("%(url)s is not on the configured host %(host)s: it was not contacted.")
            % {"url": url, "host": allowed_host}
        )
    if local:
        return
    try:
        infos = socket.getaddrinfo(host, parsed.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise FetchError(_("The host %(host)s cannot be found.") % {"host": host}) from exc
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            raise FetchError(
                _("%(host)s points into a private network: it was not contacted.") % {"host": host}
            )


class _SameHostRedirect(urllib.request.HTTPRedirectHandler):
    def __init__(self, allowed_host: str):
        self.allowed_host = allowed_host

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_address(newurl, allowed_host=self.allowed_host)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _Retry(Exception):
    pass


def _read_once(opener, request, *, timeout: float, deadline: float, max_bytes: int) -> bytes:
    with opener.open(request, timeout=timeout) as response:
        expected = response.headers.get("Content-Length")
        chunks, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError
            chunk = response.read1(64 * 1024)  # what has come, so the deadline is kept
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(
                    _("The answer from %(url)s is larger than %(mb)d MB.")
                    % {"url": request.full_url, "mb": max_bytes // (1024 * 1024)}
                )
            chunks.append(chunk)
        if expected is not None and expected.isdigit() and size < int(expected):
            raise http.client.IncompleteRead(b"".join(chunks), int(expected) - size)
        return b"".join(chunks)


def fetch(
    url: str,
    *,
    allowed_host: str,
    timeout: float | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    max_bytes: int = MAX_BYTES,
    accept: str = "application/json",
) -> Answer:
    """GET ``url`` (which must be on ``allowed_host``) and return its body."""
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    retries = RETRIES if retries is None else retries
    backoff = BACKOFF_SECONDS if backoff is None else backoff
    check_address(url, allowed_host=allowed_host)
    opener = urllib.request.build_opener(_SameHostRedirect(allowed_host))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": accept})
    deadline = time.monotonic() + max(DEADLINE_SECONDS, timeout)
    reason = ""
    for attempt in range(1, retries + 2):
        try:
            data = _read_once(
                opener, request, timeout=timeout, deadline=deadline, max_bytes=max_bytes
            )
            return Answer(url=url, data=data, attempts=attempt)
        except urllib.error.HTTPError as exc:
            reason = _("the server answered %(code)d %(reason)s") % {
                "code": exc.code,
                "reason": exc.reason,
            }
            if exc.code < 500 and exc.code != 429:  # 429: too many requests, wait and retry
                break
        except TimeoutError:
            reason = _("no answer within %(seconds)s seconds") % {"seconds": f"{timeout:g}"}
        except http.client.IncompleteRead:
            reason = _("the answer stopped halfway")
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, OSError) as exc:
            detail = getattr(exc, "reason", exc)
            if isinstance(detail, TimeoutError | socket.timeout):
                reason = _("no answer within %(seconds)s seconds") % {"seconds": f"{timeout:g}"}
            else:
                reason = _("the connection failed (%(error)s)") % {"error": detail}
        if attempt <= retries and time.monotonic() < deadline:
            time.sleep(backoff * 2 ** (attempt - 1))
        else:
            break
    raise FetchError(
        _("%(url)s could not be read after %(attempts)d attempts: %(reason)s.")
        % {"url": url, "attempts": attempt, "reason": reason}
    )
