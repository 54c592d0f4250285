"""Issue 20, F5-F7 done-when: a person planted in every text column of every table, in
every spelling, is gone from a dump of the whole database after ``clientela gdpr erase``,
and revenue does not move.

The person has a Polish name with letters that fold ("Ż", "Ł", "ó") and a double-barrelled
surname. The test plants their name — as written, declined (instrumental, dative),
without diacritics, NFD-normalised, with a non-breaking space, upper case, surname first
— their phone in three formats and their email in upper case, into every column
``privacy.mentions.scanned_columns`` lists (one row each, the variants taking turns), and
all variants at once into another customer's call notes, the audit trail, the Django
admin's log and a stored Idempotency-Key response. After the erasure the database is
dumped (SQLite ``iterdump()``, PostgreSQL ``pg_dump``), JSON ``\\u`` escapes and binary
columns decoded, folded with this test's own code (not the matcher under test) and
searched for the name's stems, the phone's digits and the email.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import unicodedata
import zlib
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Sum

from clientela.cli.main import main
from clientela_test_support import database_vendor, need

from .conftest import api_for

NAME, EMAIL, PHONE, REF = "Żaneta Łukasiewicz-Górecka", "zaneta.lg@example.pl", "+48 601 234 567", "ZLG-1"
VARIANTS = [
    NAME,
    "Żanetą Łukasiewicz-Górecką",          # instrumental
    "Żanecie Łukasiewicz-Góreckiej",       # dative
    "Zaneta Lukasiewicz-Gorecka",          # no diacritics
    unicodedata.normalize("NFD", NAME),    # decomposed
    NAME.replace(" ", "\u00a0"),          # non-breaking space
    NAME.upper(),
    "Łukasiewicz-Górecka, Żaneta",         # surname first
    "+48601234567",
    "601-234-567",
    "601 234 567",
    EMAIL.upper(),
]
KEPT = "Anna Nowak i Żaneta Kowalska"  # another Żaneta: not a mention
TODAY = dt.date(2026, 11, 23)
T0 = dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC)


# -- the independent oracle -----------------------------------------------------------
def _searchable(dump: str) -> str:
    """The dump with JSON escapes and hex-encoded binary columns decoded, folded."""
    parts = [dump]
    for blob in re.findall(r"X'([0-9a-fA-F]+)'", dump) + re.findall(r"\\\\x([0-9a-fA-F]+)", dump):
        raw = bytes.fromhex(blob)
        try:
            raw = zlib.decompress(raw)
        except zlib.error:
            pass
        parts.append(raw.decode("utf-8", "replace"))
    text = "\n".join(parts)
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return _fold(text).replace(_fold(KEPT), "")  # the other Żaneta stays, by design


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


PHONE_DIGITS = re.compile(r"6[\s\-.]?0[\s\-.]?1[\s\-.]?2[\s\-.]?3[\s\-.]?4[\s\-.]?5[\s\-.]?6[\s\-.]?7")


def _traces(dump: str) -> list[str]:
    text = _searchable(dump)
    found = [stem for stem in ("lukasiewicz", "zanet", "zanec", "gorecka", "goreckiej", EMAIL) if stem in text]
    found += [m.group() for m in PHONE_DIGITS.finditer(text)]
    return found


def _dump() -> str:
    if database_vendor() == "sqlite":
        return "\n".join(connection.connection.iterdump())
    need(shutil.which("pg_dump") is not None, "pg_dump is not installed")
    settings = connection.settings_dict
    command = ["pg_dump", "--no-owner", "-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432),
               "-U", settings["USER"] or "postgres", settings["NAME"]]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300)  # noqa: S603
    return done.stdout


# -- the world --------------------------------------------------------------------------
def _world() -> dict[str, Any]:
    from django.contrib.auth.models import Group

    from clientela.crm.accounts.actions import create_user
    from clientela.crm.accounts.models import Team
    from clientela.crm.branding.actions import save_profile
    from clientela.crm.commerce.actions import create_order
    from clientela.crm.commerce.models import Product
    from clientela.crm.engagement.actions import create_interaction
    from clientela.crm.engagement.models import Segment
    from clientela.crm.feedback import actions as feedback
    from clientela.crm.jobs import schedules
    from clientela.crm.jobs.actions import enqueue_job
    from clientela.crm.loyalty import actions as loyalty
    from clientela.crm.notifications.actions import set_digest_preference
    from clientela.crm.parties.actions import create_contact, create_party
    from clientela.crm.parties.models import Party
    from clientela.crm.sales.actions import add_deal_note
    from clientela.crm.sales.models import Deal
    from clientela.crm.scoring.models import CustomerScore, ModelRun
    from clientela.crm.service.actions import add_case_note
    from clientela.crm.service.models import Case
    from clientela.crm.tasks.actions import create_task
    from clientela.demo.build import build_demo_company

    build_demo_company(customers=50, seed=7, today=TODAY)
    # The shipped words come from a data migration, which a transactional test run before
    # this one may have flushed: one word of the company's own, so the table has a row.
    from clientela.crm.vocabularies.models import VocabularyWord

    VocabularyWord.objects.get_or_create(vocabulary="tags", word="stały klient", defaults={"label": "Stały klient"})
    admin, _ = create_user(None, "dpo", role="admin", team=Team.objects.first())
    person = create_party(admin, {"ref": REF, "name": NAME, "email": EMAIL, "phone": PHONE, "city": "Toruń",
                                  "street": "ul. Lipowa 3", "postal_code": "87-100", "is_customer": True})
    product = Product.objects.order_by("pk").first()
    for number in (1, 2):
        create_order(admin, person, {"ref": f"ZLG-O-{number}", "ordered_at": T0 - dt.timedelta(days=number)},
                     [{"product_id": product.pk, "quantity": number}])
    other = Party.objects.exclude(pk=person.pk).filter(kind="person").order_by("pk").first()
    organisation = create_party(admin, {"ref": "ORG-9", "name": "Hurtownia Wisła", "kind": "organisation",
                                        "is_customer": True})
    # She is also a buyer at another organisation (same email): the same person.
    create_contact(admin, organisation, {"name": NAME, "email": EMAIL, "job_title": "Kupiec"})
    create_contact(admin, organisation, {"name": "Adam Wiśniewski", "job_title": "Dyrektor"})
    create_interaction(admin, other, {"channel": "phone", "direction": "inbound", "occurred_at": T0,
                                      "subject": "Rozmowa", "notes": " / ".join([*VARIANTS, KEPT])})
    # Rows of the tables the demo company leaves empty.
    api = api_for(admin)  # an API token
    answer = api.post("/contacts", {"party_id": organisation.pk, "name": NAME, "phone": "601 234 567"},
                      **{"Idempotency-Key": "planted-contact"})
    assert answer.status_code == 201, answer.data  # a stored response quoting her
    Group.objects.create(name="Planners")
    from clientela.crm.exports.models import ExportChunk, ExportFile
    from clientela.crm.imports.models import FileImport, SavedMapping

    FileImport.objects.create(created_by=admin, created_at=T0, file_name="klienci.csv", file_format="csv",
                              sha256="0" * 64, kind="customers", mapping={})
    SavedMapping.objects.create(signature="1" * 64, kind="customers", mapping={}, updated_at=T0)
    from clientela.crm.voice.models import Theme

    Theme.objects.create(language="pl", name="dostawa", terms=["dostawa", "kurier"])
    from clientela.crm.webhooks import actions as webhooks
    from clientela.crm.webhooks.models import DeliveryAttempt

    hook = webhooks.create_subscription(admin, name="n8n", url="https://hooks.example.com/in", event_types=["*"])
    delivery = webhooks.send_test_event(admin, hook)
    DeliveryAttempt.objects.create(delivery=delivery, number=1, started_at=T0, response_code=500, duration_ms=3,
                                   error="HTTP 500")
    export = ExportFile.objects.create(kind="customers", created_by=admin, created_at=T0, expires_at=T0)
    ExportChunk.objects.create(export=export, seq=0, data=b"")
    save_profile(admin, name="Sklep Wisła", colour="#1f4e79")
    Segment.objects.create(name="Segment", definition={"rfm_segment": ["champions"]})
    survey = feedback.create_survey(admin, name="NPS", kind="nps", question="Would you recommend us?")
    feedback.invite(admin, survey, other)
    programme = loyalty.create_programme(admin, name="Klub")
    loyalty.add_tier(admin, programme, name="Gold", threshold=100, benefits="Free delivery")
    account = loyalty.open_account(admin, other, programme)
    loyalty.earn(admin, account, 50, reason="Welcome")
    loyalty.redeem(admin, account, 10, reward="Mug")
    set_digest_preference(admin, email_digest=True, language="pl")
    add_deal_note(admin, Deal.objects.order_by("pk").first(), body="Call back")
    add_case_note(admin, Case.objects.order_by("pk").first(), body="Waiting")
    create_task(admin, title="Follow up", party=other)
    run = ModelRun.objects.create(started_at=T0, status="succeeded", is_current=True, model_name="bgnbd",
                                  observation_end=TODAY)
    CustomerScore.objects.create(run=run, party=other, p_alive=0.5, next_best_action="retain", nba_reason="x")
    schedules.tick(T0)
    _playbook_rows(admin, person)
    enqueue_job(admin, kind="schedule", params={"name": "purge-sessions", "now": T0.isoformat()}, label="Purge")
    LogEntry.objects.create(
        user=admin, content_type=ContentType.objects.get_for_model(Party), object_id=str(other.pk),
        object_repr=str(other)[:200], action_flag=CHANGE, action_time=T0,
        change_message=json.dumps([{"changed": {"fields": ["Name"]}, "note": v} for v in VARIANTS]))
    return {"admin": admin, "person": person, "other": other, "organisation": organisation}


def _playbook_rows(admin: Any, person: Any) -> None:
    """A playbook (two versions) that met the person once."""
    from clientela.crm.playbooks.actions import create_playbook, update_playbook
    from clientela.crm.playbooks.models import Firing, PlaybookRun

    definition = {"trigger": {"kind": "first_order"}, "actions": [{"kind": "tag", "tag": "welcome"}]}
    playbook = create_playbook(admin, name="Welcome", definition=definition)
    update_playbook(admin, playbook, name="Welcome back")
    met = PlaybookRun.objects.create(playbook=playbook, version=2, occasion="events:test", at=T0, matched=1)
    Firing.objects.create(playbook=playbook, run=met, version=2, party=person, group="treated", outcome="fired",
                          at=T0, results=[{"kind": "tag", "status": "done", "ref": "welcome", "note": ""}])


def _value_for(field: models.Field[Any, Any], turn: int) -> tuple[Any, str] | None:
    """A planted value for ``field`` (the variant that fits), or None when none fits."""
    for variant in sorted(VARIANTS[turn % len(VARIANTS):] + VARIANTS[:turn % len(VARIANTS)], key=len,
                          reverse=bool(field.max_length)):  # the longest that fits in a short column
        text = f"re {variant}!"
        if isinstance(field, models.JSONField):
            return [text, {"note": text}], variant
        if isinstance(field, models.BinaryField):
            if field.name == "journal":  # the import wizard's undo journal: zlib-compressed JSON
                return zlib.compress(json.dumps([{"old": {"name": text}}]).encode()), variant
            return json.dumps({"name": text}).encode("ascii"), variant
        for candidate in (text, variant):
            if field.max_length is None or len(candidate) <= field.max_length:
                return candidate, variant
    return None


def _plant_everywhere(world: dict[str, Any]) -> tuple[list[str], list[str]]:
    """One row of every scanned column gets a variant; returns (planted, too short)."""
    from clientela.crm.audit.actions import record_change
    from clientela.crm.privacy.mentions import scanned_columns

    planted, too_short = [], []
    empty = sorted({m._meta.label for m, _ in scanned_columns() if not m._base_manager.exists()})
    assert not empty, f"no rows to plant into (add them to _world): {empty}"
    for turn, (model, field) in enumerate(scanned_columns()):
        label = f"{model._meta.label}.{field.name}"
        value = _value_for(field, turn)
        if value is None:
            too_short.append(label)
            continue
        if model._meta.label == "audit.AuditEntry":
            continue  # append-only: planted through the action below
        row = model._base_manager.order_by("pk").first()
        assert row is not None, f"no {model._meta.label} row to plant into: add one to _world()"
        try:
            with transaction.atomic():
                model._base_manager.filter(pk=row.pk).update(**{field.name: value[0]})
        except IntegrityError:  # a column checked to be lower case (vocabulary words)
            model._base_manager.filter(pk=row.pk).update(**{field.name: value[0].lower()})
        planted.append(label)
    other = world["other"]
    record_change(world["admin"], action="update", entity="party", object_id=other.pk, party_id=other.pk,
                  changes={"notes": (" / ".join(VARIANTS[:6]), " / ".join(VARIANTS[6:]))})
    planted += ["audit.AuditEntry.old", "audit.AuditEntry.new"]
    return planted, too_short


def _revenue() -> tuple[Decimal, Decimal]:
    from clientela.crm.commerce.models import Order, OrderLine

    orders = Order.objects.aggregate(s=Sum("total_amount"))["s"] or Decimal(0)
    lines = sum((line.quantity * line.unit_price - line.discount for line in OrderLine.objects.all()), Decimal(0))
    return orders, lines


@pytest.mark.django_db(transaction=True)
def test_erase_leaves_no_spelling_of_the_person_in_a_dump_of_the_whole_database() -> None:
    world = _world()
    planted, too_short = _plant_everywhere(world)
    print(f"\nplanted in {len(planted)} columns; too short for any variant: {too_short}")
    shortest = min(len(v) for v in VARIANTS)
    assert all(field.max_length is not None and field.max_length < shortest
               for model, field in _columns(too_short)), too_short
    assert {"engagement.Campaign.name", "engagement.Segment.name", "feedback.Survey.name", "feedback.Survey.question",
            "commerce.Product.name", "parties.ContactPerson.job_title", "admin.LogEntry.object_repr",
            "api.IdempotencyKey.body", "engagement.Interaction.notes"} <= set(planted)
    revenue = _revenue()
    before = _traces(_dump())
    # the oracle sees every kind of variant before the erasure (so the test can fail)
    assert {"lukasiewicz", "zanet", "zanec", EMAIL} <= set(before), before
    assert any(re.fullmatch(r"\+?48601234567|601-234-567|601 234 567", hit) for hit in before), before

    result = CliRunner().invoke(main, ["gdpr", "erase", REF, "--yes", "--by", "dpo"])
    assert result.exit_code == 0, result.output

    dump = _dump()
    after = _traces(dump)
    assert after == [], [line[:2000] for line in dump.splitlines() if _traces(line)]
    assert _revenue() == revenue
    from clientela.crm.engagement.models import Interaction

    notes = Interaction.objects.get(party=world["other"], subject="Rozmowa").notes
    assert notes.endswith(KEPT) and notes.count("[erased]") == len(VARIANTS), notes


def _columns(labels: list[str]) -> list[tuple[Any, Any]]:
    from django.apps import apps

    out = []
    for label in labels:
        app_label, model_name, field_name = label.split(".")
        model = apps.get_model(app_label, model_name)
        out.append((model, model._meta.get_field(field_name)))
    return out
