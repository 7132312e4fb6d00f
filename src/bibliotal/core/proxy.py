"""The client's address, also behind the TLS-terminating proxy.

Behind the proxy every connection comes from the proxy, so ``REMOTE_ADDR`` is the proxy's
address. Each trusted proxy appends the address it was connected from to ``X-Forwarded-For``;
whatever the client sent itself stands to the left of those. So the client's address is the
entry ``BIBLIOTAL_PROXY_COUNT`` places from the right, never the leftmost one, which anyone can
write. The password guessing lock (django-axes), the booking page's rate limit and anything
else that keys on an address read it here.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The address the request came from: the trusted proxy's word for it when behind one."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not getattr(settings, "TRUST_PROXY_HEADERS", False):
        return remote
    entries = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if not entries:
        return remote  # not through the proxy (a health check on the machine itself)
    # Fewer entries than proxies: the request met only the inner proxies, and every entry is
    # theirs; the leftmost is then the client.
    count = max(1, getattr(settings, "BIBLIOTAL_PROXY_COUNT", 1))
    address = _address(entries[-min(count, len(entries))])
    return address if address is not None else remote


def _address(entry: str) -> str | None:
    """An IP address from an X-Forwarded-For entry (``[2001:db8::1]:443`` and ``1.2.3.4:80``
    too); None when it is not one."""
    if entry.startswith("[") and "]" in entry:
        entry = entry[1 : entry.index("]")]
    elif entry.count(":") == 1:
        entry = entry.partition(":")[0]
    try:
        return str(ipaddress.ip_address(entry))
    except ValueError:
        return None
