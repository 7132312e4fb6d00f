"""The e-mail backend while no mail server is set (``BIBLIOTAL_EMAIL_HOST`` empty).

Django's console backend would print every e-mail, teachers' addresses and names with it, to the
server's log. This one sends nothing and writes nothing of an e-mail anywhere: it fails like a
mail server that cannot be reached, so the outbox keeps each e-mail waiting (and tries again,
for a few days) with the reason shown on the integrations page, and the person who sent it is
told it has not gone.
"""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend


class NoMailServer(ConnectionError):
    """No mail server is set: nothing can be sent. An OSError, like a server that is down."""

    def __init__(self):
        super().__init__("No mail server is set (BIBLIOTAL_EMAIL_HOST): e-mail is not sent.")


class NoServerBackend(BaseEmailBackend):
    def open(self):
        if self.fail_silently:
            return False
        raise NoMailServer

    def send_messages(self, email_messages):
        if not email_messages or self.fail_silently:
            return 0
        raise NoMailServer
