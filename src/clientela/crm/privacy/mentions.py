"""Mentions of an erased person anywhere else in the database.

Erasure blanks the person's own rows (sections.py and the apps' sections); their name,
email or phone can also sit in text about anything else: a colleague's call notes, a
campaign or product named after them, a survey question, another organisation's
contact's job title, the audit trail, the Django admin's log, a stored API response.
Those rows stay, and each occurrence is replaced by ``[erased]`` (matching.py decides
what an occurrence is: accents, case, Unicode forms, declension, phone formats).

The scan is generic: **every text column of every table** (CharField, TextField,
JSONField, BinaryField of every installed model, Django's own included) except
``SKIPPED`` — columns that hold no text about people (codes with fixed choices, keys,
hashes, Django's catalogue of models and permissions, job machinery) or that identify
someone else (another party's or contact's name, email and phone: a namesake is another
person; staff accounts). A new text column is therefore scanned by default; a test fails
when ``SKIPPED`` names a column that no longer exists. A contact person of another
organisation with the erased person's email or phone *is* the person and is blanked
whole. Each table is searched in the database first (``Matcher.needles``: one scan per
table), then the rows found are matched exactly here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.db.models import Q

from clientela.crm.privacy.matching import REDACTED, Group, Matcher, Needle

__all__ = ["REDACTED", "SKIPPED", "matcher_for", "redact_mentions", "scanned_columns"]

_IDENTIFIES_SOMEONE_ELSE = "identifies another person (a namesake is someone else)"
_KEY = "a key, hash or token, not text"
_CATALOGUE = "Django's catalogue of models and permissions"
_MACHINE = "job and schedule machinery (code paths, worker ids)"

SKIPPED: dict[str, str] = {
    "parties.Party.name": _IDENTIFIES_SOMEONE_ELSE,
    "parties.Party.email": _IDENTIFIES_SOMEONE_ELSE,
    "parties.Party.phone": _IDENTIFIES_SOMEONE_ELSE,
    "parties.Party.ref": "another party's ref (import key)",
    "parties.ContactPerson.name": _IDENTIFIES_SOMEONE_ELSE + "; same email or phone: blanked whole",
    "parties.ContactPerson.email": _IDENTIFIES_SOMEONE_ELSE + "; same email or phone: blanked whole",
    "parties.ContactPerson.phone": _IDENTIFIES_SOMEONE_ELSE + "; same email or phone: blanked whole",
    "accounts.User.username": "a staff account",
    "accounts.User.first_name": "a staff account",
    "accounts.User.last_name": "a staff account",
    "accounts.User.email": "a staff account",
    "accounts.User.password": _KEY,
    "accounts.ApiToken.prefix": _KEY,
    "accounts.ApiToken.token_hash": _KEY,
    "audit.AuditEntry.actor_name": "a staff account",
    "audit.AuditEntry.entity": "a code",
    "audit.AuditEntry.object_id": "a record id",
    "audit.AuditEntry.field": "a field name",
    "admin.LogEntry.object_id": "a record id",
    "api.IdempotencyKey.key": _KEY,
    "api.IdempotencyKey.fingerprint": _KEY,
    "commerce.Order.ref": "an order's ref (import key)",
    "branding.CompanyProfile.colour": "a code (#RRGGBB)",
    "branding.CompanyProfile.logo": "an image",
    "branding.CompanyProfile.logo_type": "a code (media type)",
    "branding.CompanyProfile.logo_sha256": _KEY,
    "commerce.Product.sku": "a product code",
    "feedback.SurveyInvitation.nonce": _KEY,
    "webhooks.Subscription.secret": _KEY,
    "webhooks.Subscription.event_types": "codes (event types)",
    "webhooks.Event.type": "a code (event type)",
    "notifications.Notification.key": _KEY,
    "sessions.Session.session_key": _KEY,
    "sessions.Session.session_data": "signed session data, purged when it expires",
    "contenttypes.ContentType.app_label": _CATALOGUE,
    "contenttypes.ContentType.model": _CATALOGUE,
    "auth.Permission.codename": _CATALOGUE,
    "jobs.Job.kind": _MACHINE,
    "jobs.Job.schedule": _MACHINE,
    "jobs.Job.worker_id": _MACHINE,
    "jobs.Job.task_id": _MACHINE,
    "jobs.ScheduleState.name": _MACHINE,
    "jobs.Lease.name": _MACHINE,
    "jobs.Lease.holder": _MACHINE,
    "django_tasks_database.DBTaskResult.task_path": _MACHINE,
    "django_tasks_database.DBTaskResult.queue_name": _MACHINE,
    "django_tasks_database.DBTaskResult.backend_name": _MACHINE,
    "django_tasks_database.DBTaskResult.exception_class_path": _MACHINE,
    "django_tasks_database.DBTaskResult.worker_ids": _MACHINE,
}

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def dotted(model: type[models.Model], field: models.Field[Any, Any]) -> str:
    return f"{model._meta.label}.{field.name}"


def scanned_columns() -> Iterator[tuple[type[models.Model], models.Field[Any, Any]]]:
    """Every text column erasure searches: all of every table but ``SKIPPED`` and
    columns of fixed choices (codes)."""
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS) or field.primary_key or field.choices:
                continue
            if dotted(model, field) in SKIPPED:
                continue
            yield model, field


def matcher_for(party: Any) -> Matcher:
    """What identifies ``party`` (and its contact people) in text."""
    matcher = Matcher()
    if str(party.ref).startswith("erased-"):
        return matcher  # erased before: nothing of the person is left to look for
    matcher.add_person(party.name, person=party.kind == "person")
    matcher.add_email(party.email)
    matcher.add_phone(party.phone)
    matcher.add_ref(party.ref)
    for contact in party.contacts.all():
        matcher.add_person(contact.name)
        matcher.add_email(contact.email)
        matcher.add_phone(contact.phone)
    return matcher


def redact_mentions(matcher: Matcher, *, party_id: int | None = None) -> int:
    """Replace every mention ``matcher`` finds in every scanned column; rows changed."""
    if not matcher:
        return 0
    changed = _same_person_contacts(matcher, party_id)
    needles = matcher.needles()
    by_table: dict[type[models.Model], list[models.Field[Any, Any]]] = {}
    for model, field in scanned_columns():
        by_table.setdefault(model, []).append(field)
    for model, fields in by_table.items():
        if model._meta.label == "audit.AuditEntry":
            changed += _redact_audit(matcher, needles)  # the trail changes only through audit.actions
        else:
            changed += _redact_table(model, fields, matcher, needles)
    return changed


_PHONE_SEPARATORS = (" ", "\u00a0", "-", ".", "/", "(", ")")


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _condition(groups: list[Group]) -> tuple[str, list[str]]:
    """SQL true for a row whose text ``t`` (its lower case ``l`` on PostgreSQL) may hold a
    mention (``Matcher.needles``)."""
    params: list[str] = []

    def any_of(needles: tuple[Needle, ...]) -> str:
        parts = []
        for needle in needles:
            sql, values = _needle_condition(needle)
            parts.append(sql)
            params.extend(values)
        return "(" + " OR ".join(parts) + ")"

    groups_sql = ["(" + " AND ".join(any_of(word) for word in group) + ")" for group in groups]
    return "(" + " OR ".join(groups_sql) + ")", params


def _needle_condition(needle: Needle) -> tuple[str, list[str]]:
    kind, value = needle
    if kind == "ascii":
        if connection.vendor == "postgresql":  # l is lower(t), computed once per row
            return "l LIKE %s ESCAPE '\\'", [_like(value.lower())]
        return "t LIKE %s ESCAPE '\\'", [_like(value)]  # SQLite's LIKE ignores ASCII case
    if kind == "folded":
        # JSON written with \u escapes (the admin log, SQLite's JSON columns) is read whole.
        return "(clientela_fold(t) LIKE %s ESCAPE '\\' OR t LIKE %s ESCAPE '\\')", [_like(value), _like("\\u")]
    # Each of the digits first (cheap, and false for most text), then the digits run.
    guards = ["t LIKE %s" for _ in sorted(set(value))]
    params = [f"%{digit}%" for digit in sorted(set(value))]
    stripped = "t"
    for separator in _PHONE_SEPARATORS:
        stripped = f"REPLACE({stripped}, %s, '')"
        params.append(separator)
    return "(" + " AND ".join([*guards, f"{stripped} LIKE %s"]) + ")", [*params, _like(value)]


def _candidates(model: type[models.Model], fields: list[models.Field[Any, Any]],
                needles: list[Group]) -> list[Any]:
    """Primary keys of the rows where one of ``fields`` may hold a mention: the database's
    first pass, one scan of the table over its text columns joined (a mention never spans
    two, so joining them only adds candidates); binary columns are read whole (only the
    API's stored responses, deleted after 24 h)."""
    quote = connection.ops.quote_name
    texts = [f for f in fields if not isinstance(f, models.BinaryField)]
    binaries = [f for f in fields if isinstance(f, models.BinaryField)]
    joined = " || ' ' || ".join(f"COALESCE(CAST({quote(f.column)} AS TEXT), '')" for f in texts) or "''"
    selected = [f"{quote(model._meta.pk.column)} AS pk", f"{joined} AS t"]
    if connection.vendor == "postgresql":
        selected.append("lower(" + joined + ") AS l")
    selected += [f"{quote(f.column)} IS NOT NULL AS b{i}" for i, f in enumerate(binaries)]
    condition, params = _condition(needles) if texts else ("FALSE", [])
    conditions = [condition, *(f"b{i}" for i in range(len(binaries)))]
    fence = " OFFSET 0" if connection.vendor == "postgresql" else " LIMIT -1 OFFSET 0"  # t, l once per row
    sql = (f"SELECT pk FROM (SELECT {', '.join(selected)} FROM {quote(model._meta.db_table)}{fence}) scanned "  # noqa: S608
           f"WHERE {' OR '.join(conditions)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _redact_table(model: type[models.Model], fields: list[models.Field[Any, Any]], matcher: Matcher,
                  needles: list[Group]) -> int:
    ids = _candidates(model, fields, needles)
    names = [field.name for field in fields]
    changed = 0
    manager = model._base_manager
    for start in range(0, len(ids), 500):
        dirty, dirty_fields = [], set()
        for row in manager.filter(pk__in=ids[start:start + 500]).only("pk", *names):
            touched = False
            for name in names:
                value = getattr(row, name)
                redacted = matcher.redact_value(value)
                if redacted != (bytes(value) if isinstance(value, memoryview) else value):
                    setattr(row, name, redacted)
                    dirty_fields.add(name)
                    touched = True
            if touched:
                dirty.append(row)
        if dirty:
            # bulk_update: no signals or audit entries quoting the text being removed.
            manager.bulk_update(dirty, sorted(dirty_fields))
            changed += len(dirty)
    return changed


def _same_person_contacts(matcher: Matcher, party_id: int | None) -> int:
    """Contact people of other organisations with the person's email or phone: the same
    person, blanked like the party's own contacts."""
    from clientela.crm.parties.models import ContactPerson

    match = Q(pk__in=[])
    for email in matcher.emails:
        match |= Q(email__iexact=email)
    others = ContactPerson.objects.exclude(organisation_id=party_id)
    ids = list(others.filter(match).values_list("pk", flat=True))
    phones = Matcher(phones=matcher.phones)
    if phones:
        candidates = _candidates(ContactPerson, [ContactPerson._meta.get_field("phone")], phones.needles())
        for start in range(0, len(candidates), 500):
            for pk, phone in others.filter(pk__in=candidates[start:start + 500]).values_list("pk", "phone"):
                if phones.spans(phone):
                    ids.append(pk)
    if not ids:
        return 0
    return sum(ContactPerson.objects.filter(pk__in=ids[start:start + 500]).update(
        name="Erased contact", job_title="", email="", phone="") for start in range(0, len(ids), 500))


def _redact_audit(matcher: Matcher, needles: list[Group]) -> int:
    from clientela.crm.audit.actions import redact_values
    from clientela.crm.audit.models import AuditEntry

    ordered = _candidates(AuditEntry, [AuditEntry._meta.get_field("old"), AuditEntry._meta.get_field("new")], needles)
    values = {}
    for start in range(0, len(ordered), 500):
        rows = AuditEntry.objects.filter(pk__in=ordered[start:start + 500]).values_list("id", "old", "new")
        for entry_id, old, new in rows:
            redacted = tuple(matcher.redact_value(v) if v is not None else None for v in (old, new))
            if redacted != (old, new):
                values[entry_id] = redacted
    return redact_values(values)  # type: ignore[arg-type]
