"""Hand one mail to the SMTP server so that a member is recorded as sent before the server
can deliver it — never after: a worker killed at any moment mails nobody twice.

The SMTP conversation is run step by step on Django's open connection: MAIL, RCPT, DATA
and the message's lines; then ``before_commit()`` records the member as sent (its own
committed transaction); only then the final ``.`` line, which makes the server accept
the mail. Killed before the record, the server never had a complete mail (a closed
connection without ``.`` is discarded) and the member is still "sending": a retry mails
them. Killed after it, the member is "sent" and is not mailed again. (The other order —
send, then record — mails a member twice when the process dies between the two.)

The server answering the final ``.`` with an error is a refusal (``SMTPDataError``): the
caller records the member as failed. A connection lost after the ``.`` leaves the
outcome unknown: ``Unconfirmed``, and the member stays "sent" (at most once).

Backends that are not SMTP (the test suite's in-memory outbox, the console) send first
and record after, as before.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address

_LEADING_DOT = re.compile(rb"(?m)^\.")


class Unconfirmed(smtplib.SMTPException):
    """The connection was lost after the whole mail was handed over: it may have gone."""


def deliver(message: EmailMessage, connection: Any, *, before_commit: Callable[[], None]) -> None:
    """Send ``message`` through ``connection``, calling ``before_commit()`` at the last
    moment before the server may deliver it (see the module's docstring)."""
    if not isinstance(connection, SmtpBackend):
        message.connection = connection
        message.send(fail_silently=False)
        before_commit()
        return
    connection.open()
    smtp = connection.connection
    encoding = message.encoding or "utf-8"
    sender = sanitize_address(message.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    data = message.message().as_bytes(linesep="\r\n")
    try:
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(sender)
        if code != 250:
            smtp.rset()
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                smtp.rset()
                raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        smtp.putcmd("data")
        code, reply = smtp.getreply()
        if code != 354:
            smtp.rset()
            raise smtplib.SMTPDataError(code, reply)
        body = _LEADING_DOT.sub(b"..", data)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        smtp.send(body)
    except (smtplib.SMTPServerDisconnected, OSError):
        connection.close()
        raise
    try:
        before_commit()
    except BaseException:
        connection.close()  # no final ".": the server discards the mail
        raise
    try:
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        connection.close()
        raise Unconfirmed(str(type(exc).__name__)) from exc
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
