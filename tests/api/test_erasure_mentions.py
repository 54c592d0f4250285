"""Issue 20, F5-F7: what GDPR erasure finds besides the person's own rows.

F5 — stored Idempotency-Key responses quoting a non-ASCII name (kept as ``\\u``-escaped
JSON) are scrubbed, and purged after their 24 h by the schedule. F6 — mentions in other
people's notes and in the audit trail, declined, unaccented, decomposed, with a
non-breaking space, in another letter case, the phone in other formats. F7 — campaign,
segment, survey and product names, survey questions, other organisations' contacts' job
titles. Namesakes and first names alone stay.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from typing import Any

import pytest
from django.utils.module_loading import import_string

from clientela.crm.engagement.actions import (
    create_campaign,
    create_interaction,
    create_segment,
    update_interaction,
)
from clientela.crm.parties.actions import create_contact, create_party
from clientela.crm.privacy.actions import erase_party

from .conftest import api_for, make_user

NAME, EMAIL, PHONE = "Żaneta Łukasiewicz-Górecka", "zaneta.lg@example.pl", "+48 601 234 567"
T0 = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)


def _person(admin: Any, name: str = NAME, phone: str = PHONE, email: str = EMAIL, ref: str = "ZLG-1") -> Any:
    return create_party(admin, {"ref": ref, "name": name, "email": email, "phone": phone, "is_customer": True})


def _other(admin: Any) -> Any:
    return create_party(admin, {"ref": "OTHER-1", "name": "Adam Nowicki", "is_customer": True})


def _note(admin: Any, party: Any, text: str) -> Any:
    return create_interaction(admin, party, {"channel": "phone", "direction": "inbound", "occurred_at": T0,
                                             "subject": "Rozmowa", "notes": text})


# -- F5 ------------------------------------------------------------------------------------
def test_a_stored_response_quoting_a_non_ascii_name_is_scrubbed_and_still_replays(teams: Any) -> None:
    from clientela.api.models import IdempotencyKey

    admin = make_user("dpo", "admin", teams[0])
    api = api_for(admin)
    person = _person(admin)
    organisation = create_party(admin, {"ref": "ORG-1", "name": "Hurtownia", "kind": "organisation"})
    body = {"party_id": organisation.pk, "name": NAME, "job_title": f"Asystentka {NAME}"}
    first = api.post("/contacts", body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    stored = bytes(IdempotencyKey.objects.get(key="k-1").body)
    assert b"\\u017b" in stored and NAME.encode() not in stored  # escaped: a byte search misses it

    erase_party(admin, person)

    row = IdempotencyKey.objects.get(key="k-1")  # kept: the key still answers exactly once
    text = json.loads(bytes(row.body))
    assert "Łukasiewicz" not in json.dumps(text, ensure_ascii=False)
    assert text["name"] == "[erased]" and text["job_title"] == "Asystentka [erased]"
    replay = api.post("/contacts", body, **{"Idempotency-Key": "k-1"})
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.data["name"] == "[erased]"


def test_the_schedule_purges_stored_responses_after_24_hours(teams: Any) -> None:
    from clientela.api.models import IdempotencyKey
    from clientela.crm.jobs.schedules import by_name

    admin = make_user("dpo", "admin", teams[0])
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    body = json.dumps({"name": NAME}).encode("ascii")
    for key, age in (("old", dt.timedelta(hours=24, minutes=1)), ("young", dt.timedelta(hours=23))):
        IdempotencyKey.objects.create(user=admin, key=key, fingerprint="f", created_at=now - age, completed=True,
                                      status=201, content_type="application/json", body=body)
    purge = import_string(by_name("purge-idempotency-keys").path)
    assert purge(now) == {"deleted": 1}
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["young"]


# -- F6 ------------------------------------------------------------------------------------
SPELLINGS = [
    "Żanetą Łukasiewicz-Górecką",
    "Żanecie Łukasiewicz-Góreckiej",
    "Zaneta Lukasiewicz-Gorecka",
    unicodedata.normalize("NFD", NAME),
    NAME.replace(" ", "\u00a0"),
    "ŻANETA ŁUKASIEWICZ-GÓRECKA",
    "żaneta łukasiewicz–górecka",  # en dash
    "Łukasiewicz-Górecka Żaneta",
    "Pani Łukasiewicz-Góreckiej",
    "+48601234567",
    "601-234-567",
    "601 234 567",
    "0048 601 234 567",
    "ZANETA.LG@EXAMPLE.PL",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_mention_in_another_persons_note_and_its_audit_trail_is_erased(teams: Any, spelling: str) -> None:
    from clientela.crm.audit.models import AuditEntry

    admin = make_user("dpo", "admin", teams[0])
    person, other = _person(admin), _other(admin)
    note = _note(admin, other, f"Dzwoniła w sprawie {spelling}. Oddzwonić.")
    update_interaction(admin, note, {"notes": f"Spotkanie: {spelling}; potem obiad."})

    erase_party(admin, person)

    note.refresh_from_db()
    assert note.notes == "Spotkanie: [erased]; potem obiad." or note.notes == "Spotkanie: Pani [erased]; potem obiad."
    trail = AuditEntry.objects.filter(entity="interaction", object_id=str(note.pk))
    texts = [t for e in trail for t in (e.old, e.new) if t]
    assert texts and all(spelling not in t for t in texts), texts
    assert any("Oddzwonić" in t for t in texts)  # the rest of the recorded text stays


@pytest.mark.parametrize("text", ["Встреча с Иваном Петровым", "ИВАНУ ПЕТРОВУ позвонить", "Петровым Иваном",
                                  unicodedata.normalize("NFD", "Ивану Петрову"), "звонить 8 (901) 234-56-78",
                                  "тел. +7 901 234 56 78"])
def test_a_russian_name_declined_and_a_russian_phone_are_erased(teams: Any, text: str) -> None:
    admin = make_user("dpo", "admin", teams[0])
    person = _person(admin, name="Иван Петров", phone="+7 901 234-56-78", email="ivan@example.ru", ref="IP-1")
    note = _note(admin, _other(admin), f"{text}.")
    erase_party(admin, person)
    note.refresh_from_db()
    assert "[erased]" in note.notes and not any(w in note.notes.lower() for w in ("петров", "ивану", "иваном", "234"))


@pytest.mark.parametrize("text", [
    "Anna Nowak i Żaneta Kowalska",          # another Żaneta
    "Górecki dostarczył towar",              # a part of a double-barrelled surname is not the surname
    "Rachunek 601 234 560",                  # another number
    "Петр Иванов",
])
def test_namesakes_first_names_and_other_numbers_stay(teams: Any, text: str) -> None:
    admin = make_user("dpo", "admin", teams[0])
    person = _person(admin)
    note = _note(admin, _other(admin), text)
    namesake = create_party(admin, {"ref": "NS-1", "name": NAME, "is_customer": True})
    erase_party(admin, person)
    note.refresh_from_db()
    namesake.refresh_from_db()
    assert note.notes == text
    assert namesake.name == NAME  # another customer with the same name is another person


# -- F7 ------------------------------------------------------------------------------------
def test_names_of_campaigns_segments_surveys_products_and_job_titles_lose_the_name(teams: Any) -> None:
    from clientela.crm.commerce.models import Product
    from clientela.crm.feedback import actions as feedback
    from clientela.crm.parties.models import ContactPerson

    admin = make_user("dpo", "admin", teams[0])
    person = _person(admin)
    campaign = create_campaign(admin, {"name": "Akcja dla Żanety Łukasiewicz-Góreckiej", "kind": "retention", "starts_on": T0.date(),
                                       "channel": "email"})
    segment = create_segment(admin, {"name": f"Klienci jak {NAME.upper()}", "definition": {}})
    survey = feedback.create_survey(admin, name=f"Ankieta {NAME}", kind="nps",
                                    question="Czy Zaneta Lukasiewicz-Gorecka poleci nas?")
    product = Product.objects.create(sku="ZLG-BOX", name="Zestaw Żanety Łukasiewicz-Góreckiej", list_price=10)
    organisation = create_party(admin, {"ref": "ORG-2", "name": "Hurtownia", "kind": "organisation"})
    assistant = create_contact(admin, organisation, {"name": "Adam Wiśniewski",
                                                     "job_title": f"Asystent {NAME}"})
    same_person = create_contact(admin, organisation, {"name": "Ż. Łukasiewicz", "email": EMAIL.upper(),
                                                       "job_title": "Kupiec"})

    erase_party(admin, person)

    for record in (campaign, segment, survey, product, assistant, same_person):
        record.refresh_from_db()
    assert campaign.name == "Akcja dla [erased]"
    assert segment.name == "Klienci jak [erased]"
    assert (survey.name, survey.question) == ("Ankieta [erased]", "Czy [erased] poleci nas?")
    assert product.name == "Zestaw [erased]"
    assert (assistant.name, assistant.job_title) == ("Adam Wiśniewski", "Asystent [erased]")
    assert same_person.email == "" and same_person.name == "Erased contact"  # her own contact record elsewhere
    assert ContactPerson.objects.filter(organisation=organisation).count() == 2


def test_a_cyrillic_name_in_json_and_in_the_admin_log_is_found_escaped_or_not(teams: Any) -> None:
    """SQLite keeps JSON columns, and the admin log keeps change messages, as \\u-escaped
    text: a Cyrillic name has no plain letters there for the database's first pass."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from clientela.crm.engagement.models import Segment

    admin = make_user("dpo", "admin", teams[0])
    person = _person(admin, name="Иван Петров", phone="", email="", ref="IP-1")
    other = _other(admin)
    segment = Segment.objects.create(name="Клиенты", definition={"note": "как ИВАН ПЕТРОВ"})
    log = LogEntry.objects.create(
        user=admin, content_type=ContentType.objects.get_for_model(other), object_id=str(other.pk),
        object_repr="Adam Nowicki", action_flag=CHANGE, action_time=T0,
        change_message=json.dumps([{"changed": {"fields": ["Name"]}, "note": "звонил Ивану Петрову"}]))

    erase_party(admin, person)

    segment.refresh_from_db()
    log.refresh_from_db()
    assert segment.definition == {"note": "как [erased]"}
    assert json.loads(log.change_message)[0]["note"] == "звонил [erased]"
    assert log.change_message.startswith('[{"changed": {"fields": ["Name"]}')  # written back as it was
