"""The public pages a customer reaches from a mail — survey answer, thank-you, unsubscribe —
speak the customer's language (the party's, else the browser's) and carry the company's
name, logo and colour (issue 16, item 1)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from django.test import Client

from clientela.crm.accounts.actions import create_user
from clientela.crm.audit.models import AuditEntry
from clientela.crm.branding.actions import BrandingError, save_profile
from clientela.crm.engagement import unsubscribe as unsubscribe_tokens
from clientela.crm.feedback import actions as feedback
from clientela.crm.parties.actions import create_party
from clientela.crm.parties.models import Party

pytestmark = pytest.mark.django_db

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def _party(ref: str, language: str) -> Party:
    return create_party(None, {"ref": ref, "name": f"Klient {ref}", "kind": "person", "language": language})


def _survey_path(party: Party, kind: str = "nps") -> str:
    survey = feedback.create_survey(None, name=f"Survey {party.ref}", kind=kind, question="?")
    invitation = feedback.invite(None, survey, party)
    return f"/s/{feedback.invitation_token(invitation)}/"


def _text(page: bytes) -> str:
    return re.sub(r"\s+", " ", page.decode())


@pytest.mark.parametrize(("language", "browser", "expect", "html_lang"), [
    ("pl", "en", "Twoja ocena", "pl"),            # the party's language wins over the browser's
    ("ru", "pl", "Ваша оценка", "ru"),
    ("", "ru", "Ваша оценка", "ru"),              # none stored: the browser's
    ("de", "pl", "Twoja ocena", "pl"),            # one the app does not speak: the browser's
    ("", "en", "Your score", "en"),
])
def test_the_survey_page_speaks_the_customers_language(language: str, browser: str, expect: str,
                                                       html_lang: str) -> None:
    path = _survey_path(_party(f"L-{language or 'none'}-{browser}", language))
    page = Client(HTTP_ACCEPT_LANGUAGE=browser).get(path)
    assert page.status_code == 200
    assert expect in page.content.decode()
    assert f'<html lang="{html_lang}">' in page.content.decode()
    assert page["Content-Language"] == html_lang


def test_the_whole_answer_flow_in_polish() -> None:
    path = _survey_path(_party("PL-1", "pl"))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.get(path)
    bad = client.post(path, {"score": "11"})
    assert bad.status_code == 422 and "Wybierz ocenę od 0 do 10." in bad.content.decode()
    assert "zdecydowanie nie" in bad.content.decode()  # the scale's ends
    done = client.post(path, {"score": "9"})
    assert "Dziękujemy" in done.content.decode() and "Twoja odpowiedź została zapisana." in done.content.decode()
    again = client.get(path)
    assert "Już odpowiedziano" in again.content.decode()


def test_a_csat_survey_names_its_own_scale_ends() -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="ru").get(_survey_path(_party("RU-C", "ru"), kind="csat"))
    assert "очень недоволен" in page.content.decode() and "очень доволен" in page.content.decode()


def test_unsubscribe_pages_in_the_customers_language() -> None:
    party = _party("RU-U", "ru")
    path = f"/u/{unsubscribe_tokens.make(party.pk, 'marketing', 'email')}/"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    ask = _text(client.get(path).content)
    assert "Больше не получать маркетинговые сообщения по электронной почте?" in ask
    done = _text(client.post(path).content)
    assert "Вы отписались" in done
    assert "Вы больше не будете получать маркетинговые сообщения по электронной почте." in done
    polish = _party("PL-U", "pl")
    ask = _text(Client().get(f"/u/{unsubscribe_tokens.make(polish.pk, 'newsletter', 'sms')}/").content)
    assert "Nie chcesz już otrzymywać newslettera SMS-em?" in ask


def test_the_company_name_logo_and_colour_are_shown() -> None:
    path = _survey_path(_party("BR-1", "en"))
    assert 'data-testid="brand"' not in Client().get(path).content.decode()  # nothing set: no header
    assert Client().get("/brand/logo/").status_code == 404

    admin, _ = create_user(None, "brand-admin", role="admin")
    save_profile(admin, name="Sklep <Nowak>", colour="#AA3300", logo=PNG)
    page = Client().get(path).content.decode()
    assert 'data-testid="brand"' in page and "Sklep &lt;Nowak&gt;" in page
    assert "--accent: #aa3300" in page
    assert re.search(r'<img src="/brand/logo/\?v=[0-9a-f]{12}"', page)

    logo = Client().get("/brand/logo/")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png" and logo.content == PNG
    assert logo["X-Content-Type-Options"] == "nosniff"
    assert Client().get("/brand/logo/", HTTP_IF_NONE_MATCH=logo["ETag"]).status_code == 304

    entries = AuditEntry.objects.filter(entity="company_profile")
    assert set(entries.values_list("field", flat=True)) == {"name", "colour", "logo_sha256"}
    assert set(entries.values_list("actor_id", flat=True)) == {admin.pk}
    # the logo's hash is recorded, never its bytes
    assert entries.get(field="logo_sha256").new == hashlib.sha256(PNG).hexdigest()


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"colour": "red"}, "colour"),
    ({"colour": "#12345"}, "colour"),
    ({"logo": b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"}, "logo"),
    ({"logo": PNG + b"\0" * (256 * 1024)}, "logo"),
    ({"name": "x" * 201}, "name"),
])
def test_a_bad_profile_is_refused_naming_the_field(kwargs: dict, field: str) -> None:  # type: ignore[type-arg]
    values = {"name": "Firma", "colour": "#123456", **kwargs}
    with pytest.raises(BrandingError) as raised:
        save_profile(None, **values)
    assert raised.value.field == field
    assert not AuditEntry.objects.filter(entity="company_profile").exists()
    assert Client().get("/brand/logo/").status_code == 404


def test_the_admin_form_takes_a_logo_and_refuses_an_svg() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin, _ = create_user(None, "brand-admin2", role="admin")
    client = Client()
    client.force_login(admin)
    refused = client.post("/admin/branding/companyprofile/add/", {
        "name": "Firma", "colour": "#123456",
        "logo_file": SimpleUploadedFile("logo.svg", b"<svg></svg>", content_type="image/svg+xml")})
    assert refused.status_code == 200 and "give a PNG, JPEG, GIF or WebP image" in refused.content.decode()
    saved = client.post("/admin/branding/companyprofile/add/", {
        "name": "Firma", "colour": "#123456",
        "logo_file": SimpleUploadedFile("logo.png", PNG, content_type="image/png")})
    assert saved.status_code == 302
    assert Client().get("/brand/logo/").content == PNG
