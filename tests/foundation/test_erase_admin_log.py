"""Issue 20, F4: GDPR erasure also scrubs the Django admin's log.

The admin log (``django_admin_log``) quotes each edited object's name in ``object_repr``
and inline rows' names in ``change_message``. Records were edited in the admin before
issue 12 made them read-only, so the log holds such rows; after ``clientela gdpr erase``
none of them may keep the person's name or ref, while the rows themselves stay.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from clientela.cli.main import main
from clientela.crm.accounts.actions import create_user
from clientela.crm.accounts.models import Team
from clientela.crm.commerce.actions import create_order
from clientela.crm.commerce.models import Product
from clientela.crm.parties.models import ContactPerson, Party

pytestmark = pytest.mark.django_db

NAME, REF, CONTACT = "Żaneta Łukasiewicz", "CUST-0042", "Bożydar Wróblewski"


def _log(user: object, record: Model, message: object) -> None:
    """A log row as the admin writes one on a change."""
    LogEntry.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk),
        object_repr=str(record)[:200], action_flag=CHANGE, change_message=json.dumps(message),
        action_time=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
    )


def test_erase_scrubs_the_admin_log() -> None:
    admin, _ = create_user(None, "dpo", role="admin")
    party = Party.objects.create(ref=REF, name=NAME, email="zaneta@example.org", is_customer=True)
    contact = ContactPerson.objects.create(organisation=party, name=CONTACT)
    product = Product.objects.create(sku="SKU-1", name="Widget", list_price=Decimal("10"))
    order = create_order(None, party, {"ref": "O-1", "ordered_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
                         [{"product_id": product.pk, "quantity": 1}])
    _log(admin, party, [{"changed": {"fields": ["Phone"]}},
                        {"added": {"name": "contact person", "object": CONTACT}}])
    _log(admin, contact, [{"changed": {"fields": ["Job title"]}}])
    _log(admin, order, [{"changed": {"fields": ["Status"]}, "note": f"for {NAME}"}])
    team = Team.objects.create(name=f"Key account of {NAME}"[:120])  # another record quoting the name
    _log(admin, team, [{"changed": {"fields": ["Name"]}}])
    rows = LogEntry.objects.count()

    result = CliRunner().invoke(main, ["gdpr", "erase", REF, "--yes", "--by", "dpo"])
    assert result.exit_code == 0, result.output

    assert LogEntry.objects.count() == rows
    for entry in LogEntry.objects.all():
        text = f"{entry.object_repr} {entry.change_message}"
        for needle in (NAME, REF, CONTACT):
            assert needle not in text, (entry.content_type, text)
    party_entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(Party), object_id=str(party.pk))
    assert party_entry.object_repr == "[erased]"


def test_export_includes_the_admin_log() -> None:
    from clientela.crm.privacy.actions import export_party

    admin, _ = create_user(None, "dpo", role="admin")
    party = Party.objects.create(ref=REF, name=NAME, is_customer=True)
    _log(admin, party, [{"changed": {"fields": ["Phone"]}}])
    sections = export_party(admin, party)["sections"]
    assert [row["object_repr"] for row in sections["admin_log"]] == [f"{NAME} ({REF})"]
