"""Mail backends for unit tests of failure handling (connections and real SMTP codes: tests/ with aiosmtpd)."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class RefusingBackend(EmailBackend):
    """Every message is answered like a greylisting server: 451 on DATA."""

    def send_messages(self, messages):
        raise smtplib.SMTPDataError(451, b"4.7.1 Try again later")
