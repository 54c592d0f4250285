"""Bad rows of the new kinds: a clear message naming line and column, exit 1, nothing written."""

from __future__ import annotations

import pytest
from tests.transfer.canonical_files import FILES

from clientela.crm.commerce.models import ExchangeRate, Order
from clientela.crm.feedback.models import SurveyResponse
from clientela.crm.loyalty.models import PointsEntry
from clientela.crm.parties.models import ContactPerson, Party
from clientela.crm.sales.models import Deal
from clientela.crm.transfer.csv_import import import_file

pytestmark = pytest.mark.django_db

WATCHED = (Party, ContactPerson, Order, ExchangeRate, Deal, SurveyResponse, PointsEntry)


def _counts() -> list[int]:
    return [m.objects.count() for m in WATCHED]


def _header(kind: str) -> str:
    return FILES[kind].splitlines()[0]


CASES = [
    ("parties", "C-9,Ala,person,,,PL,,,customer,,,,,,ghost,,,,", "line 2, column owner: no user has this username"),
    ("parties", "C-9,Ala,person,,,PL,,,customer,,,,,,,,,C-9,", "line 2, column referred_by: names the party itself"),
    ("parties", "C-9,Ala,person,,,PL,,,customer,,,,,,,,,C-404,", "column referred_by: no party has this ref"),
    ("parties", "C-9,Ala,person,,,PL,,,customer;vip,,,,,,,,,,", "column roles: 'vip' is not one of customer"),
    ("contacts", "C-1,Ewa,,,,maybe,false,false,", "line 2, column is_primary: 'maybe' is not true or false"),
    ("exchange_rates", "2024-01-02,EUR,0", "line 2, column rate: must be greater than 0"),
    ("exchange_rates", "2024-01-02,EUR,1.123456789", "more than 8 decimal places"),
    ("exchange_rates", "02.01.2024,EUR,4", "line 2, column date: '02.01.2024' is not a date (YYYY-MM-DD)"),
    ("orders", "O-9,C-1,2024-01-05,AMB-1,1,1,PLN,,,web,completed,2024-01-06",
     "line 2, column returned_at: is set, but the order's status is not returned"),
    ("deals", "C-1,Big,B2B,Won,1,PLN,,won,,,,,", "line 2, column closed_at: is empty; a won or lost deal"),
    ("deals", "C-1,Big,B2B,Open,1,PLN,,open,2024-01-01,,,,", "line 2, column closed_at: must be empty for an open"),
    ("survey_answers", "CSAT,csat,C-1,7,,2024-01-01,", "line 2, column score: a CSAT score lies between 1 and 5"),
    ("survey_answers", "NPS,nps,C-1,11,,2024-01-01,", "line 2, column score: must be at most 10 (got '11')"),
    ("loyalty", "Club,C-1,earn,-5,2024-01-01,,", "line 2, column points: must not be 0; earn is positive"),
    ("loyalty", "Club,C-1,redeem,-5,2024-01-01,,", "line 2, column points: would take the balance below zero"),
    ("loyalty", "Club,C-1,earn,5,2024-01-01,,O-404", "line 2, column order_ref: no order has this ref"),
]


@pytest.mark.parametrize("kind, row, message", CASES)
def test_a_bad_row_is_named_and_nothing_is_written(kind, row, message, write_csv, cli):
    Party.objects.create(ref="C-1", name="Org", kind="organisation", is_customer=True)
    before = _counts()
    result = cli("import", kind, write_csv(_header(kind) + "\n" + row + "\n"))
    assert result.exit_code == 1, result.output
    assert message in result.output, result.output
    assert "nothing was imported" in result.output
    assert _counts() == before


def test_a_survey_named_with_another_kind_is_refused(write_csv):
    import_file("survey_answers", write_csv(_header("survey_answers") + "\nNPS,nps,,7,,2024-01-01,\n"))
    with pytest.raises(Exception, match="1 error"):
        import_file("survey_answers", write_csv(_header("survey_answers") + "\nNPS,csat,,4,,2024-01-02,\n"))
    assert SurveyResponse.objects.count() == 1
