"""SMS through a pluggable HTTP gateway.

``SmsGateway`` is the interface: ``send(to, text)`` returns the gateway's message
id or raises ``SmsError``. ``HttpJsonGateway`` is the generic adapter: it POSTs
``{"from": sender, "to": number, "text": text}`` as JSON to a URL with an optional
bearer token and reads ``id`` (or ``message_id``) from a JSON answer. Another
provider is a class with the same ``send`` named in ``CLIENTELA_SMS_GATEWAY``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The gateway refused or could not be reached; the message has no personal data."""


class SmsGateway(Protocol):
    def send(self, to: str, text: str) -> str: ...


class HttpJsonGateway:
    def __init__(self, url: str, *, token: str = "", sender: str = "", timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError("SMS gateway URL must be http:// or https://")
        self.url = url
        self.token = token
        self.sender = sender
        self.timeout = timeout

    def send(self, to: str, text: str) -> str:
        body = json.dumps({"from": self.sender, "to": to, "text": text}).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                payload = answer.read()
        except urllib.error.HTTPError as exc:
            raise SmsError(f"gateway answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"gateway unreachable: {type(exc).__name__}") from None
        try:
            data = json.loads(payload or b"{}")
        except ValueError:
            raise SmsError("gateway answered with something other than JSON") from None
        message_id = data.get("id") or data.get("message_id") if isinstance(data, dict) else None
        return str(message_id or "")


def default_gateway() -> SmsGateway:
    """The gateway the settings name (``CLIENTELA_SMS_GATEWAY``, default the HTTP JSON one)."""
    dotted = settings.SMS_GATEWAY
    cls = import_string(dotted)
    if not settings.SMS_GATEWAY_URL and cls is HttpJsonGateway:
        raise SmsError("no SMS gateway configured (CLIENTELA_SMS_GATEWAY_URL)")
    return cls(  # type: ignore[no-any-return]
        settings.SMS_GATEWAY_URL, token=settings.SMS_GATEWAY_TOKEN, sender=settings.SMS_SENDER
    )
