"""The demo company's front office: survey answers, service cases and the B2B pipeline.

Drawn from a generator of their own (``default_rng((seed, 6))``) after the company is
simulated, so the orders, interactions and planted truth stay exactly as before, and the
same seed gives the same answers, cases and deals. What is planted here:

* NPS and CSAT answers follow the customer: planted promoters answer NPS 9–10 (one answer
  within the last 60 days at least) and CSAT 4–5, top customers lean high, heavy
  returners and high cost-to-serve customers lean low; a returned order lowers the
  answer to it. About half the answers carry a comment matching the score band, in
  Polish, Russian or English, with planted themes (late delivery and damaged parcels
  among detractors, helpful staff among promoters; ``demo/comments.py``).
* Service cases: a few per hundred orders (delivery, product, invoice questions), one for
  most returns, and many more — about six a year, often high or urgent, slower to
  resolve — for the planted high cost-to-serve customers (whose calls and meetings are
  already in the interaction log).
* Deals: organisations (customers and prospects) have deals in a six-stage B2B pipeline;
  closed ones are won or lost with a reason, recent ones are still open, and every deal
  has its stage history (so the funnel shows conversion).

Nothing here has a cost: the cost to serve stays the interactions' (docs/demo.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from clientela.crm.accounts.models import Team, User
from clientela.crm.feedback.models import Survey, SurveyResponse
from clientela.crm.sales.models import Deal, DealStageChange, Pipeline, Stage
from clientela.crm.service.models import Case
from clientela.crm.service.sla import DEFAULT_HOURS
from clientela.demo import fastload
from clientela.demo.comments import PLANTED, comment_language, compose
from clientela.demo.company import Company
from clientela.demo.models import DemoFact
from clientela.demo.roster import STAFF, TEAMS
from clientela.demo.writer import Clock
from clientela.demo.writer import Stage as Progress

SERVICE_AGENTS = [i for i, s in enumerate(STAFF) if s[3] == "service_agent"]
SALES_REPS = [i for i, s in enumerate(STAFF) if s[3] == "sales_rep"]

CASE_TOPICS = (
    ("Opóźniona dostawa", "Klient pyta o status przesyłki, która nie dotarła w terminie."),
    ("Uszkodzony produkt", "Produkt dotarł uszkodzony; klient prosi o wymianę."),
    ("Pytanie o fakturę", "Prośba o korektę danych na fakturze."),
    ("Zmiana adresu dostawy", "Klient chce zmienić adres dostawy zamówienia."),
    ("Brak elementu zestawu", "W paczce zabrakło jednego elementu zestawu."),
)
RETURN_TOPIC = ("Zwrot towaru", "Klient zgłasza zwrot i pyta o termin zwrotu pieniędzy.")
COSTLY_TOPICS = (
    ("Ponowna reklamacja", "Kolejne zgłoszenie tej samej usterki; klient żąda rozmowy z kierownikiem."),
    ("Skarga na obsługę", "Klient niezadowolony z poprzedniej odpowiedzi, prosi o oddzwonienie."),
    ("Prośba o wizytę serwisu", "Klient prosi o przyjazd serwisanta i indywidualną konsultację."),
    ("Wyjaśnienie rozliczeń", "Klient kwestionuje rozliczenie i prosi o szczegółowe zestawienie."),
)
RESOLUTIONS = ("Sprawa wyjaśniona z klientem.", "Wysłano nowy produkt.", "Zwrot środków zlecony.",
               "Faktura skorygowana.", "Przekazano do kuriera, przesyłka doręczona.")

PIPELINE = "Sprzedaż B2B"
STAGES = (  # name, win probability, won, lost
    ("Nowy lead", "0.1", False, False), ("Kwalifikacja", "0.25", False, False),
    ("Oferta", "0.5", False, False), ("Negocjacje", "0.75", False, False),
    ("Wygrana", "1", True, False), ("Przegrana", "0", False, True),
)
ADVANCE = (0.75, 0.65, 0.6, 0.65)  # chance to reach the next open stage (the last: to win)
LOST_REASONS = ("Cena zbyt wysoka", "Wybrali konkurencję", "Brak budżetu w tym roku", "Projekt wstrzymany",
                "Brak decyzji po stronie klienta")
DEAL_NAMES = ("Dostawa wyposażenia biura", "Umowa ramowa na rok", "Zakup sprzętu dla zespołu",
              "Pakiet upominków firmowych", "Wyposażenie nowego oddziału", "Odnowienie umowy")


def _band(kind: str, score: int) -> str:
    if kind == "nps":
        return "promoter" if score >= 9 else ("passive" if score >= 7 else "detractor")
    return "promoter" if score == 5 else ("passive" if score == 4 else "detractor")


def write_front_office(company: Company, parties: list[int], stage: Progress) -> dict[str, int]:
    """Draw and insert survey answers, service cases and deals; returns their counts."""
    rng = np.random.default_rng((int(company.extra.get("seed", 0)), 6))
    clock = Clock(company)
    users = dict(User.objects.filter(username__in=[s[0] for s in STAFF]).values_list("username", "pk"))
    user_ids = [users[s[0]] for s in STAFF]
    team_pk = dict(Team.objects.filter(name__in=TEAMS).values_list("name", "pk"))
    staff_team = [team_pk[s[4]] for s in STAFF]
    counts = {
        "survey_responses": _answers(company, rng, clock, parties),
        "cases": _cases(company, rng, clock, parties, user_ids, staff_team),
        "deals": _deals(company, rng, clock, parties, user_ids, staff_team),
    }
    fastload.reset_sequences(Survey, SurveyResponse, Case, Pipeline, Stage, Deal, DealStageChange)
    for label, count in counts.items():
        stage(label.replace("_", " "), count)
    return counts


def _answers(company: Company, rng: np.random.Generator, clock: Clock, parties: list[int]) -> int:
    start = clock.at(0)
    surveys = fastload.next_ids(Survey, 2)
    fastload.insert(Survey, {
        "id": surveys, "name": ["Ankieta NPS po zakupie", "Zadowolenie z dostawy"], "kind": ["nps", "csat"],
        "question": ["Jak bardzo prawdopodobne jest, że polecisz nas znajomym? (0–10)",
                     "Jak oceniasz dostawę swojego zamówienia? (1–5)"],
        "is_active": [True, True], "created_at": [start, start],
    })
    b = company.baskets
    n, horizon = company.customers, company.horizon
    group = company.group
    lean = rng.normal(0.0, 1.1, size=n)
    lean[group == "top_customer"] += 0.9
    lean[group == "heavy_returner"] -= 1.8
    lean[group == "high_cost_to_serve"] -= 3.2
    promoter = group == "promoter"
    when = b.day + b.second / 86400.0
    returned = b.status == "returned"
    rows: list[tuple[int, int, str, int, float]] = []  # survey, customer, kind, score, day
    for k, (kind, share, centre, spread, top) in enumerate((("nps", 0.12, 7.9, 1.3, 10), ("csat", 0.10, 4.15, 0.7, 5))):
        asked = (rng.random(len(b)) < share) & (b.status != "cancelled")
        day = when + rng.uniform(1.0, 9.0, size=len(b))
        asked &= day < horizon - 0.01
        who = b.customer[asked]
        scale = 1.0 if kind == "nps" else 0.45
        raw = centre + scale * lean[who] + rng.normal(0.0, spread, size=len(who)) - np.where(returned[asked], 2.0 * scale, 0.0)
        score = np.clip(np.rint(raw), 0 if kind == "nps" else 1, top).astype(np.int64)
        high = rng.integers(9, 11, size=len(who)) if kind == "nps" else np.where(rng.random(len(who)) < 0.8, 5, 4)
        score = np.where(promoter[who], high, score)
        rows += [(surveys[k], int(c), kind, int(s), float(d))
                 for c, s, d in zip(who.tolist(), score.tolist(), day[asked].tolist(), strict=True)]
    # Every planted promoter has a recent NPS answer of 9 or 10.
    for c in np.flatnonzero(promoter).tolist():
        rows.append((surveys[0], c, "nps", int(rng.integers(9, 11)), horizon - float(rng.uniform(1.0, 60.0))))
    rows.sort(key=lambda r: (r[4], r[1]))
    language = company.roster.language
    comment_draw = rng.random(len(rows))
    pick = rng.integers(0, 1_000_000, size=len(rows))
    ids = fastload.next_ids(SurveyResponse, len(rows))
    comments = []
    planted: dict[str, list[int]] = {theme: [] for theme in PLANTED}
    for (_s, c, kind, score, _d), u, p, rid in zip(rows, comment_draw.tolist(), pick.tolist(), ids, strict=True):
        band = _band(kind, score)
        chance = {"promoter": 0.45, "passive": 0.35, "detractor": 0.7}[band]
        if u >= chance:
            comments.append("")
            continue
        text, theme = compose(band, comment_language(language[c]), p)
        comments.append(text)
        if theme is not None:
            planted[theme].append(rid)
    DemoFact.objects.create(key="feedback_themes", value=planted)
    return fastload.insert(SurveyResponse, {
        "id": ids, "survey_id": [r[0] for r in rows], "party_id": [parties[r[1]] for r in rows],
        "kind": [r[2] for r in rows], "score": [r[3] for r in rows], "comment": comments,
        "answered_at": clock.many(np.array([r[4] for r in rows])), "invitation_id": [None] * len(rows),
    })


def _cases(company: Company, rng: np.random.Generator, clock: Clock, parties: list[int],
           users: list[int], staff_team: list[int]) -> int:
    b = company.baskets
    horizon = float(company.horizon)
    when = b.day + b.second / 86400.0
    returned = b.status == "returned"
    ordinary = (rng.random(len(b)) < 0.03) & (b.status != "cancelled")
    return_case = returned & (rng.random(len(b)) < 0.8)
    # customer, day, topic, description, priority, costly
    plan: list[tuple[int, float, str, str, str, bool]] = []
    topic = rng.integers(0, len(CASE_TOPICS), size=len(b))
    lag = rng.uniform(0.5, 6.0, size=len(b))
    for c, d, t in zip(b.customer[ordinary].tolist(), (when + lag)[ordinary].tolist(), topic[ordinary].tolist(), strict=True):
        plan.append((c, d, *CASE_TOPICS[t], "normal", False))
    for c, d in zip(b.customer[return_case].tolist(), (when + lag)[return_case].tolist(), strict=True):
        plan.append((c, d, *RETURN_TOPIC, "normal", False))
    costly = company.extra["chosen"]["high_cost_to_serve"]
    for c in costly.tolist():
        start = float(company.acquired[c])
        k = int(rng.poisson(6.0 * max(0.0, horizon - start) / 365.0))
        for d in np.sort(rng.uniform(start, horizon, size=k)).tolist():
            plan.append((c, d, *COSTLY_TOPICS[int(rng.integers(len(COSTLY_TOPICS)))],
                         str(rng.choice(["normal", "high", "urgent"], p=[0.3, 0.45, 0.25])), True))
    plan = [p for p in plan if p[1] < horizon - 0.01]
    plan.sort(key=lambda p: (p[1], p[0]))
    owner = company.roster.owner
    columns: dict[str, list[Any]] = {k: [] for k in (
        "party_id", "subject", "description", "priority", "status", "opened_at", "sla_due_at", "resolved_at",
        "closed_at", "resolution", "owner_id", "team_id", "version", "created_at", "updated_at")}
    for c, day, subject, description, priority, slow in plan:
        if not slow:
            priority = str(rng.choice(["low", "normal", "high"], p=[0.25, 0.6, 0.15]))
        opened = clock.at(day)
        due = opened + timedelta(hours=DEFAULT_HOURS[priority])
        hours = float(rng.gamma(2.0, DEFAULT_HOURS[priority] * (0.9 if slow else 0.35)))
        resolved: datetime | None = opened + timedelta(hours=max(0.25, hours))
        status = "closed"
        end = clock.at(horizon)
        if resolved >= end or (day > horizon - 14 and rng.random() < 0.5):
            resolved, status = None, str(rng.choice(["new", "open", "pending"]))
        elif day > horizon - 30:
            status = "resolved"
        agent = owner[c] if owner[c] >= 0 and not slow else SERVICE_AGENTS[int(rng.integers(len(SERVICE_AGENTS)))]
        columns["party_id"].append(parties[c])
        columns["subject"].append(subject)
        columns["description"].append(description)
        columns["priority"].append(priority)
        columns["status"].append(status)
        columns["opened_at"].append(opened)
        columns["sla_due_at"].append(due)
        columns["resolved_at"].append(resolved)
        columns["closed_at"].append(min(end, resolved + timedelta(days=2)) if status == "closed" and resolved else None)
        columns["resolution"].append(RESOLUTIONS[int(rng.integers(len(RESOLUTIONS)))] if resolved else "")
        columns["owner_id"].append(users[agent])
        columns["team_id"].append(staff_team[agent])
        columns["version"].append(1)
        columns["created_at"].append(opened)
        columns["updated_at"].append(resolved or opened)
    return fastload.insert(Case, columns)


def _deals(company: Company, rng: np.random.Generator, clock: Clock, parties: list[int],
           users: list[int], staff_team: list[int]) -> int:
    horizon = float(company.horizon)
    pipeline_id = fastload.next_ids(Pipeline, 1)[0]
    fastload.insert(Pipeline, {"id": [pipeline_id], "name": [PIPELINE], "is_active": [True],
                               "created_at": [clock.at(0)]})
    stage_ids = fastload.next_ids(Stage, len(STAGES))
    fastload.insert(Stage, {
        "id": stage_ids, "pipeline_id": [pipeline_id] * len(STAGES), "name": [s[0] for s in STAGES],
        "order": list(range(1, len(STAGES) + 1)), "win_probability": [Decimal(s[1]) for s in STAGES],
        "is_won": [s[2] for s in STAGES], "is_lost": [s[3] for s in STAGES],
    })
    roster = company.roster
    kinds = np.array(roster.kind)
    n = company.customers
    orgs = np.flatnonzero(kinds[:n] == "organisation").tolist()
    org_prospects = [(int(p), float(d)) for p, d in zip(company.prospects.tolist(), company.lead_day.tolist(), strict=True)
                     if roster.kind[p] == "organisation"]
    opened: list[tuple[int, float]] = []
    for c in orgs:  # customers: renewals and extra orders, about one deal a year
        start = float(company.acquired[c])
        for d in rng.uniform(start, horizon, size=int(rng.poisson(max(0.3, (horizon - start) / 365.0)))).tolist():
            opened.append((c, d))
    opened += [(p, d + float(rng.uniform(1, 20))) for p, d in org_prospects if rng.random() < 0.8]
    # Today's pipeline: half the organisations still buying have a deal opened lately.
    alive = company.alive
    opened += [(c, horizon - float(rng.uniform(2, 100))) for c in orgs if alive[c] and rng.random() < 0.5]
    opened = sorted((o for o in opened if o[1] < horizon - 1), key=lambda o: (o[1], o[0]))
    deal_ids = fastload.next_ids(Deal, len(opened))
    deals: dict[str, list[Any]] = {k: [] for k in (
        "id", "pipeline_id", "stage_id", "party_id", "name", "amount", "currency", "expected_close", "owner_id",
        "team_id", "status", "close_reason", "closed_at", "version", "created_at", "updated_at")}
    changes: dict[str, list[Any]] = {k: [] for k in ("deal_id", "from_stage_id", "to_stage_id", "changed_at",
                                                     "changed_by_id")}
    for deal_id, (c, day) in zip(deal_ids, opened, strict=True):
        rep = roster.owner[c] if roster.owner[c] >= 0 else SALES_REPS[int(rng.integers(len(SALES_REPS)))]
        at, reached, path = day, 0, [(0, day)]
        status = "open"
        while True:
            step = float(rng.gamma(2.0, 14.0))
            if at + step >= horizon - 0.01:
                break  # still in this stage today
            at += step
            if rng.random() >= ADVANCE[reached]:
                status = "lost"
                path.append((5, at))
                break
            if reached == 3:
                status = "won"
                path.append((4, at))
                break
            reached += 1
            path.append((reached, at))
        final, last_day = path[-1]
        created, closed = clock.at(day), clock.at(last_day)
        deals["id"].append(deal_id)
        deals["pipeline_id"].append(pipeline_id)
        deals["stage_id"].append(stage_ids[final])
        deals["party_id"].append(parties[c])
        deals["name"].append(DEAL_NAMES[int(rng.integers(len(DEAL_NAMES)))])
        deals["amount"].append(Decimal(int(round(float(rng.lognormal(9.6, 0.7)), -2))))
        deals["currency"].append("PLN")
        deals["expected_close"].append((clock.at(last_day) + timedelta(days=int(rng.integers(20, 90)))).date()
                                       if status == "open" else None)
        deals["owner_id"].append(users[rep])
        deals["team_id"].append(staff_team[rep])
        deals["status"].append(status)
        deals["close_reason"].append(LOST_REASONS[int(rng.integers(len(LOST_REASONS)))] if status == "lost" else "")
        deals["closed_at"].append(closed if status != "open" else None)
        deals["version"].append(len(path))
        deals["created_at"].append(created)
        deals["updated_at"].append(closed)
        previous = None
        for stage_index, d in path:
            changes["deal_id"].append(deal_id)
            changes["from_stage_id"].append(previous)
            changes["to_stage_id"].append(stage_ids[stage_index])
            changes["changed_at"].append(clock.at(d))
            changes["changed_by_id"].append(users[rep])
            previous = stage_ids[stage_index]
    count = fastload.insert(Deal, deals)
    fastload.insert(DealStageChange, changes)
    return count
