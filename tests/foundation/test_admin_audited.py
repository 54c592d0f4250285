"""The admin never writes around an action (issue 12 item 6).

Every registered ``ModelAdmin`` is walked — a newly registered one is covered without
touching this file (the world below must hold a sample of its model, or the test says
so). As an administrator, the test posts what a browser would post: the add form (filled
from a sample's change form, unique texts made new), the change form with a text
changed, the delete confirmation and the changelist's bulk delete. After each request
every row of every model is compared with before: each row that appeared, changed or
disappeared must have an audit entry by the acting user naming it. Refused requests
(403, a read-only page) pass because they change nothing. A probe site with a plain
``ModelAdmin`` shows the check catches an unaudited write.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db.models import Model
from django.test import Client, override_settings
from django.urls import path

from clientela.crm.accounts.actions import create_user
from clientela.crm.accounts.models import Team, User
from clientela.crm.audit.models import AuditEntry
from clientela.crm.branding.actions import save_profile
from clientela.crm.commerce.actions import create_order
from clientela.crm.commerce.models import ExchangeRate, Product
from clientela.crm.engagement import actions as engagement
from clientela.crm.engagement.models import CampaignMember
from clientela.crm.feedback import actions as feedback
from clientela.crm.loyalty import actions as loyalty
from clientela.crm.parties.models import Consent, ContactPerson, Party
from clientela.crm.sales import actions as sales
from clientela.crm.scoring.models import CustomerScore, ModelRun
from clientela.crm.service import actions as service
from clientela.crm.tasks import actions as tasks
from clientela.crm.vocabularies.models import VocabularyWord
from clientela.demo.models import CustomerTruth, DemoFact, PlantedTrait

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
# Audit entity names that differ from the model's name in snake case.
ENTITY = {"ContactPerson": "contact", "PointsEntry": "loyalty_entry"}
# Bookkeeping the admin and Django write for themselves, not records.
UNWATCHED = {"admin.LogEntry", "audit.AuditEntry", "sessions.Session", "contenttypes.ContentType",
             "auth.Permission"}


def _plant() -> User:
    """One record of every kind the admin shows; returns the acting administrator."""
    root, _ = create_user(None, "root", role="admin", password="pw-root-1")
    team = Team.objects.create(name="North")
    rep, _ = create_user(None, "rep", role="sales_rep", password="pw-rep-1", team=team)
    product = Product.objects.create(sku="SKU-1", name="Widget", list_price=Decimal("10"), unit_cost=Decimal("4"))
    ExchangeRate.objects.create(date=T0.date(), currency="EUR", rate=Decimal("4.3"))
    VocabularyWord.objects.create(vocabulary="tags", word="vip", label="VIP")
    party = Party.objects.create(ref="P-1", name="Anna Nowak", email="anna@example.com", owner=rep, team=team)
    friend = Party.objects.create(ref="P-2", name="Jan Lis", owner=rep, team=team)
    ContactPerson.objects.create(organisation=party, name="Ewa Kruk")
    Consent.objects.create(party=party, purpose="marketing", channel="email", given_at=T0)
    order = create_order(None, party, {"ref": "O-1", "ordered_at": T0}, [{"product_id": product.pk, "quantity": 2}])
    engagement.create_interaction(None, party, {"channel": "phone", "direction": "inbound", "occurred_at": T0,
                                                "subject": "Call"})
    campaign = engagement.create_campaign(None, {"name": "Spring", "kind": "retention", "channel": "email",
                                                 "starts_on": T0.date()})
    CampaignMember.objects.create(campaign=campaign, party=party, converting_order=order)
    from clientela.crm.experiments.assignment import assign, experiment_for
    from clientela.crm.playbooks.models import ActionCosts

    ActionCosts.objects.create(pk=1)

    assign(experiment_for("campaign", campaign.pk, user=None, name="Spring", seed=1), [party.pk], at=T0)
    engagement.create_segment(None, {"name": "Best", "definition": {}})
    pipeline = sales.create_pipeline(None, "Sales", [sales.StageSpec("Lead", Decimal("0.1")),
                                               sales.StageSpec("Won", Decimal("1"), is_won=True)])
    deal = sales.create_deal(None, party=party, name="Big one", pipeline=pipeline, amount="100", owner=rep)
    sales.move_deal(root, deal, pipeline.stages.get(name="Won"), reason="signed")
    case = service.open_case(None, party=party, subject="Broken", owner=rep)
    tasks.create_task(None, title="Call back", party=party, assignee=rep)
    survey = feedback.create_survey(None, name="NPS", kind="nps", question="Recommend us?")
    feedback.invite(None, survey, friend)
    feedback.record_response(None, survey=survey, score=9, party=party)
    programme = loyalty.create_programme(None, name="Club", referral_points=10)
    loyalty.add_tier(None, programme, name="Gold", threshold=100)
    account = loyalty.open_account(None, party, programme)
    loyalty.earn(None, account, 50, reason="welcome")
    loyalty.redeem(None, account, 10, reward="Mug")
    loyalty.record_referral(None, programme, referrer=party, referred=friend)
    run = ModelRun.objects.create(started_at=T0, status="succeeded", is_current=True)
    CustomerScore.objects.create(run=run, party=party, clv=Decimal("10"))
    apps.get_model("notifications", "DigestPreference").objects.create(user=rep)
    DemoFact.objects.create(key="seed", value=1)
    from clientela.crm.jobs.actions import enqueue_job

    enqueue_job(root, kind="scoring.run", params={}, label="Nightly scoring")  # a Job and its queue row
    PlantedTrait.objects.create(party=party, trait=PlantedTrait._meta.get_field("trait").choices[0][0])
    CustomerTruth.objects.create(party=party, purchase_rate_per_day=0.1, dropout_probability=0.1, alive_at_end=True,
                                 mean_order_value=10.0, orders=1, revenue=1, cost_of_goods=1, cost_to_serve=0,
                                 net_contribution=0)
    assert case.pk
    save_profile(root, name="Sklep Nowak", colour="#123456")
    return root


def _watched() -> list[type[Model]]:
    return [m for m in apps.get_models() if m._meta.label not in UNWATCHED]


def _snapshot() -> dict[tuple[str, Any], tuple[Any, ...]]:
    rows = {}
    for model in _watched():
        names = [f.attname for f in model._meta.concrete_fields]
        for values in model._default_manager.values_list(*names):
            rows[(model._meta.label, values[0] if names[0] == model._meta.pk.attname else values)] = values
    return rows


def _entity(label: str) -> str:
    name = label.split(".")[1]
    return ENTITY.get(name, re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower())


def _unaudited(before: dict[Any, Any], after: dict[Any, Any], actor: User, since: int) -> list[str]:
    """Rows that appeared, changed or disappeared without an audit entry by ``actor``."""
    touched = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    trail = set(AuditEntry.objects.filter(id__gt=since, actor_id=actor.pk).values_list("entity", "object_id"))
    return sorted(f"{label}#{pk}" for label, pk in touched if (_entity(label), str(pk)) not in trail)


class FormReader(HTMLParser):
    """The fields a browser would submit from the admin's main form."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.kinds: dict[str, str] = {}
        self._in_form = False
        self._select: tuple[str, list[tuple[str, bool]], bool] | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or ("disabled" in a and tag != "option"):
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind in ("checkbox", "radio") else "")))
            self.kinds[name] = kind
        elif tag == "select" and name:
            self._select = (name, [], "multiple" in a)
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            name, options, multiple = self._select
            chosen = [v for v, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]
            self.fields.extend((name, v) for v in chosen)
            self.kinds[name] = "select"
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self.kinds[self._textarea] = "textarea"
            self._textarea = None


def _read_form(client: Client, url: str) -> FormReader | None:
    response = client.get(url)
    if response.status_code != 200:
        return None
    reader = FormReader()
    reader.feed(response.content.decode())
    return reader


def _as_data(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def _text_fields(model: type[Model], reader: FormReader, *, unique: bool) -> Iterator[str]:
    for name, kind in reader.kinds.items():
        if kind not in ("text", "email", "textarea"):
            continue
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: S112 - a form field that is not a model field
            continue
        if getattr(field, "choices", None) or field.get_internal_type() not in ("CharField", "TextField", "EmailField"):
            continue
        if not unique or field.unique:
            yield name


def _post(client: Client, url: str, data: dict[str, Any], actor: User) -> list[str]:
    since = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    before = _snapshot()
    response = client.post(url, data)
    assert response.status_code < 500, (url, response.status_code)
    if response.status_code == 200 and b"errornote" in response.content:
        print(url, "refused:", re.findall(r'errorlist[^>]*>(.*?)</ul>', response.content.decode(), re.S)[:3])
    return _unaudited(before, _snapshot(), actor, since)


def _walk(site: admin.AdminSite, model: type[Model], actor: User) -> dict[str, list[str]]:
    """Post add, change, delete and bulk delete of ``model`` on ``site``; the unaudited
    rows each left. Fails when the world has no sample of the model."""
    client = Client()
    client.force_login(actor)
    sample = model._default_manager.order_by("pk").last()
    assert sample is not None, f"plant a {model._meta.label} in _plant(): the admin shows it"
    info = f"{site.name}:{model._meta.app_label}_{model._meta.model_name}"
    from django.urls import reverse

    found: dict[str, list[str]] = {}
    change_url = reverse(f"{info}_change", args=[sample.pk])
    change = _read_form(client, change_url)
    if change is not None:
        add = _read_form(client, reverse(f"{info}_add"))
        if add is not None:
            # The record's own fields from the sample; inline rows as the add page has them.
            own = {n for n in add.kinds if "-" not in n}
            data = _as_data([(n, v) for n, v in change.fields if n in own] +
                            [(n, v) for n, v in add.fields if n not in own or n not in change.kinds])
            for name in _text_fields(model, add, unique=True):
                data[name] = ["x" + data[name][0]]
            for name in ("password1", "password2"):
                if name in add.kinds:
                    data[name] = ["A-long-new-passw0rd"]
            data["_save"] = ["Save"]
            found["add"] = _post(client, reverse(f"{info}_add"), data, actor)
        data = _as_data(change.fields)
        unique = list(_text_fields(model, change, unique=True))
        plain = [n for n in _text_fields(model, change, unique=False) if n not in unique]
        if plain:
            data[plain[0]] = [data[plain[0]][0][:20] + " (changed)"]
        elif unique:
            data[unique[0]] = [data[unique[0]][0] + "x"]
        data["_save"] = ["Save"]
        found["change"] = _post(client, change_url, data, actor)
    found["delete"] = _post(client, reverse(f"{info}_delete", args=[sample.pk]), {"post": "yes"}, actor)
    rest = model._default_manager.order_by("pk").first()
    if rest is not None:
        found["bulk delete"] = _post(client, reverse(f"{info}_changelist"), {
            "action": "delete_selected", "_selected_action": [str(rest.pk)], "post": "yes"}, actor)
    return found


REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", REGISTERED, ids=[m._meta.label for m in REGISTERED])
def test_admin_writes_only_with_an_audit_entry(model: type[Model]) -> None:
    actor = _plant()
    found = _walk(admin.site, model, actor)
    assert {step: rows for step, rows in found.items() if rows} == {}


@pytest.mark.parametrize("label", ["sales.Pipeline", "accounts.Team", "commerce.Product", "accounts.User"])
def test_configuration_is_editable_and_audited(label: str) -> None:
    """Configuration stays editable: the change form saves, and the trail names the admin."""
    actor = _plant()
    model = apps.get_model(label)
    since = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    _walk(admin.site, model, actor)
    entries = AuditEntry.objects.filter(id__gt=since, actor_id=actor.pk)
    assert entries.filter(action="update").exists(), label
    assert entries.filter(action="create").exists(), label


def test_records_are_read_only_in_the_admin() -> None:
    actor = _plant()
    client = Client()
    client.force_login(actor)
    party = Party.objects.get(ref="P-1")
    assert client.get(f"/admin/parties/party/{party.pk}/change/").status_code == 200
    assert client.post(f"/admin/parties/party/{party.pk}/change/", {"name": "Changed"}).status_code == 403
    assert client.get("/admin/parties/party/add/").status_code == 403
    assert client.post(f"/admin/parties/party/{party.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Party.objects.get(pk=party.pk).name == "Anna Nowak"


def test_the_walk_catches_an_unaudited_admin() -> None:
    """A plain ModelAdmin (as every admin was before issue 12) is reported."""
    probe = admin.AdminSite(name="probe")
    probe.register(Team)
    urls = ModuleType("probe_urls")
    urls.urlpatterns = [path("probe/", probe.urls)]  # type: ignore[attr-defined]
    actor = _plant()
    with override_settings(ROOT_URLCONF=urls):
        found = _walk(probe, Team, actor)
    assert found["change"] and found["add"] and found["delete"], found
    assert LogEntry.objects.exists()  # the admin's own log is not an audit trail
