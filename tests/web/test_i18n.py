"""Every visible string of the main pages is translated into Polish and Russian.

Each page is rendered in English and in the other language from the same data. A text
node (or a ``placeholder``/``aria-label``/``title`` attribute) with letters in it that is
the same in both renders is untranslated — unless it is one of the catalogue's own
translations (``Partner`` is Polish too) or sits inside ``translate="no"`` (names,
emails, notes: data). Codes such as ``PLN`` or ``R5`` are not words to translate.
The catalogues must be complete and their compiled ``.mo`` up to date.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from clientela.crm.scoring.models import CustomerScore

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parents[2] / "src" / "clientela" / "web" / "locale"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIP = {"script", "style", "pre"}
LETTER = re.compile(r"[^\W\d_]")
CODES = re.compile(r"\b[A-Z]{1,5}\d*\b")  # currency codes, R5 F5 M5, ISO country codes


class VisibleText(HTMLParser):
    """Text nodes and labelling attributes outside ``translate="no"``, script and style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # True where translation is off
        self.texts: list[str] = []

    def _off(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        off = self._off() or a.get("translate") == "no" or tag in SKIP
        if not off:
            for name in ("placeholder", "aria-label", "title"):
                if a.get(name):
                    self.texts.append(str(a[name]))
        if tag not in VOID:
            self.stack.append(off)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._off():
            text = " ".join(data.split())
            if text:
                self.texts.append(text)


def visible(html: str) -> list[str]:
    html = re.sub(r"<title>.*?</title>", "", html, count=1, flags=re.S)  # the tab title may be a name
    parser = VisibleText()
    parser.feed(html)
    return parser.texts


def catalogue(lang: str) -> dict[str, str]:
    with (LOCALE / lang / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


def untranslated(english: str, other: str, translations: set[str]) -> list[str]:
    """Strings of ``other`` left as they are in ``english``."""
    same = set(visible(english))
    found = []
    for text in visible(other):
        if text not in same or text in translations:
            continue
        if not LETTER.search(CODES.sub("", text)):
            continue
        found.append(text)
    return sorted(set(found))


def test_the_checker_finds_an_untranslated_string() -> None:
    en = "<p>Customers</p><p translate='no'>Jan Kowalski</p><p>2 PLN</p><input placeholder='Search'>"
    pl = "<p>Klienci</p><p translate='no'>Jan Kowalski</p><p>2 PLN</p><input placeholder='Search'>"
    assert untranslated(en, pl, set()) == ["Search"]
    assert untranslated(en, en.replace("Search", "Szukaj"), set()) == ["Customers"]


def _po_entries(lang: str) -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) of each entry of the .po file (a small reader); an entry
    with a context has the compiled catalogue's key, ``context\x04msgid``."""
    entries, msgid, strs, fuzzy, field, context = [], None, [], False, None, None
    text = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for line in text.splitlines() + [""]:
        if not line.strip():
            if msgid is not None:
                entries.append((f"{context}\x04{msgid}" if context else msgid, strs, fuzzy))
            msgid, strs, fuzzy, field, context = None, [], False, None, None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgctxt "):
            context = line[9:-1]
        elif line.startswith("msgid "):
            msgid, field = line[7:-1], "id"
        elif line.startswith("msgid_plural "):
            field = "plural"
        elif line.startswith("msgstr"):
            strs.append(line.split(" ", 1)[1][1:-1])
            field = "str"
        elif line.startswith('"'):
            if field == "id":
                msgid += line[1:-1]
            elif field == "str":
                strs[-1] += line[1:-1]
    return [e for e in entries if e[0]]


@pytest.mark.parametrize("lang", ["pl", "ru"])
def test_catalogue_is_complete_and_compiled(lang: str) -> None:
    entries = _po_entries(lang)
    assert len(entries) > 150
    empty = [msgid for msgid, strs, _f in entries if not strs or not all(strs)]
    fuzzy = [msgid for msgid, _s, f in entries if f]
    assert not empty, f"{lang}: no translation for {empty}"
    assert not fuzzy, f"{lang}: fuzzy entries {fuzzy}"
    compiled = catalogue(lang)
    stale = [m for m, _s, _f in entries if m.replace('\\"', '"').replace("\\n", "\n") not in compiled
             and (m, 0) not in compiled]
    assert not stale, f"{lang}: django.mo is older than django.po (run compilemessages): {stale[:5]}"


@pytest.mark.parametrize("lang", ["pl", "ru"])
def test_catalogue_entries_stand_apart_and_once(lang: str) -> None:
    # A union merge of two branches' catalogues can write an entry twice (msgfmt then refuses
    # the file) or glue one entry onto the last line of another (the reader above would miss it).
    lines = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8").splitlines()
    glued, in_msgstr = [], False
    for number, line in enumerate(lines, start=1):
        if line.startswith(("#", "msgctxt ", "msgid ")) and in_msgstr:
            glued.append(number)
        in_msgstr = line.startswith("msgstr") or (in_msgstr and line.startswith('"'))
    assert not glued, f"{lang}: an entry starts right after another's msgstr at lines {glued[:5]}"
    counts = Counter(msgid for msgid, _s, _f in _po_entries(lang))
    assert not [m for m, n in counts.items() if n > 1], f"{lang}: entries written twice"


def pages(company: Any) -> list[str]:
    top = CustomerScore.objects.filter(run=company["run"]).order_by("-clv").first()
    return ["/", "/customers/", f"/customers/{top.party_id}/", "/customers/?q=zzzz-nobody", "/planner/", "/feedback/",
            "/model/", "/jobs/", "/customers/?owner=9223372036854775808", "/feedback/?survey=9223372036854775808&since=0001-01-01"]


def segment_pages(company: Any, user: Any) -> list[str]:
    """The segment and campaign pages, with a saved segment and a campaign made from it."""
    from clientela.crm.engagement.actions import create_campaign_from_segment, create_segment

    segment = create_segment(user, {"name": "Loyal best", "definition": {
        "rfm_segments": ["loyal", "champions"], "value_tiers": ["top"], "p_alive_min": 0.2}})
    campaign = create_campaign_from_segment(user, segment, {
        "name": "Thank you", "kind": "retention", "message_channel": "email", "starts_on": "2026-11-23",
        "message_subject": "Thanks", "message_body": "Hello {{ name }}"}, run=company["run"])
    return ["/segments/", f"/segments/{segment.pk}/", "/segments/new/?rfm=champions&tier=top",
            f"/segments/{segment.pk}/campaign/", "/campaigns/", f"/campaigns/{campaign.pk}/"]


@pytest.mark.parametrize("lang", ["pl", "ru"])
def test_main_pages_have_no_untranslated_string(
    lang: str, company: Any, make_user: Any, build_pipeline: Any
) -> None:
    pipeline = build_pipeline(deals=8)
    user = make_user("root", "admin")
    user.is_staff = True
    user.save()
    translations = set(catalogue(lang).values())
    problems = {}
    for path in ["/login/", *pages(company), f"/pipeline/{pipeline.pk}/", *segment_pages(company, user)]:
        english, other = Client(), Client()
        if path != "/login/":
            english.force_login(user)
            other.force_login(user)
        en = english.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        xx = other.get(path, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert f'<html lang="{lang}">' in xx, "Accept-Language was not honoured"
        left = untranslated(en, xx, translations)
        if left:
            problems[path] = left
    assert not problems, f"untranslated in {lang}: {problems}"


def test_chosen_language_is_remembered(company: Any, make_user: Any) -> None:
    c = Client()
    c.force_login(make_user("root", "admin"))
    response = c.post("/i18n/setlang/", {"language": "ru", "next": "/customers/"}, HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 302 and response["Location"] == "/customers/"
    assert c.cookies["django_language"].value == "ru"
    page = c.get("/customers/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert '<html lang="ru">' in page and "Клиенты" in page


def test_numbers_follow_the_locale(company: Any, make_user: Any) -> None:
    c = Client()
    c.force_login(make_user("root", "admin"))
    pl = c.get("/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    en = c.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    tile = r'data-testid="kpi-retention".*?<p class="kpi-value">([^<]*)<'
    assert re.search(r"\d+,\d\xa0%", re.search(tile, pl, re.S).group(1))
    assert re.search(r"\d+\.\d\xa0%", re.search(tile, en, re.S).group(1))


def test_number_filters_round_instead_of_cutting() -> None:
    from django.utils import translation

    from clientela.web.templatetags.web_format import money, num, pct

    with translation.override("pl"):
        assert pct(0.4028985) == "40,3\xa0%"
        assert money(2210634.92, "PLN") == "2\xa0210\xa0635\xa0PLN"
        assert num(3.64009, 2) == "3,64"
    with translation.override("en"):
        assert pct(0.4028985) == "40.3\xa0%" and num(1234.5, 0) == "1,234"
