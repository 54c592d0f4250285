"""Server time of the web pages with 1M parties in PostgreSQL (issue 6).

Builds (once) a scratch database ``<name>_ui_bench_<parties>`` from the data set of
``score_bench.py`` (its generator, loader and scoring run are reused: ``--parties``
customers, ten order lines each, interactions, campaigns, then ``clientela score`` so a
current run with one CustomerScore per party exists), gives the parties searchable
names, e-mail addresses and phone numbers, owners among 100 sales representatives in
10 teams, and NPS survey answers. The database is kept for the next run (``--rebuild``
builds it again, ``--drop`` drops it at the end).

Deals for the front office (issue 12) are added once when missing (``seed_deals``): a
pipeline "Bench pipeline" with ``--deals`` open deals (10,000 by default) spread over
its four open stages and twelve close months, each on a party and owned by the party's
representative and team, with a first stage-history row each.

Then it times, in this process, Django's test client against the dashboard, My day, the task list, the model
page, the pipeline board (all open deals; filtered by close month or owner), a column's
next cards (htmx "load more"), the deal page, the customer list (browsed by CLV; by P(alive), churn risk or name; searched by
name / e-mail / reference / phone digits and sorted by CLV), customer 360 pages, the
service case queue (filters and pages; one case per 20 parties) and the global search
(page and htmx answer, with the customer search's terms), each request with other terms,
pages and parties, logged in as an administrator (sees every party), a manager (a team,
about 10 %) and a sales representative (own parties, about 1 %). It prints p50 / p95 /
max milliseconds and the SQL queries per request for each page and role, with the load
average. Nothing is asserted; the target is p95 <= 200 ms per page.

    python benchmarks/ui_bench.py                       # 1,000,000 parties
    python benchmarks/ui_bench.py --parties 20000       # a quick run
    python benchmarks/ui_bench.py --requests 100 --role admin
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import score_bench  # noqa: E402  (the shared generator, loader and scoring run)

REPS = 100
TEAMS = 10
FIRST = ["Anna", "Maria", "Katarzyna", "Agnieszka", "Barbara", "Ewa", "Zofia", "Jan", "Piotr",
         "Krzysztof", "Andrzej", "Tomasz", "Pawel", "Michal", "Marcin", "Jakub", "Adam", "Olga",
         "Ivan", "Natalia", "Sergey", "Elena", "Dmitry", "Irina", "Oleg", "Tatiana", "Marek",
         "Joanna", "Lukasz", "Magda"]
STEMS = ["Kowal", "Nowak", "Wisniew", "Wojcik", "Kaminsk", "Lewand", "Zielin", "Szyman",
         "Wozniak", "Dabrow", "Kozlow", "Jankow", "Mazur", "Kwiatk", "Krawczyk", "Piotrow",
         "Grabow", "Nowakow", "Pawlow", "Michalsk", "Nowick", "Adamczyk", "Dudek", "Zajac",
         "Wieczor", "Jablon", "Krol", "Majewsk", "Olszew", "Jaworsk", "Wrobel", "Malinow",
         "Pawlak", "Witkow", "Walczak", "Stepien", "Gorsk", "Rutkow", "Michalak", "Sikor",
         "Ostrow", "Baran", "Duda", "Szewczyk", "Tomaszew", "Pietrzak", "Marciniak", "Wroblew",
         "Zalewsk", "Jakubow", "Jasinsk", "Zawadzk", "Sadowsk", "Bak", "Chmiel", "Wlodarcz",
         "Borkow", "Czarnec", "Sawick", "Sokolow"]
ENDINGS = ["ski", "czyk", "ak", "ewicz", "owski"]
DOMAINS = ["gmail.com", "wp.pl", "onet.pl", "mail.ru", "yandex.ru", "firma.pl"]


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def database_url(url: str, parties: int) -> str:
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'clientela'}_ui_bench_{parties}"
    return urlunsplit(parts._replace(path=f"/{name}"))


def is_built(url: str) -> bool:
    """A kept database from an earlier run: bench users and a current scoring run."""
    try:
        with psycopg.connect(score_bench._pg(url)) as conn:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM scoring_modelrun WHERE is_current), "
                "(SELECT count(*) FROM accounts_user WHERE username = 'bench_admin')"
            ).fetchone()
    except psycopg.Error:
        return False
    return row is not None and row[0] == 1 and row[1] == 1


def enrich(url: str) -> None:
    """What the score benchmark's parties lack for the pages: names, e-mail addresses
    and phones to search, owners and teams, and NPS answers for the dashboard."""
    n_first, n_stem, n_end = len(FIRST), len(STEMS), len(ENDINGS)
    with psycopg.connect(score_bench._pg(url)) as conn:
        t = time.perf_counter()
        conn.execute(
            "INSERT INTO accounts_team (name) SELECT 'Team ' || i FROM generate_series(1, %s) i",
            (TEAMS,),
        )
        team0 = conn.execute("SELECT min(id) FROM accounts_team").fetchone()[0]  # type: ignore[index]
        user_columns = ("password, last_login, is_superuser, username, first_name, last_name, email, "
                        "is_staff, is_active, date_joined, role, team_id")
        conn.execute(
            f"INSERT INTO accounts_user ({user_columns}) SELECT '!', NULL, false, 'rep_' || i, "
            "'Rep', i::text, '', false, true, now(), 'sales_rep', %s + (i - 1) %% %s "
            "FROM generate_series(1, %s) i ORDER BY i",
            (team0, TEAMS, REPS),
        )
        conn.execute(
            f"INSERT INTO accounts_user ({user_columns}) VALUES "
            "('!', NULL, false, 'bench_admin', 'Bench', 'Admin', '', false, true, now(), 'admin', NULL),"
            "('!', NULL, false, 'bench_manager', 'Bench', 'Manager', '', false, true, now(), 'manager', %s)",
            (team0,),
        )
        rep0 = conn.execute("SELECT min(id) FROM accounts_user WHERE role = 'sales_rep'").fetchone()[0]  # type: ignore[index]
        # Every tenth party has no owner; the rest go round the representatives (rep i in
        # team i mod 10), so a representative owns ~0.9 % and a team ~9 % of the parties.
        conn.execute(
            f"""
            UPDATE parties_party SET
              name = ({_array(FIRST)})[1 + (id * 31) %% {n_first}] || ' '
                     || ({_array(STEMS)})[1 + (id * 17) %% {n_stem}]
                     || ({_array(ENDINGS)})[1 + (id / 7) %% {n_end}],
              email = lower(({_array(FIRST)})[1 + (id * 31) %% {n_first}]) || '.'
                      || lower(({_array(STEMS)})[1 + (id * 17) %% {n_stem}]) || id || '@'
                      || ({_array(DOMAINS)})[1 + id %% {len(DOMAINS)}],
              phone = '+48 ' || substr(d, 1, 3) || ' ' || substr(d, 4, 3) || '-' || substr(d, 7, 3),
              country = CASE WHEN id %% 5 = 0 THEN 'RU' ELSE 'PL' END,
              owner_id = CASE WHEN id %% 10 = 0 THEN NULL ELSE %(rep0)s + r END,
              team_id = CASE WHEN id %% 10 = 0 THEN NULL ELSE %(team0)s + r %% {TEAMS} END
            FROM (SELECT id AS pid, (500000000 + (id * 104729) %% 499999999)::text AS d,
                         ((id * 2654435761) / 256) %% {REPS} AS r
                  FROM parties_party) digits
            WHERE digits.pid = parties_party.id
            """,
            {"rep0": rep0, "team0": team0},
        )
        # NPS answers from 8 % of the parties over the last two years.
        conn.execute(
            "INSERT INTO feedback_survey (name, kind, question, is_active, created_at) "
            "VALUES ('Relationship NPS', 'nps', 'How likely are you to recommend us?', true, now())"
        )
        conn.execute(
            """
            INSERT INTO feedback_surveyresponse (kind, score, comment, answered_at, party_id, survey_id)
            SELECT 'nps', LEAST(10, GREATEST(0, round(8 + 2.5 * sin(id * 1.7))))::int, '',
                   %s::timestamptz - ((id * 7907) %% (730 * 86400)) * interval '1 second', id,
                   (SELECT max(id) FROM feedback_survey)
            FROM parties_party WHERE id %% 12 = 0
            """,
            (f"{score_bench.END.astype('datetime64[D]')} 00:00:00+00",),
        )
        conn.commit()
        print(f"  names, e-mails, phones, owners, {REPS} representatives and NPS answers in "
              f"{time.perf_counter() - t:.1f} s", flush=True)
    with psycopg.connect(score_bench._pg(url), autocommit=True) as conn:
        t = time.perf_counter()
        conn.execute("VACUUM (FULL, ANALYZE) parties_party")
        conn.execute("VACUUM ANALYZE")
        print(f"  vacuumed in {time.perf_counter() - t:.1f} s", flush=True)


def add_tasks(url: str) -> None:
    """Open tasks for My day and the task list (once): two for every ten parties (about
    200 per representative at 1M parties), assigned to the party's owner, due from 20 days
    ago to 19 days ahead; one in 250 goes to the bench manager and one in 250 to the bench
    administrator instead."""
    with psycopg.connect(score_bench._pg(url)) as conn:
        if conn.execute("SELECT EXISTS (SELECT 1 FROM tasks_task)").fetchone()[0]:  # type: ignore[index]
            return
        t = time.perf_counter()
        admin, manager = (conn.execute("SELECT id FROM accounts_user WHERE username = %s", (name,)).fetchone()[0]  # type: ignore[index]
                          for name in ("bench_admin", "bench_manager"))
        conn.execute(
            """
            INSERT INTO tasks_task (title, description, due_on, status, version, created_at, updated_at,
                                    assignee_id, created_by_id, party_id)
            SELECT 'Call ' || name, '', current_date + ((id / 10) %% 40 - 20)::int, 'open', 1, now(), now(),
                   CASE WHEN id %% 500 = 12 THEN %(manager)s WHEN id %% 500 = 22 THEN %(admin)s ELSE owner_id END,
                   owner_id, id
            FROM parties_party WHERE owner_id IS NOT NULL AND id %% 10 = 2
            UNION ALL
            SELECT 'Follow up ' || name, '', current_date + ((id / 10) %% 40 - 20)::int, 'open', 1, now(), now(),
                   CASE WHEN id %% 500 = 13 THEN %(manager)s WHEN id %% 500 = 23 THEN %(admin)s ELSE owner_id END,
                   owner_id, id
            FROM parties_party WHERE owner_id IS NOT NULL AND id %% 10 = 3
            """,
            {"admin": admin, "manager": manager},
        )
        conn.commit()
        count = conn.execute("SELECT count(*) FROM tasks_task").fetchone()[0]  # type: ignore[index]
        conn.execute("ANALYZE tasks_task")
        print(f"  {count} open tasks in {time.perf_counter() - t:.1f} s", flush=True)


BENCH_PIPELINE = "Bench pipeline"
BENCH_STAGES = [("Lead", "0.1", False, False), ("Qualified", "0.25", False, False),
                ("Proposal", "0.5", False, False), ("Negotiation", "0.75", False, False),
                ("Won", "1", True, False), ("Lost", "0", False, True)]


def seed_deals(url: str, deals: int) -> None:
    """A pipeline with ``deals`` open deals, once (kept with the database). Deal ``i`` is
    on party ``1 + i × 7919 mod parties`` with that party's owner and team, in open stage
    ``i mod 4``, closing in one of the next twelve months, in PLN (every tenth in EUR)."""
    with psycopg.connect(score_bench._pg(url)) as conn:
        if conn.execute("SELECT 1 FROM sales_pipeline WHERE name = %s", (BENCH_PIPELINE,)).fetchone():
            return
        t = time.perf_counter()
        pipeline = conn.execute(
            "INSERT INTO sales_pipeline (name, is_active, created_at) VALUES (%s, true, now()) RETURNING id",
            (BENCH_PIPELINE,),
        ).fetchone()[0]  # type: ignore[index]
        for order, (name, p, won, lost) in enumerate(BENCH_STAGES, start=1):
            conn.execute(
                'INSERT INTO sales_stage (pipeline_id, name, "order", win_probability, is_won, is_lost) '
                "VALUES (%s, %s, %s, %s, %s, %s)", (pipeline, name, order, p, won, lost),
            )
        first = conn.execute("SELECT min(id) FROM sales_stage WHERE pipeline_id = %s", (pipeline,)).fetchone()[0]  # type: ignore[index]
        parties = conn.execute("SELECT max(id) FROM parties_party").fetchone()[0]  # type: ignore[index]
        conn.execute(
            """
            INSERT INTO sales_deal (pipeline_id, stage_id, party_id, name, amount, currency, expected_close,
                                    owner_id, team_id, status, close_reason, closed_at, version,
                                    created_at, updated_at)
            SELECT %(pipeline)s, %(first)s + i %% 4, p.id, 'Bench deal ' || i, 500 + (i * 37) %% 20000,
                   CASE WHEN i %% 10 = 0 THEN 'EUR' ELSE 'PLN' END,
                   (date_trunc('month', now()) + ((i %% 12) || ' months')::interval + ((i %% 28) || ' days')::interval)::date,
                   p.owner_id, p.team_id, 'open', '', NULL, 1,
                   now() - (i || ' minutes')::interval, now() - (i || ' minutes')::interval
            FROM generate_series(1, %(n)s) i
            JOIN parties_party p ON p.id = 1 + (i::bigint * 7919) %% %(parties)s
            """,
            {"pipeline": pipeline, "first": first, "n": deals, "parties": parties},
        )
        conn.execute(
            "INSERT INTO sales_dealstagechange (deal_id, from_stage_id, to_stage_id, changed_at, changed_by_id) "
            "SELECT id, NULL, stage_id, created_at, NULL FROM sales_deal WHERE pipeline_id = %s",
            (pipeline,),
        )
        conn.commit()
        print(f"  {deals} open deals in {BENCH_PIPELINE!r} in {time.perf_counter() - t:.1f} s", flush=True)
    with psycopg.connect(score_bench._pg(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE sales_deal")
        conn.execute("VACUUM ANALYZE sales_dealstagechange")


CASE_SHARE = 20  # one service case per this many parties


def ensure_cases(url: str) -> None:
    """Service cases for the case queue and the global search (issue 12): one per
    ``CASE_SHARE`` parties, owned like their party, a third resolved, the rest new, open
    or pending, opened over the last 30 days with the default SLA hours. Added once, to a
    kept database too."""
    with psycopg.connect(score_bench._pg(url)) as conn:
        if conn.execute("SELECT EXISTS (SELECT 1 FROM service_case)").fetchone()[0]:  # type: ignore[index]
            return
        t = time.perf_counter()
        conn.execute(
            f"""
            INSERT INTO service_case (party_id, subject, description, priority, status, opened_at,
                                      sla_due_at, resolved_at, closed_at, resolution, owner_id, team_id,
                                      version, created_at, updated_at)
            SELECT id, subj, '', prio, st, opened, opened + hours * interval '1 hour',
                   CASE WHEN st = 'resolved' THEN opened + ((id % 40) + 1) * interval '1 hour' END, NULL,
                   CASE WHEN st = 'resolved' THEN 'Solved' ELSE '' END, owner_id, team_id, 1, now(), now()
            FROM (
              SELECT p.id, p.owner_id, p.team_id,
                     (ARRAY['Reklamacja', 'Zwrot', 'Brak dostawy', 'Faktura', 'Łódź: uszkodzona paczka'])
                       [1 + (p.id / {CASE_SHARE}) % 5] || ' ' || p.name AS subj,
                     (ARRAY['low', 'normal', 'high', 'urgent'])[1 + p.id % 4] AS prio,
                     (ARRAY[72, 24, 8, 4])[1 + p.id % 4] AS hours,
                     CASE WHEN p.id % 3 = 0 THEN 'resolved'
                          ELSE (ARRAY['new', 'open', 'pending'])[1 + (p.id / 3) % 3] END AS st,
                     now() - ((p.id * 7919) % (30 * 86400)) * interval '1 second' AS opened
              FROM parties_party p WHERE p.id % {CASE_SHARE} = 0
            ) c
            """
        )
        n = conn.execute("SELECT count(*) FROM service_case").fetchone()[0]  # type: ignore[index]
        conn.commit()
        conn.execute("ANALYZE service_case")
        conn.commit()
        print(f"  {n} service cases in {time.perf_counter() - t:.1f} s", flush=True)


def build(url: str, parties: int, lines_per_party: int = 10) -> None:
    t = time.perf_counter()
    paths = score_bench.generate(parties, parties * lines_per_party)
    print(f"data set ready in {time.perf_counter() - t:.1f} s ({paths['lines'].parent.name})", flush=True)
    score_bench.create_database(url)
    env = dict(os.environ, CLIENTELA_DATABASE_URL=url)
    env.setdefault("CLIENTELA_SECRET_KEY", "ui-bench-only")
    t = time.perf_counter()
    subprocess.run(["clientela", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    score_bench.load(url, paths)
    enrich(url)
    print(f"database migrated, loaded and enriched in {time.perf_counter() - t:.1f} s", flush=True)
    code = score_bench.score(url, str(score_bench.END.astype("datetime64[D]")))
    if code != 0:
        raise SystemExit(code)


# --- measuring ------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _search_terms(rng: random.Random, sample: list[tuple[int, str, str, str, str]]) -> list[str]:
    """Search strings of several kinds, drawn from parties the user may see."""
    terms = []
    for _pid, name, email, ref, phone in sample:
        first, last = name.split(" ", 1)
        digits = "".join(c for c in phone if c.isdigit())
        terms.extend([
            last[: rng.randint(4, len(last))].lower(),           # part of a surname
            f"{first} {last}",                                     # a full name
            email.split("@")[0][: rng.randint(6, 14)],             # the start of an address
            email,                                                 # a whole address
            ref[: rng.randint(min(4, len(ref)), len(ref))],        # part of a reference
            digits[-rng.randint(6, 9):],                           # the end of the phone number
            f"{digits[2:5]} {digits[5:8]}",                        # phone digits with a space
        ])
    rng.shuffle(terms)
    return terms


def _queue_filters(rng: random.Random, user: object) -> dict[str, object]:
    """The case queue as agents browse it: the active queue, a priority, breached only,
    their own cases, resolved ones, a later page."""
    return rng.choice([
        {}, {}, {"priority": rng.choice(["urgent", "high"])}, {"breached": 1}, {"assignee": "me"},
        {"status": "resolved"}, {"status": "all", "page": rng.randint(2, 20)}, {"page": rng.randint(2, 40)},
    ])


def measure(
    url: str, *, requests: int, roles: list[str], seed: int, only_pages: list[str] | None = None
) -> dict[str, dict[str, list[float]]]:
    os.environ["CLIENTELA_DATABASE_URL"] = url
    os.environ.setdefault("CLIENTELA_SECRET_KEY", "ui-bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from clientela.crm.accounts.models import User
    from clientela.crm.parties.access import visible_parties
    from clientela.crm.sales.access import visible_deals
    from clientela.crm.sales.models import Pipeline
    from clientela.web.board import cursor_of

    bench_pipeline = Pipeline.objects.get(name=BENCH_PIPELINE)
    open_stages = list(bench_pipeline.stages.filter(is_won=False, is_lost=False).order_by("order"))

    results: dict[str, dict[str, list[float]]] = {}
    users = {
        "admin": User.objects.get(username="bench_admin"),
        "manager": User.objects.get(username="bench_manager"),
        "sales_rep": User.objects.get(username="rep_7"),
    }
    for role in roles:
        user = users[role]
        rng = random.Random(f"{seed}-{role}")
        client = Client()
        client.force_login(user)
        visible = visible_parties(user)
        top = visible.order_by("-id").values_list("id", flat=True)[:1][0]
        ids: list[int] = []
        while len(ids) < requests:  # random visible parties (ids are dense)
            batch = [rng.randint(1, top) for _ in range(requests * 2)]
            ids.extend(visible.filter(pk__in=batch).values_list("id", flat=True)[: requests - len(ids)])
        sample = list(visible.filter(pk__in=ids[:40]).values_list("id", "name", "email", "ref", "phone"))
        terms = _search_terms(rng, sample)
        deals = visible_deals(user).filter(pipeline=bench_pipeline)
        deal_ids = list(deals.order_by("?").values_list("id", flat=True)[:requests])
        owners = list(deals.exclude(owner=None).values_list("owner_id", flat=True).distinct()[:50])
        today = timezone.localdate()
        months = [f"{today.year + (today.month - 1 + k) // 12}-{(today.month - 1 + k) % 12 + 1:02d}" for k in range(12)]
        cursors = []  # the 30th card of a column: where its "load more" starts
        for column in open_stages:
            thirtieth = deals.filter(stage=column).order_by("-updated_at", "-id")[29:30].first()
            if thirtieth is not None:
                cursors.append((column.pk, cursor_of(thirtieth)))
        n = requests + 3  # the first three of each page warm up (connection, templates)
        pages: dict[str, list[str]] = {
            "dashboard": ["/"] * n,
            "model page": ["/model/"] * n,
            "customers, by CLV": ["/customers/?" + urlencode(
                {"sort": "clv", "page": rng.choice([1, 1, 2, 3, rng.randint(1, 200)])}) for _ in range(n)],
            "customers, other sorts": ["/customers/?" + urlencode(
                {"sort": rng.choice(["p_alive", "churn", "name"]),
                 "page": rng.choice([1, 2, rng.randint(1, 200)])}) for _ in range(n)],
            "customers, search by CLV": ["/customers/?" + urlencode(
                {"q": terms[i % len(terms)], "sort": "clv"}) for i in range(n)],
            "customers, search (htmx)": ["/customers/?" + urlencode(
                {"q": terms[(i * 7 + 3) % len(terms)], "sort": "clv"}) for i in range(n)],
            "customer 360": [f"/customers/{ids[i % len(ids)]}/" for i in range(n)],
            "my day": ["/my-day/"] * n,
            "tasks, everyone visible": ["/tasks/?" + urlencode(
                {"scope": "team", "due": rng.choice(["", "overdue", "week"]), "page": rng.choice([1, 1, 2, 5])})
                for _ in range(n)],
            "board, all open deals": [f"/pipeline/{bench_pipeline.pk}/"] * n,
            "board, filtered": [f"/pipeline/{bench_pipeline.pk}/?" + urlencode(
                rng.choice([{"month": month} for month in months]
                           + ([{"owner": rng.choice(owners)}] if owners else []))) for _ in range(n)],
            "board, load more (htmx)": [
                f"/pipeline/{bench_pipeline.pk}/stages/{c[0]}/cards/?" + urlencode({"after": c[1]})
                for c in (cursors[i % len(cursors)] for i in range(n))] if cursors else [],
            "deal page": [f"/deals/{deal_ids[i % len(deal_ids)]}/" for i in range(n)] if deal_ids else [],
            "case queue": ["/cases/?" + urlencode(_queue_filters(rng, user)) for _ in range(n)],
            "global search": ["/search/?" + urlencode({"q": terms[(i * 5 + 1) % len(terms)]}) for i in range(n)],
            "global search (htmx)": ["/search/?" + urlencode({"q": terms[(i * 3 + 2) % len(terms)]})
                                     for i in range(n)],
        }
        for page, paths in pages.items():
            if only_pages and not any(word in page for word in only_pages):
                continue
            target = "global-search-results" if page.startswith("global") else "results"
            headers = {"HX-Request": "true", "HX-Target": target} if "htmx" in page else {}
            for path in paths[:3]:
                client.get(path, headers=headers)
            times, counts = [], []
            for path in paths[3:]:
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(path, headers=headers)
                    elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    print(f"  {role} {path}: HTTP {response.status_code}")
                    continue
                times.append(elapsed * 1000)
                counts.append(len(queries))
            if not times:
                continue
            results.setdefault(role, {})[page] = times
            load = os.getloadavg()[0]
            print(f"{role:<10} {page:<26} n={len(times):>4}  p50 {statistics.median(times):7.1f} ms  "
                  f"p95 {_percentile(times, 0.95):7.1f} ms  max {max(times):7.1f} ms  "
                  f"queries {min(counts)}-{max(counts)}  load {load:.2f}", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parties", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page and role")
    parser.add_argument("--lines-per-party", type=int, default=10,
                        help="order lines per party when building (the pages read parties and "
                             "scores, not order lines: 5 builds faster with the same page costs; "
                             "at least 4, as every one of the ~3.3 orders per party has a line)")
    parser.add_argument("--role", action="append", choices=["admin", "manager", "sales_rep"],
                        help="roles to measure (default: all three)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--page", action="append", default=[],
                        help="time only the pages whose name contains this (repeatable), e.g. 'board'")
    parser.add_argument("--deals", type=int, default=10_000, help="open deals of the bench pipeline (made once)")
    parser.add_argument("--database-url", default=os.environ.get(
        "CLIENTELA_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clientela"))
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("needs PostgreSQL: pass --database-url postgres://…")
    url = database_url(args.database_url, args.parties)
    name = urlsplit(url).path.lstrip("/")
    try:
        if args.rebuild or not is_built(url):
            t = time.perf_counter()
            build(url, args.parties, args.lines_per_party)
            print(f"{name} built in {time.perf_counter() - t:.1f} s", flush=True)
        else:
            print(f"reusing {name} (--rebuild to build it again)", flush=True)
        # Bring the schema up to date (new indexes) on a kept database.
        env = dict(os.environ, CLIENTELA_DATABASE_URL=url)
        env.setdefault("CLIENTELA_SECRET_KEY", "ui-bench-only")
        subprocess.run(["clientela", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        add_tasks(url)  # My day and the task list (on a database built before they existed too)
        seed_deals(url, args.deals)
        ensure_cases(url)
        if args.build_only:
            return 0
        before = os.getloadavg()
        measure(url, requests=args.requests, roles=args.role or ["admin", "manager", "sales_rep"], only_pages=args.page,
                seed=args.seed)
        print(f"load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in before)}; "
              f"after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}  ({os.cpu_count()} CPUs)")
        return 0
    finally:
        if args.drop:
            if "django" in sys.modules:
                from django.db import connections

                connections.close_all()
            score_bench.drop_database(url)
            print(f"{name} dropped")


if __name__ == "__main__":
    sys.exit(main())
