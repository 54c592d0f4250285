"""GDPR export and erasure: the person is gone from every text column, revenue stays."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from click.testing import CliRunner
from django.apps import apps
from django.db import connection, models
from django.db.models import Sum

from clientela.cli.main import main
from clientela.crm.commerce.models import Order
from clientela.crm.engagement.actions import create_interaction
from clientela.crm.parties.actions import create_party, record_consent, update_party
from jobs_in_process import run_jobs

from .conftest import api_for, make_user

NAME, EMAIL, PHONE = "Zofia Wielgomska", "zofia.wielgomska@example.org", "+48 601 555 777"


def _person(admin: Any) -> Any:
    party = create_party(admin, {"ref": "GDPR-1", "name": NAME, "email": EMAIL, "phone": PHONE,
                                 "city": "Toruń", "is_customer": True})
    party = update_party(admin, party, expected_version=1, changes={"phone": PHONE + " ext"})
    party = update_party(admin, party, expected_version=2, changes={"phone": PHONE})
    record_consent(admin, party, {"purpose": "marketing", "channel": "email",
                                  "given_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC), "source": f"form by {NAME}"})
    create_interaction(admin, party, {"channel": "phone", "direction": "inbound",
                                      "occurred_at": dt.datetime(2025, 2, 1, tzinfo=dt.UTC),
                                      "subject": f"Call from {NAME}", "notes": f"Reach {EMAIL} or {PHONE}"})
    return party


def _text_hits(needles: list[str]) -> list[str]:
    """Every (table, column) whose text contains a needle, over every model's table."""
    hits = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.CharField | models.TextField | models.JSONField | models.EmailField):
                    continue
                column = connection.ops.quote_name(field.column)
                for needle in needles:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "  # noqa: S608
                        f"WHERE CAST({column} AS TEXT) LIKE %s", [f"%{needle}%"])
                    if cursor.fetchone()[0]:
                        hits.append(f"{table}.{field.column} ~ {needle!r}")
    return hits


def _revenue() -> Decimal:
    return Order.objects.aggregate(s=Sum("total_amount"))["s"] or Decimal("0")


def test_erase_through_the_api_leaves_no_trace_and_keeps_revenue(teams: Any) -> None:
    admin = make_user("dpo", "admin", teams[0])
    api = api_for(admin)
    party = _person(admin)
    product = api.post("/products", {"sku": "G-1", "name": "Gift", "list_price": "99.90"}).data
    order = api.post("/orders", {"ref": "G-O-1", "party_id": party.pk, "ordered_at": "2025-03-01T10:00:00Z",
                                 "lines": [{"product_id": product["id"], "quantity": 3}]},
                     **{"Idempotency-Key": "gdpr-order"})
    assert order.status_code == 201
    # a stored idempotent response quoting the person
    assert api.post("/contacts", {"party_id": party.pk, "name": NAME, "email": EMAIL},
                    **{"Idempotency-Key": "k1"}).status_code == 201
    revenue = _revenue()
    assert revenue == Decimal("299.70")
    assert _text_hits([NAME, EMAIL, PHONE])  # the search can find them before

    exported = api.get(f"/parties/{party.pk}/personal-data")
    assert exported.status_code == 200
    sections = exported.data["sections"]
    assert sections["party"][0]["email"] == EMAIL
    assert len(sections["orders"]) == 1 and len(sections["orders"][0]["lines"]) == 1
    assert sections["interactions"] and sections["consents"] and sections["contacts"]
    assert any(e["field"] == "phone" for e in sections["audit_entries"])

    erased = api.post(f"/parties/{party.pk}/erasure", None)
    assert erased.status_code == 202, erased.data  # queued as a job
    location = erased["Location"]
    assert location == f"/api/v1/jobs/{erased.data['id']}" and erased.data["kind"] == "privacy.erase"
    assert api.post(f"/parties/{party.pk}/erasure", None).data["id"] == erased.data["id"]  # one erasure queued
    assert api.get(location).data["status"] == "queued" and _text_hits([NAME])  # not erased yet
    run_jobs()
    done = api.get(location)
    assert done.status_code == 200 and done.data["status"] == "succeeded", done.data
    assert done.data["result"]["party_id"] == party.pk and done.data["result"]["rows"]["party"] == 1

    assert _text_hits([NAME, EMAIL, PHONE]) == []
    assert _revenue() == revenue
    assert Order.objects.filter(party_id=party.pk).count() == 1
    trail = api.get(f"/audit-entries?party_id={party.pk}&limit=200").data["items"]
    assert {"create", "update", "export", "erase"} <= {e["action"] for e in trail}


def test_erase_redacts_mentions_in_other_peoples_records(teams: Any) -> None:
    from clientela.crm.audit.models import AuditEntry
    from clientela.crm.engagement.actions import update_interaction
    from clientela.crm.engagement.models import Interaction

    admin = make_user("dpo3", "admin", teams[0])
    party = _person(admin)
    other = create_party(admin, {"ref": "OTHER-1", "name": "Adam Nowicki", "email": "adam@example.org",
                                 "is_customer": True})
    namesake = create_party(admin, {"ref": "OTHER-2", "name": NAME, "is_customer": True})
    note = create_interaction(admin, other, {
        "channel": "meeting", "direction": "outbound", "occurred_at": dt.datetime(2025, 2, 2, tzinfo=dt.UTC),
        "subject": "Fair", "notes": f"Came with {NAME.upper()}; write to {EMAIL.title()} later."})
    update_interaction(admin, note, {"notes": f"Came with {NAME}; call {PHONE}."})

    counts = erase_party_now(admin, party)

    note.refresh_from_db()
    assert note.notes == "Came with [erased]; call [erased]."
    assert note.subject == "Fair"
    for entry in AuditEntry.objects.filter(entity="interaction", object_id=str(note.pk)):
        for text in (entry.old or "", entry.new or ""):
            assert NAME.lower() not in text.lower() and PHONE not in text and EMAIL not in text.lower()
    assert counts["mentions"] >= 2
    # Another customer who happens to share the name keeps it: that is another person.
    namesake.refresh_from_db()
    assert namesake.name == NAME
    other.refresh_from_db()
    assert other.name == "Adam Nowicki"
    assert Interaction.objects.filter(party=other).count() == 1


def erase_party_now(actor: Any, party: Any) -> dict[str, int]:
    from clientela.crm.privacy.actions import erase_party

    return erase_party(actor, party)


def test_every_text_field_is_classified_for_erasure() -> None:
    """A new free-text field must join mentions.FREE_TEXT (or NOT_FREE_TEXT) to ship."""
    from clientela.crm.privacy.mentions import FREE_TEXT, NOT_FREE_TEXT

    unclassified = []
    for model in apps.get_models():
        if not model.__module__.startswith("clientela."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.TextField):
                dotted = f"{model._meta.app_label}.{model.__name__}.{field.name}"
                if dotted not in FREE_TEXT and dotted not in NOT_FREE_TEXT:
                    unclassified.append(dotted)
    assert unclassified == []
    for dotted in FREE_TEXT + NOT_FREE_TEXT:
        app_label, model_name, field_name = dotted.split(".")
        apps.get_model(app_label, model_name)._meta.get_field(field_name)  # raises if renamed


def test_cli_export_and_erase(teams: Any, tmp_path: Any) -> None:
    admin = make_user("dpo2", "admin", teams[0])
    party = _person(admin)
    runner = CliRunner()
    out = tmp_path / "export.json"
    result = runner.invoke(main, ["gdpr", "export", "GDPR-1", "--output", str(out), "--by", "dpo2"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["sections"]["party"][0]["name"] == NAME
    result = runner.invoke(main, ["gdpr", "erase", "GDPR-1", "--yes"])
    assert result.exit_code == 0, result.output
    party.refresh_from_db()
    assert party.name != NAME and party.email == "" and party.phone == ""
    assert _text_hits([NAME, EMAIL, PHONE]) == []
    assert runner.invoke(main, ["gdpr", "erase", "NOPE", "--yes"]).exit_code != 0


def test_non_admin_cannot_export_or_erase(teams: Any) -> None:
    admin = make_user("boss", "admin", teams[0])
    party = _person(admin)
    manager = api_for(make_user("mgr", "manager", teams[0]))
    party.team = teams[0]
    party.save()
    assert manager.get(f"/parties/{party.pk}/personal-data").status_code == 403
    assert manager.post(f"/parties/{party.pk}/erasure", None).status_code == 403
    party.refresh_from_db()
    assert party.name == NAME


def test_the_party_page_queues_the_erasure_as_a_job(teams: Any) -> None:
    from django.test import Client

    from clientela.crm.jobs.models import Job

    admin = make_user("dpo4", "admin", teams[0])
    party = _person(admin)
    page = Client()
    page.force_login(admin)
    assert 'data-testid="erase-panel"' in page.get(f"/customers/{party.pk}/").content.decode()
    unconfirmed = page.post(f"/customers/{party.pk}/erase/")
    assert unconfirmed.status_code == 302 and not Job.objects.exists()
    queued = page.post(f"/customers/{party.pk}/erase/", {"confirm": "yes"})
    job = Job.objects.get(kind="privacy.erase")
    assert queued.status_code == 302 and queued["Location"].endswith(f"?erasure={job.pk}")
    assert 'data-testid="erasure-queued"' in page.get(queued["Location"]).content.decode()
    assert _text_hits([NAME])  # queued, not yet done
    run_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded" and job.created_by == admin
    assert _text_hits([NAME, EMAIL, PHONE]) == []
    manager = Client()
    manager.force_login(make_user("boss4", "manager", teams[0]))
    assert 'data-testid="erase-panel"' not in manager.get(f"/customers/{party.pk}/").content.decode()
    assert manager.post(f"/customers/{party.pk}/erase/", {"confirm": "yes"}).status_code == 403
