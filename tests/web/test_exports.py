"""Issue 14: the customer list and a segment export the rows the user may see, with the
fields the user may see, as formula-safe CSV (a button on the list pages)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from clientela.crm.accounts.models import Team
from clientela.crm.engagement.actions import create_segment
from clientela.crm.engagement.segments import parse_definition, segment_scores
from clientela.crm.parties.models import OUTSIDE_CUSTOMER_BASE, Party
from clientela.crm.transfer.row_export import visible_fields
from clientela.web.queries import CUSTOMER_EXPORT_FIELDS

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_customer_list_exports_the_rows_of_the_users_scope_formula_safe(make_user):
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
    manager = make_user("mona", "manager", north)
    rep = make_user("rafal", "sales_rep", north)
    Party.objects.create(ref="N1", name="=HYPERLINK(\"http://x\")", phone="600700800", team=north,
                         is_customer=True)
    Party.objects.create(ref="N2", name="Nowak", phone="+48 600", team=north, is_customer=True)
    Party.objects.create(ref="N3", name="Dostawca", team=north, is_supplier=True)  # not a customer
    Party.objects.create(ref="S1", name="Southern", team=south, is_customer=True)

    page = _client(manager).get("/customers/")
    assert b'data-testid="export-customers"' in page.content
    rows = _csv(_client(manager).get("/customers/export.csv"))
    assert [r["customer_ref"] for r in rows] == ["N1", "N2"]  # by name; the team's customers only
    assert rows[0]["name"] == "'=HYPERLINK(\"http://x\")"
    assert (rows[0]["phone"], rows[1]["phone"]) == ("'600700800", "'+48 600")
    assert "clv" in rows[0] and "net_contribution" in rows[0]
    # The page's filters apply to the export.
    assert [r["customer_ref"] for r in _csv(_client(manager).get("/customers/export.csv?q=nowak"))] == ["N2"]

    # A representative may not export: no button, 403.
    assert b'data-testid="export-customers"' not in _client(rep).get("/customers/").content
    assert _client(rep).get("/customers/export.csv").status_code == 403
    assert Client().get("/customers/export.csv").status_code == 302  # signed out: to the login page


def test_hidden_field_groups_are_left_out_once_for_every_caller(make_user):
    agent = make_user("sara", "service_agent")
    shown = {f.header for f in visible_fields(agent, CUSTOMER_EXPORT_FIELDS)}
    assert "clv" not in shown and "net_contribution" not in shown and "name" in shown
    analyst = make_user("ala", "analyst")
    assert {f.header for f in visible_fields(analyst, CUSTOMER_EXPORT_FIELDS)} >= {"clv", "net_contribution"}


def test_a_segment_exports_its_members(company, make_user):
    marketer = make_user("maja", "marketer")
    segment = create_segment(marketer, {"name": "At risk", "definition": {"ladder_stages": ["customer", "client"]}})
    rows = _csv(_client(marketer).get(f"/segments/{segment.pk}/export.csv"))
    expected = set(segment_scores(marketer, parse_definition(segment.definition), company["run"])
                   .values_list("party__ref", flat=True))
    assert rows and {r["customer_ref"] for r in rows} == expected
    assert {r["ladder_stage"] for r in rows} <= {"customer", "client"}
    assert not Party.objects.filter(OUTSIDE_CUSTOMER_BASE, ref__in=[r["customer_ref"] for r in rows]).exists()
    assert b'data-testid="segment-export"' in _client(marketer).get(f"/segments/{segment.pk}/").content
    assert _client(marketer).get("/segments/999999/export.csv").status_code == 404
