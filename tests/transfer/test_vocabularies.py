"""Issue 14: vocabularies the company owns (acquisition channels, sales channels, tags,
case categories) and ``--map-values`` onto them; bad input refused whole."""

from __future__ import annotations

import pytest
from tests.api.conftest import api_for, make_user
from tests.transfer.conftest import ORDERS_HEADER, customers_csv

from clientela.crm.audit.models import AuditEntry
from clientela.crm.commerce.models import Order
from clientela.crm.parties.models import Party
from clientela.crm.vocabularies.actions import set_vocabulary
from clientela.crm.vocabularies.queries import words

pytestmark = pytest.mark.django_db

PARTIES = "customer_ref,name,kind,email,phone,country,acquired_at,acquisition_channel\n"


def test_defaults_are_the_words_shipped(cli):
    assert words("acquisition_channels") == ["search", "social", "email", "referral", "events", "direct",
                                             "partner", "sales"]
    assert "marketplace" in words("sales_channels")
    assert words("case_categories")[:2] == ["question", "complaint"]


def test_a_word_the_company_adds_is_imported_and_unknown_ones_are_refused(write_csv, cli):
    path = write_csv(PARTIES + "C1,Ala,person,,,PL,2024-01-01,Store\nC2,Ola,person,,,PL,2024-01-01,search\n")
    refused = cli("import", "customers", path)
    assert refused.exit_code == 1
    assert "line 2, column acquisition_channel: 'store' is not one of search, social" in refused.output
    assert not Party.objects.exists()

    admin = make_user("boss", "admin", None)
    set_vocabulary(admin, name="acquisition_channels", words=[("search", "Paid search"), ("Store ", "In store")])
    assert words("acquisition_channels") == ["search", "store"]
    assert AuditEntry.objects.filter(entity="vocabulary", object_id="acquisition_channels").exists()
    accepted = cli("import", "customers", path)
    assert accepted.exit_code == 0, accepted.output
    assert Party.objects.get(ref="C1").acquisition_channel == "store"
    # "social" is no longer listed: a file using it is refused.
    gone = cli("import", "customers", write_csv(PARTIES + "C3,Ela,person,,,PL,,social\n"))
    assert "'social' is not one of search, store" in gone.output


def test_map_values_maps_a_shops_words_onto_the_list(write_csv, cli):
    cli("import", "customers", write_csv(customers_csv(["C1"])))
    text = ORDERS_HEADER + ",channel,status\nO1,C1,2024-01-01,S1,1,10,PLN,,,Allegro,zwrot\n"
    path = write_csv(text)
    refused = cli("import", "orders", path)
    assert refused.exit_code == 1
    assert "column channel: 'allegro' is not one of web, store" in refused.output
    assert "column status: 'zwrot' is not one of placed" in refused.output
    mapped = cli("import", "orders", path, "--map-values", "channel=allegro:marketplace",
                 "--map-values", "status=Zwrot:returned")
    assert mapped.exit_code == 0, mapped.output
    order = Order.objects.get(ref="O1")
    assert (order.channel, order.status) == ("marketplace", "returned")


@pytest.mark.parametrize("option, message", [
    ("channel=allegro", "expected COLUMN=FROM:TO"),
    ("=a:b", "expected COLUMN=FROM:TO"),
    ("nosuch=a:b", "the file has no column 'nosuch'"),
])
def test_bad_map_values_are_refused(write_csv, cli, option, message):
    cli("import", "customers", write_csv(customers_csv(["C1"])))
    result = cli("import", "orders", write_csv(ORDERS_HEADER + "\nO1,C1,2024-01-01,S1,1,10,PLN,,\n"),
                 "--map-values", option)
    assert result.exit_code != 0
    assert message in result.output
    assert not Order.objects.exists()


def test_the_api_reads_and_the_admin_replaces_a_vocabulary(django_assert_max_num_queries):
    admin, rep = make_user("boss", "admin", None), make_user("rep", "sales_rep", None)
    reader = api_for(rep)
    reader.get("/vocabularies/sales_channels")  # warm: the token's first use is noted
    with django_assert_max_num_queries(7):  # authentication, then one query for the words
        got = reader.get("/vocabularies/sales_channels")
    assert got.status_code == 200
    assert [w["word"] for w in got.data["words"]][:2] == ["web", "store"]
    assert reader.put("/vocabularies/sales_channels", {"words": [{"word": "web"}]}).status_code == 403
    boss = api_for(admin)
    put = boss.put("/vocabularies/sales_channels", {"words": [{"word": "Web", "label": "Shop"},
                                                              {"word": "allegro", "label": "Allegro"}]})
    assert put.status_code == 200, put.data
    assert put.data["words"] == [{"word": "web", "label": "Shop"}, {"word": "allegro", "label": "Allegro"}]
    for bad in ([{"word": "web"}, {"word": "WEB"}], [{"word": ""}], [{"word": "=cmd"}], [{"word": "a;b"}]):
        refused = boss.put("/vocabularies/sales_channels", {"words": bad})
        assert refused.status_code == 422, (bad, refused.data)
        assert "words" in refused.data["errors"]
    assert words("sales_channels") == ["web", "allegro"]
    assert boss.get("/vocabularies/nosuch").status_code == 422


def test_the_api_and_the_party_form_take_the_companys_words():
    admin = make_user("boss", "admin", None)
    api = api_for(admin)
    body = {"ref": "P-1", "name": "Ala", "acquisition_channel": "store"}
    refused = api.post("/parties", body)
    assert refused.status_code == 422
    assert "acquisition_channel" in refused.data["errors"]
    assert not Party.objects.filter(ref="P-1").exists()
    set_vocabulary(admin, name="acquisition_channels", words=[("search", ""), ("store", "In store")])
    created = api.post("/parties", body)
    assert created.status_code == 201, created.data
    assert created.data["acquisition_channel"] == "store"

    from clientela.web.party_forms import PartyForm

    form = PartyForm(user=admin, owners=[], with_consents=False)
    assert [w for w, _ in form.fields["acquisition_channel"].choices] == ["", "search", "store"]


def test_cases_take_a_category_of_the_companys_list():
    admin = make_user("boss", "admin", None)
    party = Party.objects.create(ref="P-1", name="Ala", is_customer=True)
    api = api_for(admin)
    made = api.post("/cases", {"party_id": party.pk, "subject": "Broken clasp", "category": "complaint"})
    assert made.status_code == 201, made.data
    assert made.data["category"] == "complaint"
    refused = api.post("/cases", {"party_id": party.pk, "subject": "Other", "category": "warranty"})
    assert refused.status_code == 422 and "category" in refused.data["errors"]
    set_vocabulary(admin, name="case_categories", words=[("complaint", ""), ("warranty", "Warranty")])
    assert api.post("/cases", {"party_id": party.pk, "subject": "Other", "category": "warranty"}).status_code == 201
    moved = api.patch(f"/cases/{made.data['id']}", {"category": "warranty"}, **{"If-Match": made["ETag"]})
    assert moved.status_code == 200 and moved.data["category"] == "warranty"
    assert AuditEntry.objects.filter(entity="case", object_id=str(made.data["id"]), action="update").exists()

    from clientela.web.case_forms import CaseForm

    assert [w for w, _ in CaseForm(owners=[]).fields["category"].choices] == ["", "complaint", "warranty"]
