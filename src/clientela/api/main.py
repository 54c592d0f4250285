"""The REST API at ``/api/v1/``: one NinjaAPI, its error mapping, docs and routers."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import DataError, IntegrityError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import DocsBase, _csrf_needed

from clientela.api.auth import TokenOrSession
from clientela.api.conditional import PreconditionRequired
from clientela.api.pagination import InvalidCursor
from clientela.api.problems import PROBLEM_CONTENT_TYPE, database_busy, log_crash, problem
from clientela.crm.busy import is_busy
from clientela.crm.errors import Conflict, InvalidInput, NotPermitted, RecordNotFound, StaleRecord

log = logging.getLogger("clientela.api")

WRITE_METHODS = ("patch", "put", "delete")
# A 422 names at most this many bad fields (a body of thousands of unknown keys would
# otherwise answer megabytes).
MAX_LISTED_ERRORS = 50


class VendoredSwagger(DocsBase):
    """Swagger UI from the app's own static files (no CDN); settings in a JSON block."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        import json

        from django.shortcuts import render

        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
            "validatorUrl": None,
        }
        context = {"swagger_settings": json.dumps(settings), "api": api, "add_csrf": _csrf_needed(api)}
        return render(request, "api/docs.html", context)


class ClientelaAPI(NinjaAPI):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[tuple[Any, ...], Any] = {}
        self._schema_lock = threading.Lock()

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        """ninja's schema, plus what the gateway does: problem+json error bodies, the
        ``If-Match``/``Idempotency-Key`` headers and the ``ETag`` of single resources.

        Built once per process (it takes seconds and never changes while the process
        runs) and shared: callers must not modify it."""
        key = (path_prefix, tuple(sorted((path_params or {}).items())))
        schema = self._schemas.get(key)
        if schema is not None:
            return schema
        with self._schema_lock:  # one build when the first requests arrive together
            schema = self._schemas.get(key)
            if schema is None:
                schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
                for path, path_item in schema.get("paths", {}).items():
                    for method, operation in path_item.items():
                        _document_operation(path, method, operation)
                self._schemas[key] = schema
        return schema


def _document_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    params = operation.setdefault("parameters", [])
    if method in WRITE_METHODS:
        params.append({
            "in": "header", "name": "If-Match", "required": False,
            "description": "The ETag of the record as you read it; required (428 without it).",
            "schema": {"type": "string"},
        })  # fmt: skip
    if method == "post":
        params.append({
            "in": "header", "name": "Idempotency-Key", "required": False,
            "description": "Repeat-safe POST: the first response is replayed for 24 h.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        })  # fmt: skip
    for status, response in operation.get("responses", {}).items():
        code = int(status)
        content = response.get("content", {})
        if code >= 400 and "application/json" in content:
            response["content"] = {PROBLEM_CONTENT_TYPE: content["application/json"]}
        single = path.endswith("}") or method == "post"
        if method in ("get", "post", "patch", "put") and code in (200, 201) and single:
            response["headers"] = {"ETag": {"schema": {"type": "string"}, "description": "send it back in If-Match"}}


api = ClientelaAPI(
    title="Clientela API",
    version="1",
    description="REST API of Clientela. See docs/api.md for authentication, pagination, "
    "errors, ETag/If-Match, idempotency and the rate limit.",
    urls_namespace="api-v1",
    auth=TokenOrSession(),
    docs=VendoredSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(RecordNotFound)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 404, detail="no such record (or you may not see it)")


@api.exception_handler(Http404)
def _http404(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 404)


@api.exception_handler(NotPermitted)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 403, kind="not-permitted", detail=str(exc))


@api.exception_handler(StaleRecord)
def _stale(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 412, kind="stale-record", detail=str(exc))


@api.exception_handler(PreconditionRequired)
def _precondition_required(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 428, kind="if-match-required", detail=str(exc))


@api.exception_handler(InvalidInput)
def _invalid(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return problem(request, 422, kind="invalid-input", detail="the input breaks a rule", errors=exc.errors)


@api.exception_handler(InvalidCursor)
def _bad_cursor(request: HttpRequest, exc: Exception) -> HttpResponse:
    name = str(exc).partition(":")[0]
    return problem(request, 400, kind="bad-query", detail=str(exc), errors={name: str(exc)})


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 409, kind="conflict", detail=str(exc))


@api.exception_handler(IntegrityError)
def _integrity(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 409, kind="conflict", detail="the change clashes with stored data")


@api.exception_handler(DataError)
def _data_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 422, kind="invalid-input", detail="a value is out of range")


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, str] = {}
    for error in exc.errors[:MAX_LISTED_ERRORS]:
        loc = [str(p) for p in error.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        if loc and loc[0] == "payload":
            loc = loc[1:]
        name = ".".join(loc) or "body"
        errors.setdefault(name, str(error.get("msg", "invalid"))[:200])
    detail = "the request does not validate"
    if len(exc.errors) > MAX_LISTED_ERRORS:
        detail += f" ({len(exc.errors)} errors, the first {MAX_LISTED_ERRORS} listed)"
    return problem(request, 422, kind="invalid-input", detail=detail, errors=errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        request, 401, detail="send Authorization: Bearer <token> or log in",
        headers={"WWW-Authenticate": 'Bearer realm="clientela"'},
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, exc.status_code, detail=exc.message)


@api.exception_handler(OperationalError)
def _database_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if is_busy(exc):
        return database_busy(request)
    return _crash(request, exc)


@api.exception_handler(Exception)
def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
    log_crash(log, request, exc)
    return problem(request, 500, detail="an internal error occurred; it has been logged")


def _register() -> None:
    from clientela.api.routers import audit, commerce, engagement, gdpr, imports, parties, scoring

    api.add_router("", parties.router)
    api.add_router("", scoring.router)
    api.add_router("", commerce.router)
    api.add_router("", engagement.router)
    api.add_router("", audit.router)
    api.add_router("", gdpr.router)
    api.add_router("", imports.router)
    _register_operations()


def _register_operations() -> None:
    """The operational apps' resources (sales, tasks, service, feedback, loyalty, sending)."""
    from clientela.api.routers import (
        deliveries,
        experiments,
        exports,
        feedback,
        invitations,
        jobs,
        loyalty,
        loyalty_config,
        playbooks,
        sales,
        service,
        tasks,
        themes,
        vocabularies,
        webhooks,
    )

    for module in (sales, tasks, service, feedback, loyalty, loyalty_config, deliveries, vocabularies, jobs,
                   invitations, exports, themes, experiments, webhooks, playbooks):
        api.add_router("", module.router)


_register()
