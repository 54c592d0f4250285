"""What every ``/api/v1/`` request goes through before and after its operation.

* a per-token fixed-window rate limit (``settings.API_RATE_LIMIT``, e.g. ``"6000/60"``),
  429 with ``Retry-After``, counted in the shared cache so it holds across web processes;
  anonymous callers and tokens that do not verify are limited per client address. It
  comes first, before the body is read;
* input hygiene: NUL characters and unpaired surrogates are refused (400), a body on
  POST/PUT/PATCH must be JSON (415) and within the limits of ``body_limits`` (size 413,
  depth, members, values 400), checked on its bytes before it is parsed. The body of an
  anonymous caller is not parsed at all: every operation answers it 401. The one
  exception is a file sent to the import wizard (``UPLOAD_PATHS``): its body is the file
  itself (CSV or XLSX), up to ``settings.IMPORT_MAX_BYTES``, read by its operation;
* ``Idempotency-Key`` on POST: the first response is stored (per user and key, 24 h) and
  replayed for a repeat; the same key with another payload answers 422; concurrent
  requests with one key run once (a unique constraint picks the winner, the others
  wait for its answer);
* any error the operation did not answer as a problem document (unknown path, wrong
  method, a crash, here or below) is turned into one, without internals; the log
  names the failure without the body or the exception's message (``problems.log_crash``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from clientela.api import body_limits
from clientela.api.auth import bearer_token, identify
from clientela.api.models import IdempotencyKey
from clientela.api.problems import PROBLEM_CONTENT_TYPE, database_busy, log_crash, problem
from clientela.crm.busy import is_busy
from clientela.crm.shared_cache import count_hit
from clientela.proxy import client_address

log = logging.getLogger("clientela.api")

PREFIX = "/api/v1/"
NOT_API = ("/api/v1/docs", "/api/v1/openapi.json")
# Operations whose body is a file (the import wizard's upload), not JSON.
UPLOAD_PATHS = re.compile(r"^/api/v1/imports/(upload|\d{1,18}/file)$")
JSON_TYPES = ("application/json", "application/merge-patch+json")
# Responses kept for replay; others (auth failures, throttling, server errors) are not.
NOT_KEPT = frozenset({401, 403, 429})
# A repeat of a request still running waits this long for its first response (a double
# click, a client's quick retry: the write takes milliseconds), then is answered 409 with
# Retry-After at once (draft-ietf-httpapi-idempotency-key-header, "concurrent requests")
# instead of holding a web process while a long request runs.
REPLAY_WAIT_SECONDS = 1.0
REPLAYED_HEADERS = ("Location", "ETag")


def _rate(setting: str) -> tuple[int, int]:
    count, _, seconds = setting.partition("/")
    return int(count), int(seconds or 60)


def _has_bad_text(value: Any) -> bool:
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_bad_text(k) or _has_bad_text(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_bad_text(v) for v in value)
    return False


def _too_large(request: HttpRequest) -> HttpResponse:
    reason = f"at most {body_limits.MAX_BODY_BYTES} bytes"
    return problem(request, 413, detail=f"body: {reason}", errors={"body": reason})


def _caller(request: HttpRequest) -> str:
    """Whom the rate limit counts: a verified token, the session's user, else the client
    address -- a token that does not verify counts against its sender's address, so a
    fresh bogus token per request is no way around the limit."""
    token = bearer_token(request)
    user = identify(request)
    if token is not None and user is not None:
        return "t:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:24]
    if token is None and user is not None:
        return f"u:{user.pk}"
    return "a:" + client_address(request, behind_proxy=settings.BEHIND_PROXY)


class ApiGatewayMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PREFIX) or request.path.startswith(NOT_API):
            return self.get_response(request)
        try:
            return self._handle(request)
        except Exception as exc:
            if is_busy(exc):  # e.g. the idempotency key's write during a long import
                return database_busy(request)
            log_crash(log, request, exc)
            return problem(request, 500, detail="an internal error occurred; it has been logged")

    def _handle(self, request: HttpRequest) -> HttpResponse:
        refused = self._throttle(request) or self._check_input(request)
        if refused is not None:
            return refused
        key = request.headers.get("Idempotency-Key")
        user = identify(request)
        if request.method == "POST" and key is not None and user is not None and not UPLOAD_PATHS.match(request.path):
            response = self._idempotent(request, user, key)
        else:
            response = self.get_response(request)
        return self._as_problem(request, response)

    # -- input hygiene -------------------------------------------------------------
    def _check_input(self, request: HttpRequest) -> HttpResponse | None:
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or _has_bad_text(list(request.GET.lists())):
            return problem(request, 400, detail="query: NUL characters are not allowed")
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        if request.method == "POST" and UPLOAD_PATHS.match(request.path):
            return self._check_upload(request)
        try:
            body_limits.check_size(int(request.META.get("CONTENT_LENGTH") or 0))
            body = request.body
        except (body_limits.BodyTooLarge, RequestDataTooBig):
            return _too_large(request)
        except ValueError:
            return problem(request, 400, detail="Content-Length is not a number")
        if not body:
            return None
        content_type = request.content_type or ""
        if content_type not in JSON_TYPES:
            return problem(request, 415, detail="send the body as application/json")
        if identify(request) is None:
            return None  # not parsed: the operation answers 401 before it reads the body
        try:
            reason = body_limits.shape_problem(body)
        except body_limits.BodyTooLarge:
            return _too_large(request)
        if reason is not None:
            return problem(request, 400, detail=reason, errors={"body": reason.removeprefix("body: ")})
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return problem(request, 400, detail="the body is not valid JSON")
        if _has_bad_text(payload):
            return problem(request, 400, detail="body: NUL characters and unpaired surrogates are not allowed")
        return None

    def _check_upload(self, request: HttpRequest) -> HttpResponse | None:
        """A file for the import wizard: only its size is checked here (before it is read)."""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return problem(request, 400, detail="Content-Length is not a number")
        if length > settings.IMPORT_MAX_BYTES:
            reason = f"at most {settings.IMPORT_MAX_BYTES // 1_000_000} MB"
            return problem(request, 413, detail=f"file: {reason}", errors={"file": reason})
        return None

    # -- rate limit ----------------------------------------------------------------
    def _throttle(self, request: HttpRequest) -> HttpResponse | None:
        limit, window = _rate(settings.API_RATE_LIMIT)
        if limit <= 0:
            return None
        now = int(time.time())
        start = now - now % window
        count = count_hit(f"api-rate:{_caller(request)}:{start}", window=window + 1)
        if count > limit:
            retry = max(1, start + window - now)
            return problem(
                request, 429, kind="rate-limited",
                detail=f"more than {limit} requests in {window} s; retry after {retry} s",
                headers={"Retry-After": str(retry)},
            )
        return None

    # -- idempotency ---------------------------------------------------------------
    def _idempotent(self, request: HttpRequest, user: Any, key: str) -> HttpResponse:
        if not 1 <= len(key) <= 255:
            return problem(request, 400, detail="Idempotency-Key: 1 to 255 characters")
        fingerprint = hashlib.sha256(
            b"\n".join([request.method.encode(), request.get_full_path().encode(), request.body])
        ).hexdigest()
        row = self._reserve(user, key, fingerprint)
        if row is None:
            return self._replay(request, user, key, fingerprint)
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotencyKey.objects.filter(pk=row.pk).delete()
            raise
        if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
            IdempotencyKey.objects.filter(pk=row.pk).delete()
            return response
        IdempotencyKey.objects.filter(pk=row.pk).update(
            completed=True,
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=response.content,
            headers={h: response[h] for h in REPLAYED_HEADERS if h in response},
        )
        return response

    def _reserve(self, user: Any, key: str, fingerprint: str) -> IdempotencyKey | None:
        now = dt.datetime.now(dt.UTC)
        expired = now - dt.timedelta(seconds=settings.API_IDEMPOTENCY_TTL_SECONDS)
        IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=expired).delete()
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    user=user, key=key, fingerprint=fingerprint, created_at=now
                )
        except IntegrityError:
            return None

    def _replay(self, request: HttpRequest, user: Any, key: str, fingerprint: str) -> HttpResponse:
        deadline = time.monotonic() + REPLAY_WAIT_SECONDS
        pause = 0.01
        while True:
            row = IdempotencyKey.objects.filter(user=user, key=key).first()
            if row is None:  # the first request failed and gave the key back
                return problem(
                    request, 409, kind="idempotency-retry",
                    detail="the first request with this Idempotency-Key failed; send again",
                )
            if row.fingerprint != fingerprint:
                return problem(
                    request, 422, kind="idempotency-mismatch",
                    detail="this Idempotency-Key was used with another request",
                )
            if row.completed:
                response = HttpResponse(bytes(row.body or b""), status=row.status or 200,
                                        content_type=row.content_type or "application/json")
                for name, value in row.headers.items():
                    response[name] = value
                response["Idempotent-Replayed"] = "true"
                return response
            if time.monotonic() > deadline:
                return problem(
                    request, 409, kind="idempotency-in-progress",
                    detail="a request with this Idempotency-Key is still running; send it again later",
                    headers={"Retry-After": "1"},
                )
            time.sleep(pause)
            pause = min(pause * 2, 0.2)

    # -- errors as problems --------------------------------------------------------
    def _as_problem(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
            return response
        headers = {"Allow": response["Allow"]} if "Allow" in response else None
        if response.status_code >= 500:
            log.error("API %s %s answered %d", request.method, request.path, response.status_code)
            return problem(request, 500, detail="an internal error occurred; it has been logged")
        return problem(request, response.status_code, headers=headers)
