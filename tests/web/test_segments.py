"""Segments and campaigns through Django's test client: the builder's live size against
counts taken straight from the scores, saving, members, roles and scope, CSRF, escaping,
a campaign made from a segment, a test mail and sending through a real SMTP server on
loopback (aiosmtpd), and query counts that do not grow with the rows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clientela.crm.engagement.models import Campaign, CampaignMember, Segment
from clientela.crm.engagement.segments import parse_definition, tier_cutoffs
from clientela.crm.experiments.models import Assignment
from clientela.crm.parties.models import OUTSIDE_CUSTOMER_BASE, Consent, Party
from clientela.crm.scoring.models import CustomerScore
from clientela_test_support import SmtpInbox
from jobs_in_process import run_jobs

pytestmark = pytest.mark.django_db

CAMPAIGN = {
    "name": "Winter win-back", "kind": "win_back", "message_channel": "email", "starts_on": "2026-11-23",
    "message_subject": "We miss you", "message_body": "Hello {{ name }}, 10% off your next order.",
}


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def text(response: Any) -> str:
    return response.content.decode()


def shown_count(page: str) -> int:
    found = re.findall(r'data-testid="segment-count" data-count="(\d+)"', page)
    assert len(found) == 1, page[-2000:]
    return int(found[0])


def scores(company: dict[str, Any]) -> Any:
    return CustomerScore.objects.filter(run=company["run"])


def save_segment(c: Client, name: str, **filters: Any) -> Segment:
    response = c.post("/segments/new/", {"name": name, **filters})
    assert response.status_code == 302, text(response)[-1500:]
    segment = Segment.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
    assert segment.name == name
    return segment


def customers() -> int:
    return Party.objects.exclude(OUTSIDE_CUSTOMER_BASE).count()


# --- the builder's live size ---------------------------------------------------------------


def test_live_size_is_the_count_of_the_filters(company: Any, make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    qs = scores(company)
    # Every party of the customer base: the demo's suppliers, partners and internal
    # stakeholders are not scored.
    assert shown_count(text(c.get("/segments/size/"))) == qs.count() == customers() < 300
    assert shown_count(text(c.get("/segments/size/", {"rfm": "champions"}))) == qs.filter(rfm_segment="champions").count()
    several = {"rfm": ["champions", "loyal", "at risk"], "stage": ["client", "supporter"],
               "p_alive_min": "0.4", "p_alive_max": "0,9"}  # a decimal comma is read too
    expected = qs.filter(rfm_segment__in=several["rfm"], ladder_stage__in=several["stage"],
                         p_alive__gte=0.4, p_alive__lte=0.9).count()
    assert 0 < expected < qs.filter(rfm_segment__in=several["rfm"]).count()
    answer = c.get("/segments/size/", several, HTTP_HX_REQUEST="true")
    assert "<html" not in text(answer)  # a fragment for htmx, not a page
    assert shown_count(text(answer)) == expected
    action = qs.values_list("next_best_action", flat=True).first()
    assert shown_count(text(c.get("/segments/size/", {"action": action}))) == qs.filter(next_best_action=action).count()


def test_value_tiers_split_the_run_by_clv(company: Any, make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    qs = scores(company)
    sizes = {t: shown_count(text(c.get("/segments/size/", {"tier": t}))) for t in ("top", "middle", "rest")}
    n = customers()
    assert sum(sizes.values()) == n
    assert 0.2 * n <= sizes["top"] and 0.5 * n <= sizes["top"] + sizes["middle"]  # 20 % and 50 %, ties go up
    top_cut, middle_cut = tier_cutoffs(company["run"])
    assert sizes["top"] == qs.filter(clv__gte=top_cut).count()
    assert sizes["rest"] == qs.filter(clv__lt=middle_cut).count()
    assert min(qs.filter(clv__gte=top_cut).values_list("clv", flat=True)) > max(qs.filter(clv__lt=middle_cut).values_list("clv", flat=True))
    both = shown_count(text(c.get("/segments/size/", {"tier": ["top", "rest"]})))
    assert both == sizes["top"] + sizes["rest"]


def test_bad_filters_are_named_and_not_counted(company: Any, make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    page = text(c.get("/segments/size/", {"rfm": "bogus"}))
    assert 'data-testid="segment-count"' not in page and "Check the filters" in page
    response = c.post("/segments/new/", {"name": "Bad", "p_alive_min": "0.8", "p_alive_max": "0.2"})
    assert response.status_code == 422 and "p_alive_max" in text(response)
    response = c.post("/segments/new/", {"name": "Bad", "p_alive_min": "2"})
    assert response.status_code == 422
    response = c.post("/segments/new/", {"name": "", "rfm": "loyal"})
    assert response.status_code == 422
    assert not Segment.objects.exists()


def test_definition_validation() -> None:
    from clientela.crm.errors import InvalidInput

    d = parse_definition({"rfm_segments": ["loyal", "champions", "loyal"], "p_alive_min": "0.25"})
    assert d.rfm_segments == ("champions", "loyal") and d.p_alive_min == 0.25
    for bad in ({"rfm_segments": "loyal"}, {"value_tiers": ["best"]}, {"colour": ["red"]},
                {"p_alive_max": "nan"}, {"p_alive_min": True}):
        with pytest.raises(InvalidInput):
            parse_definition(bad)


# --- saving and the segment page ------------------------------------------------------------


def test_save_a_segment_and_list_its_members(company: Any, make_user: Any) -> None:
    marketer = make_user("mia", "marketer")
    c = client_for(marketer)
    builder = text(c.get("/segments/new/?rfm=champions&tier=top"))
    assert 'name="csrfmiddlewaretoken"' in builder and 'checked data-testid="rfm-champions"' in builder
    segment = save_segment(c, "Top champions", rfm=["champions"], tier=["top"], p_alive_min="0.2")
    assert segment.owner == marketer
    assert segment.definition["rfm_segments"] == ["champions"] and segment.definition["value_tiers"] == ["top"]
    top_cut, _middle = tier_cutoffs(company["run"])
    expected = scores(company).filter(rfm_segment="champions", clv__gte=top_cut, p_alive__gte=0.2)
    page = text(c.get(f"/segments/{segment.pk}/"))
    assert shown_count(page) == expected.count() > 0
    linked = {int(i) for i in re.findall(r'href="/customers/(\d+)/"[^>]*data-testid="member-link"', page)}
    assert linked == set(expected.values_list("party_id", flat=True)) or len(linked) == 50
    assert "Top 20 % by CLV" in page
    assert 'data-testid="segment-link"' in text(c.get("/segments/"))


def test_count_without_javascript_saves_nothing(company: Any, make_user: Any) -> None:
    c = client_for(make_user("mia", "marketer"))
    response = c.post("/segments/new/", {"name": "Preview", "rfm": ["loyal"], "preview": "1"})
    assert response.status_code == 200 and not Segment.objects.exists()
    assert shown_count(text(response)) == scores(company).filter(rfm_segment="loyal").count()
    assert 'checked data-testid="rfm-loyal"' in text(response) and 'value="Preview"' in text(response)


def test_edit_and_delete_a_segment(company: Any, make_user: Any) -> None:
    c = client_for(make_user("mia", "marketer"))
    segment = save_segment(c, "Sleepers", rfm=["about to sleep"])
    edit = text(c.get(f"/segments/{segment.pk}/edit/"))
    assert 'value="Sleepers"' in edit and 'checked data-testid="rfm-about-to-sleep"' in edit
    response = c.post(f"/segments/{segment.pk}/edit/", {"name": "Sleepers and at risk", "rfm": ["about to sleep", "at risk"]})
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Sleepers and at risk" and segment.definition["rfm_segments"] == ["about to sleep", "at risk"]
    assert c.post(f"/segments/{segment.pk}/delete/").status_code == 302
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_names_are_escaped(company: Any, make_user: Any) -> None:
    c = client_for(make_user("mia", "marketer"))
    segment = save_segment(c, "<script>alert(1)</script>", rfm=["loyal"])
    for path in (f"/segments/{segment.pk}/", "/segments/"):
        page = text(c.get(path))
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_forms_need_csrf(company: Any, make_user: Any) -> None:
    user = make_user("mia", "marketer")
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    assert c.post("/segments/new/", {"name": "No token", "rfm": "loyal"}).status_code == 403
    assert not Segment.objects.exists()
    segment = Segment.objects.create(name="Loyal", definition={"rfm_segments": ["loyal"]})
    assert c.post(f"/segments/{segment.pk}/campaign/", CAMPAIGN).status_code == 403
    assert not Campaign.objects.filter(segment=segment).exists()


# --- roles and scope ----------------------------------------------------------------------


def test_menu_and_pages_follow_the_role(company: Any, make_user: Any) -> None:
    segment = Segment.objects.create(name="Loyal", definition={"rfm_segments": ["loyal"]})
    for role, menu, can_build in (("admin", True, True), ("marketer", True, True), ("analyst", True, False),
                                  ("manager", True, False), ("read_only", True, False), ("service_agent", False, False)):
        c = client_for(make_user(f"u-{role}", role))
        home = text(c.get("/"))
        assert ('data-testid="menu-segments"' in home) is menu, role
        assert ('data-testid="menu-campaigns"' in home) is menu, role
        assert c.get("/segments/").status_code == (200 if menu else 403), role
        assert c.get(f"/segments/{segment.pk}/").status_code == (200 if menu else 403), role
        assert c.get("/segments/new/").status_code == (200 if can_build else 403), role
        assert c.get(f"/segments/{segment.pk}/campaign/").status_code == (200 if can_build else 403), role
        detail = text(c.get(f"/segments/{segment.pk}/")) if menu else ""
        assert ('data-testid="segment-create-campaign"' in detail) is can_build, role
    assert Client().get("/segments/")["Location"] == "/login/?next=/segments/"


def test_sales_rep_counts_only_own_customers(company: Any, make_user: Any) -> None:
    rep = make_user("rep", "sales_rep")
    mine = list(scores(company).filter(rfm_segment="champions").values_list("party_id", flat=True)[:3])
    Party.objects.filter(pk__in=mine).update(owner=rep)
    segment = Segment.objects.create(name="Champions", definition={"rfm_segments": ["champions"]})
    page = text(client_for(rep).get(f"/segments/{segment.pk}/"))
    assert shown_count(page) == 3
    assert {int(i) for i in re.findall(r'href="/customers/(\d+)/"[^>]*data-testid="member-link"', page)} == set(mine)
    assert ">CLV</th>" in page  # a sales rep may see CLV


def test_value_segments_are_hidden_from_roles_without_clv(company: Any, make_user: Any) -> None:
    segment = Segment.objects.create(name="Top", definition={"value_tiers": ["top"]})
    plain = Segment.objects.create(name="Loyal", definition={"rfm_segments": ["loyal"]})
    viewer = make_user("ro", "read_only")
    viewer.team = None
    c = client_for(viewer)
    page = text(c.get(f"/segments/{segment.pk}/"))
    assert 'data-testid="segment-hidden"' in page and 'data-testid="member-link"' not in page
    assert ">CLV</th>" not in text(c.get(f"/segments/{plain.pk}/"))
    assert c.get("/segments/new/").status_code == 403


def test_unknown_segment_is_not_found(company: Any, make_user: Any) -> None:
    c = client_for(make_user("mia", "marketer"))
    assert c.get("/segments/999999/").status_code == 404
    assert c.post("/segments/999999/campaign/", CAMPAIGN).status_code == 404


# --- campaigns --------------------------------------------------------------------------------


def test_create_a_campaign_from_a_segment(company: Any, make_user: Any) -> None:
    c = client_for(make_user("mia", "marketer"))
    segment = save_segment(c, "At risk", rfm=["at risk", "cannot lose"])
    members = set(scores(company).filter(rfm_segment__in=["at risk", "cannot lose"]).values_list("party_id", flat=True))
    response = c.post(f"/segments/{segment.pk}/campaign/", CAMPAIGN)
    assert response.status_code == 302
    campaign = Campaign.objects.get(segment=segment)
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert (campaign.name, campaign.kind, campaign.message_channel) == ("Winter win-back", "win_back", "email")
    assert set(CampaignMember.objects.filter(campaign=campaign).values_list("party_id", flat=True)) == members
    page = text(c.get(f"/campaigns/{campaign.pk}/"))
    assert re.search(rf'data-testid="count-total">{len(members)}<', page)
    # Whom a send would reach: not the control group held out by default (issue 15).
    control = Assignment.objects.filter(experiment__subject_id=campaign.pk, group="control").values("party_id")
    assert control.exists()
    reachable = CampaignMember.objects.filter(
        campaign=campaign, party__consents__purpose="marketing", party__consents__channel="email",
        party__consents__withdrawn_at__isnull=True).exclude(party_id__in=control).values("party").distinct().count()
    assert re.search(rf'data-testid="count-reachable">{reachable}<', page)
    assert "Winter win-back" in text(c.get("/campaigns/")) and "Winter win-back" in text(c.get(f"/segments/{segment.pk}/"))


def test_an_email_campaign_needs_a_subject(company: Any, make_user: Any) -> None:
    c = client_for(make_user("mia", "marketer"))
    segment = Segment.objects.create(name="Loyal", definition={"rfm_segments": ["loyal"]})
    response = c.post(f"/segments/{segment.pk}/campaign/", CAMPAIGN | {"message_subject": ""})
    assert response.status_code == 422 and 'id="campaign-message_subject-error"' in text(response)
    assert not Campaign.objects.filter(segment=segment).exists()


def _campaign(c: Client, rfm: list[str]) -> Campaign:
    segment = save_segment(c, "Targets", rfm=rfm)
    assert c.post(f"/segments/{segment.pk}/campaign/", CAMPAIGN).status_code == 302
    return Campaign.objects.get(segment=segment)


def test_send_a_test_then_send_with_consent_respected(company: Any, make_user: Any, inbox: SmtpInbox) -> None:
    user = make_user("mia", "marketer")
    user.email, user.first_name, user.last_name = "mia@example.test", "Mia", "Nowak"
    user.save()
    c = client_for(user)
    campaign = _campaign(c, ["champions", "loyal"])
    answer = c.post(f"/campaigns/{campaign.pk}/test/", HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and 'data-testid="test-sent"' in text(answer) and "<html" not in text(answer)
    assert [rcpt for rcpt, _m in inbox.messages] == [["mia@example.test"]]
    test_mail = inbox.messages[0][1]
    assert test_mail["Subject"] == "[TEST] We miss you"
    assert "Hello Mia Nowak, 10% off" in test_mail.get_payload(decode=True).decode()
    assert set(CampaignMember.objects.filter(campaign=campaign).values_list("send_status", flat=True)) == {"queued"}

    refused = c.post(f"/campaigns/{campaign.pk}/send/")  # without the confirmation box
    assert refused.status_code == 422 and len(inbox.messages) == 1
    queued = c.post(f"/campaigns/{campaign.pk}/send/", {"confirm": "yes"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="campaign-started"' in text(queued) and len(inbox.messages) == 1  # a job, not sent yet
    run_jobs()
    answer = c.get(f"/campaigns/{campaign.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="campaign-body")
    assert 'data-testid="campaign-sent"' in text(answer)
    # The campaign's control group (10 % by default, issue 15) is held out: never sent to.
    control = set(Assignment.objects.filter(experiment__subject_id=campaign.pk, group="control")
                  .values_list("party_id", flat=True))
    members = CampaignMember.objects.filter(campaign=campaign).exclude(party_id__in=control).select_related("party")
    consenting = {
        m.party.email for m in members
        if Consent.objects.filter(party=m.party, purpose="marketing", channel="email", withdrawn_at__isnull=True).exists()
    }
    received = {r for rcpt, _m in inbox.messages[1:] for r in rcpt}
    assert received == consenting and 0 < len(consenting) < members.count()
    statuses = dict(members.values_list("party__email", "send_status"))
    assert all(statuses[a] == "sent" for a in consenting)
    assert {s for a, s in statuses.items() if a not in consenting} == {"suppressed"}
    assert set(CampaignMember.objects.filter(campaign=campaign, party_id__in=control)
               .values_list("send_status", flat=True)) <= {"queued"}
    assert re.search(rf'data-testid="count-sent">{len(consenting)}<', text(answer))


def test_test_mail_needs_an_address_and_sending_needs_the_right(company: Any, make_user: Any, inbox: SmtpInbox) -> None:
    mia = make_user("mia", "marketer")
    campaign = _campaign(client_for(mia), ["loyal"])
    answer = client_for(mia).post(f"/campaigns/{campaign.pk}/test/")
    assert answer.status_code == 422 and "no email address" in text(answer)
    analyst = make_user("ana", "analyst")
    analyst.email = "ana@example.test"
    analyst.save()
    c = client_for(analyst)
    page = text(c.get(f"/campaigns/{campaign.pk}/"))
    assert 'data-testid="campaign-send"' not in page and 'data-testid="campaign-test"' not in page
    assert c.post(f"/campaigns/{campaign.pk}/test/").status_code == 403
    assert c.post(f"/campaigns/{campaign.pk}/send/", {"confirm": "yes"}).status_code == 403
    assert client_for(make_user("agent", "service_agent")).get(f"/campaigns/{campaign.pk}/").status_code == 404
    assert inbox.messages == []
    assert set(CampaignMember.objects.filter(campaign=campaign).values_list("send_status", flat=True)) == {"queued"}


# --- query counts ---------------------------------------------------------------------------


def _queries(c: Client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        page = text(c.get(path))
    return len(ctx.captured_queries), page


def test_segment_page_query_count_does_not_grow_with_rows(company: Any, make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    one = scores(company).exclude(p_alive=None).order_by("-clv").first()
    narrow = Segment.objects.create(name="One", definition={"p_alive_min": one.p_alive, "p_alive_max": one.p_alive,
                                                            "rfm_segments": [one.rfm_segment], "value_tiers": ["top"]})
    wide = Segment.objects.create(name="All", definition={"value_tiers": ["top", "middle"]})
    c.get(f"/segments/{wide.pk}/")  # warm the session, content types and the run's tier cut-offs
    counts = []
    for segment in (narrow, wide, narrow):
        n, page = _queries(c, f"/segments/{segment.pk}/")
        counts.append((n, page.count('data-testid="member-link"')))
    assert counts[0][1] < 5 and counts[1][1] == 50, counts
    assert len({n for n, _rows in counts}) == 1, counts


def test_campaign_page_query_count_does_not_grow_with_rows(company: Any, make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    few = _campaign(c, ["new"])
    many = _campaign(c, ["champions", "at risk"])
    c.get(f"/campaigns/{few.pk}/")
    counts = []
    for campaign in (few, many):
        n, page = _queries(c, f"/campaigns/{campaign.pk}/")
        counts.append((n, page.count('data-testid="delivery-queued"')))
    assert counts[0][1] < 10 and counts[1][1] == 50, counts
    assert counts[0][0] == counts[1][0], counts


def test_list_pages_query_count_does_not_grow_with_rows(company: Any, make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    Segment.objects.create(name="First", definition={"rfm_segments": ["loyal"]})
    c.get("/segments/")
    n_one, _page = _queries(c, "/segments/")
    Segment.objects.bulk_create([Segment(name=f"S{i:02d}", definition={"actions": ["retain"]}) for i in range(60)])
    n_many, page = _queries(c, "/segments/")
    assert page.count('data-testid="segment-link"') == 50 and n_one == n_many
