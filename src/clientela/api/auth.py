"""Who is calling: a personal token (``Authorization: Bearer …``) or the web session.

Session calls that change something must carry Django's CSRF token (``X-CSRFToken``);
token calls need none (the token is not sent automatically by browsers).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from clientela.crm.accounts.api_tokens import authenticate_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_UNSET = object()


def bearer_token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def identify(request: HttpRequest) -> Any:
    """The user behind the request (cached on it), or ``None``."""
    cached = getattr(request, "_clientela_api_user", _UNSET)
    if cached is not _UNSET:
        return cached
    token = bearer_token(request)
    user: Any = None
    if token is not None:
        user = authenticate_token(token)
    elif getattr(request, "user", None) is not None and request.user.is_authenticated:
        user = request.user
    request._clientela_api_user = user  # type: ignore[attr-defined]
    return user


class TokenOrSession(AuthBase):
    """ninja authentication: a bearer token, else the session (with CSRF on writes)."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    # Tells the docs page to send the session's CSRF token (checked in __call__).
    csrf = True

    def __call__(self, request: HttpRequest) -> Any:
        user = identify(request)
        if user is None:
            return None
        if bearer_token(request) is None and request.method not in SAFE_METHODS:
            if check_csrf(request) is not None:
                raise HttpError(403, "CSRF check failed: send the X-CSRFToken header")
        return user
