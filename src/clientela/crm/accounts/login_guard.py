"""Login attempts: logged without passwords or personal data, and throttled per user name.

After ``LOGIN_FAILURE_LIMIT`` failures for one user name within ``LOGIN_LOCKOUT_SECONDS``
further attempts are refused (even with the right password) until the window ends.
The failures are counted in the shared cache (clientela/crm/shared_cache.py), so the limit
holds across web processes and restarts.
The log names neither the user nor the address: it carries a keyed hash of the user
name, enough to correlate attempts without disclosing who.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

from clientela.crm.shared_cache import count_hit

log = logging.getLogger("clientela.security.login")


def _subject(username: str) -> str:
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, username.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def _cache_key(username: str) -> str:
    return f"login-failures:{_subject(username)}"


def failures(username: str) -> int:
    return int(cache.get(_cache_key(username), 0))


class ThrottledModelBackend(ModelBackend):
    """Django's model backend behind a per-user-name failure limit."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        name = username if username is not None else kwargs.get("username")
        if name and failures(name) >= settings.LOGIN_FAILURE_LIMIT:
            log.warning("login refused: too many failures subject=%s", _subject(name))
            # PermissionDenied stops Django trying other backends and counts as a failure.
            raise PermissionDenied("too many failed logins")
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def _on_failure(sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any) -> None:
    name = str(credentials.get("username") or "")
    count = count_hit(_cache_key(name), window=settings.LOGIN_LOCKOUT_SECONDS)
    log.warning("login failed subject=%s failures=%d", _subject(name), count)


@receiver(user_logged_in)
def _on_success(sender: Any, request: Any, user: Any, **_: Any) -> None:
    cache.delete(_cache_key(user.get_username()))
    log.info("login succeeded subject=%s", _subject(user.get_username()))
