"""Issue 14, item 6: every report table (the dashboard's charts, the model page's tables and
diagnostics, the feedback page's themes, a survey's distributions, the 360's loyalty
ledgers) has an "Export CSV" button whose file holds the table's figures, for the
users with the export capability, without the tables or columns the user may not see."""

from __future__ import annotations

import csv
import html
import io
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.http import QueryDict
from django.test import Client

from clientela.crm.errors import NotPermitted
from clientela.web.report_tables import PAGES, Table, table_csv

pytestmark = pytest.mark.django_db


class _Cells(HTMLParser):
    """The rows of cells (th and td text) of one HTML table."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("; ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split(" ")).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data.replace("\n", " "))


def _page_table(page: str, page_name: str, ident: str) -> list[list[str]]:
    """The cells of the table the button ``export-<page>-<ident>`` belongs to (the last
    table before it), badges and notes left out."""
    button = page.index(f'data-testid="export-{page_name}-{ident}"')
    start = page.rindex("<table", 0, button)
    markup = page[start:page.index("</table>", start)]
    markup = re.sub(r'<tr class="theme-detail">.*?</tr>', "", markup, flags=re.S)  # a row's controls
    markup = re.sub(r'\s*<span class="(badge|sub|visually-hidden)"[^>]*>.*?</span>', "", markup, flags=re.S)
    markup = re.sub(r"<br>\s*", "<br>", markup)
    parser = _Cells()
    parser.feed(markup)
    rows = [[" ".join(html.unescape(c).split()) for c in row] for row in parser.rows]
    return [row for row in rows if row]


def _file(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))
    # A neutralised text cell reads back without its quote (as the importers read it).
    return [[" ".join(re.sub(r"^'(?=[=+\-@])", "", cell).split()) for cell in row] for row in rows]


def _without_padding(rows: list[list[str]]) -> list[list[str]]:
    """A compared model that failed shows its error across the figure columns (colspan)."""
    return [[c for c in row if c] for row in rows]


def _client(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _programme_with_a_tier() -> int:
    from clientela.crm.loyalty import actions as loyalty
    from clientela.crm.loyalty.models import Programme

    programme = Programme.objects.filter(is_active=True).first() or loyalty.create_programme(
        None, name="Klub", points_per_unit="0.5")
    loyalty.add_tier(None, programme, name="=Srebrny", threshold=100)  # a name to neutralise
    return int(programme.pk)


@pytest.mark.parametrize(("page_name", "url", "expected"), [
    ("dashboard", "/", {"lorenz", "clv", "ladder", "actions", "cohorts"}),
    ("model", "/model/", {"params", "holdout", "comparison", "runs", "period-transactions", "matrix-alive"}),
    ("feedback", "/feedback/", {"nps", "csat", "themes"}),
    ("loyalty", "/loyalty/", set()),
    ("surveys", "/surveys/", {"list"}),
    ("planner", "/planner/?acquisition=1000&retention=2000", {"allocations", "acquisition", "retention"}),
])
@pytest.mark.parametrize("language", ["en", "pl"])
def test_each_report_table_exports_the_figures_it_shows(
    company: Any, make_user: Any, page_name: str, url: str, expected: set[str], language: str
) -> None:
    if page_name == "loyalty":
        pk = _programme_with_a_tier()
        expected = {f"tiers-{pk}", f"comparison-{pk}"}
    client = _client(make_user("ala", "analyst"), language)
    page = client.get(url).content.decode()
    idents = re.findall(rf'data-testid="export-{page_name}-([\w-]+)"', page)
    assert expected <= set(idents) and len(idents) == len(set(idents))
    query = url.partition("?")[2]
    for ident in idents:
        shown = _page_table(page, page_name, ident)
        exported = _file(client.get(f"/tables/{page_name}/{ident}.csv" + (f"?{query}" if query else "")))
        assert len(shown) >= 2, ident
        assert _without_padding(exported) == _without_padding(shown), ident
    if page_name == "loyalty":
        text = client.get(f"/tables/loyalty/tiers-{pk}.csv").content.decode()
        assert "'=Srebrny" in text and "\r\n=Srebrny" not in text
    if language == "pl":
        assert "Eksportuj CSV" in page
        headers = _file(client.get(f"/tables/{page_name}/{sorted(expected)[0]}.csv"))[0]
        assert headers == _page_table(page, page_name, sorted(expected)[0])[0]


def _survey_with_choices() -> int:
    from clientela.crm.feedback.models import SurveyResponse

    answer = SurveyResponse.objects.exclude(choice="").select_related("survey").first()
    if answer is None:  # the demo's surveys ask no choice question: give one answer a choice
        answer = SurveyResponse.objects.select_related("survey").first()
        assert answer is not None
        answer.survey.choice_question, answer.survey.choice_options = "Why?", ["=Price", "Service"]
        answer.survey.save(update_fields=["choice_question", "choice_options"])
        answer.choice = "=Price"
        answer.save(update_fields=["choice"])
    return int(answer.survey_id)


def _party_with_points() -> tuple[int, int]:
    from clientela.crm.loyalty import actions as loyalty
    from clientela.crm.loyalty.models import PointsEntry
    from clientela.crm.parties.models import Party

    entry = PointsEntry.objects.select_related("account").first()
    if entry is None:
        programme = loyalty.create_programme(None, name="Klub", points_per_unit="0.5")
        party = Party.objects.filter(kind="customer", archived_at__isnull=True).first()
        assert party is not None
        account = loyalty.open_account(None, party, programme)
        loyalty.adjust(None, account, 50, reason="=welcome")
        return int(party.pk), int(programme.pk)
    return int(entry.account.party_id), int(entry.account.programme_id)


def _shown_and_exported(client: Client, url: str, page_name: str, query: str) -> dict[str, tuple[Any, Any]]:
    page = client.get(url).content.decode()
    idents = re.findall(rf'data-testid="export-{page_name}-([\w-]+)"', page)
    return {ident: (_page_table(page, page_name, ident),
                    _file(client.get(f"/tables/{page_name}/{ident}.csv?{query}"))) for ident in idents}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_survey_and_a_customer_export_their_tables(company: Any, make_user: Any, language: str) -> None:
    """The survey page's score and choice distributions, the 360's loyalty ledger and the
    pipeline's forecast and funnel: the table's query names the survey, the party or the
    pipeline, checked like the page checks it."""
    from clientela.crm.sales.models import Pipeline

    survey, (party, programme) = _survey_with_choices(), _party_with_points()
    pipeline = Pipeline.objects.filter(deals__isnull=False).values_list("pk", flat=True).first()
    client = _client(make_user("ala", "analyst"), language)
    for url, page_name, query, expected in (
            (f"/surveys/{survey}/", "survey", f"survey={survey}", {"scores", "choices"}),
            (f"/customers/{party}/", "party", f"party={party}", {f"ledger-{programme}"}),
            (f"/pipeline/{pipeline}/", "pipeline", f"pipeline={pipeline}", {"forecast", "funnel"})):
        tables = _shown_and_exported(client, url, page_name, query)
        assert expected <= set(tables), (page_name, set(tables))
        for ident, (shown, exported) in tables.items():
            assert len(shown) >= 2 and _without_padding(exported) == _without_padding(shown), ident
    text = client.get(f"/tables/survey/choices.csv?survey={survey}").content.decode()
    assert "\r\n=" not in text  # an option written by people is formula-safe
    # A manager without a team sees no answers and no customers: zero counts, and a 404
    # for the customer, as its 360 answers; a role without the export capability: 403.
    manager = _client(make_user("marek", "manager"))
    counts = _file(manager.get(f"/tables/survey/scores.csv?survey={survey}"))
    assert counts[1:] and {row[1] for row in counts[1:]} == {"0"}
    assert manager.get(f"/customers/{party}/").status_code == 404
    assert manager.get(f"/tables/party/ledger-{programme}.csv?party={party}").status_code == 404
    rep = _client(make_user("rafal", "sales_rep"))
    assert 'data-testid="export-survey-' not in rep.get(f"/surveys/{survey}/").content.decode()
    assert rep.get(f"/tables/survey/scores.csv?survey={survey}").status_code == 403
    for bad in ("survey=999999", "survey=x", ""):
        assert client.get(f"/tables/survey/scores.csv?{bad}").status_code == 404
    assert client.get("/tables/party/ledger-1.csv?party=999999").status_code == 404
    assert client.get("/tables/pipeline/funnel.csv?pipeline=999999").status_code == 404
    assert _client(make_user("mia", "marketer")).get(f"/tables/pipeline/funnel.csv?pipeline={pipeline}").status_code == 403


def test_a_role_that_may_not_see_clv_gets_no_clv_table(company: Any, make_user: Any) -> None:
    """The tables are the page's own, built for the user: the CLV tables and the model
    page are not among a service agent's (who may not see CLV)."""
    analyst, agent = make_user("ala", "analyst"), make_user("sara", "service_agent")
    assert {"clv", "lorenz"} <= {t.ident for t in PAGES["dashboard"](analyst, QueryDict())}
    agents = PAGES["dashboard"](agent, QueryDict())
    assert "clv" not in {t.ident for t in agents} and "lorenz" in {t.ident for t in agents}
    assert not any("CLV" in h or "equity" in h.lower() for t in agents for h in t.headers)
    pk = _programme_with_a_tier()
    comparisons = {role: [t for t in PAGES["loyalty"](user, QueryDict()) if t.ident == f"comparison-{pk}"]
                   for role, user in (("analyst", analyst), ("agent", agent))}
    assert "Mean CLV" in [row[0] for row in comparisons["analyst"][0].rows]
    assert "Mean CLV" not in [row[0] for row in comparisons["agent"][0].rows]
    assert len(comparisons["agent"][0].rows) == len(comparisons["analyst"][0].rows) - 1
    with pytest.raises(NotPermitted):  # the planner shows equity and margins
        PAGES["planner"](agent, QueryDict())
    # An agent may not export at all: no button, 403.
    page = _client(agent).get("/").content.decode()
    assert "data-testid=\"kpi-active-customers\"" in page and 'data-testid="export-dashboard-' not in page
    assert _client(agent).get("/tables/dashboard/lorenz.csv").status_code == 403
    # A representative sees the model page but may not export it.
    rep = make_user("rafal", "sales_rep")
    assert 'data-testid="export-model-' not in _client(rep).get("/model/").content.decode()
    assert _client(rep).get("/tables/model/params.csv").status_code == 403
    assert Client().get("/tables/dashboard/lorenz.csv").status_code == 302  # to the login page
    assert _client(analyst).get("/tables/dashboard/no-such.csv").status_code == 404
    assert _client(analyst).get("/tables/nowhere/lorenz.csv").status_code == 404


def test_text_cells_are_formula_safe_and_figures_stay_numbers() -> None:
    table = Table("t", ("=SUM(A1)", "Value"), [("=HYPERLINK(\"x\")", "-1\u00a0234,5"), ("@cmd", "12,5\u00a0%"),
                                                ("-2+3", "+48")])
    rows = list(csv.reader(io.StringIO(table_csv(table), newline="")))
    assert rows == [["'=SUM(A1)", "Value"], ["'=HYPERLINK(\"x\")", "-1\u00a0234,5"], ["'@cmd", "12,5\u00a0%"],
                    ["'-2+3", "'+48"]]
