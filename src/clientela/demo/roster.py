"""Who the demo company knows: sales users, parties with their roles, and the planted groups.

Pure Python and NumPy: everything is decided here in memory, written later by
``clientela.demo.writer``. Indexes are positions in the party list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from clientela.demo import names

# (username, first name, last name, role, team)
STAFF: tuple[tuple[str, str, str, str, str], ...] = (
    ("ewa.kaminska", "Ewa", "Kamińska", "manager", "Key Accounts"),
    ("tomasz.zielinski", "Tomasz", "Zieliński", "sales_rep", "Key Accounts"),
    ("james.taylor", "James", "Taylor", "sales_rep", "Key Accounts"),
    ("anna.nowak", "Anna", "Nowak", "manager", "Sales North"),
    ("piotr.wojcik", "Piotr", "Wójcik", "sales_rep", "Sales North"),
    ("karolina.mazur", "Karolina", "Mazur", "sales_rep", "Sales North"),
    ("marek.lis", "Marek", "Lis", "manager", "Sales South"),
    ("joanna.krol", "Joanna", "Król", "sales_rep", "Sales South"),
    ("michal.duda", "Michał", "Duda", "sales_rep", "Sales South"),
    ("natalia.baran", "Natalia", "Baran", "service_agent", "Customer Service"),
    ("kamil.sikora", "Kamil", "Sikora", "service_agent", "Customer Service"),
    ("zofia.pawlak", "Zofia", "Pawlak", "marketer", "Marketing"),
    ("lukasz.wrobel", "Łukasz", "Wróbel", "analyst", "Marketing"),
)
TEAMS: tuple[str, ...] = ("Key Accounts", "Sales North", "Sales South", "Customer Service", "Marketing")
NORTH_CITIES = {"Gdańsk", "Gdynia", "Sopot", "Szczecin", "Bydgoszcz", "Toruń", "Olsztyn",
                "Białystok", "Elbląg", "Warszawa", "Płock", "Poznań", "Łódź"}
NORTH_COUNTRIES = {"GB", "LT"}
COMPANY_DOMAIN = "bursztyn.example"

# Acquisition channels of customers not referred by a promoter (weights; persons, organisations).
PERSON_CHANNELS = {"search": 28, "social": 22, "email": 10, "events": 5, "partner": 7, "direct": 28}
ORG_CHANNELS = {"sales": 40, "events": 20, "partner": 15, "search": 10, "direct": 15}
PREFERRED = ("email", "email", "email", "phone", "sms", "chat", "web", "letter")


def users_in(team: str, roles: tuple[str, ...] = ("sales_rep", "manager")) -> list[int]:
    return [i for i, s in enumerate(STAFF) if s[4] == team and s[3] in roles]


@dataclass
class Roster:
    """Parallel lists, one entry per party."""

    ref: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    email: list[str] = field(default_factory=list)
    phone: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    city: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    preferred: list[str] = field(default_factory=list)
    currency: list[str] = field(default_factory=list)
    role: list[str] = field(default_factory=list)  # customer/prospect/supplier/partner/internal
    also_partner: list[bool] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)  # index into STAFF, -1 none
    team: list[int] = field(default_factory=list)  # index into TEAMS, -1 none
    contacts: list[list[tuple[str, str, str, str]]] = field(default_factory=list)
    _emails: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ref)

    def unique_email(self, local: str, domain: str) -> str:
        key = f"{local}@{domain}"
        seen = self._emails.get(key, 0)
        self._emails[key] = seen + 1
        return key if not seen else f"{local}{seen + 1}@{domain}"


_LOCALE_WEIGHTS = tuple((str(i), loc.weight) for i, loc in enumerate(names.LOCALES))


def _locale(d: names.Draws) -> names.Locale:
    return names.LOCALES[int(d.weighted(_LOCALE_WEIGHTS))]


def _person(d: names.Draws, roster: Roster, *, company: bool = False) -> int:
    loc = names.LOCALES[0] if company else _locale(d)
    female = bool(d.random() < 0.5)
    first = d.pick(loc.female if female else loc.male)
    last = d.pick(loc.surnames)
    if loc.code == "pl":
        last = names.polish_surname(last, female)
    local = names.ascii_slug(f"{first} {last}")
    if not company and d.random() < 0.25:
        local = f"{local}{int(d.integers(1, 99))}"
    domain = COMPANY_DOMAIN if company else d.pick(names.PERSONAL_DOMAINS[loc.code])
    roster.kind.append("person")
    roster.name.append(f"{first} {last}")
    roster.email.append(roster.unique_email(local, domain))
    roster.phone.append(names.phone_number(d, loc.phone_prefix) if d.random() < 0.85 else "")
    roster.country.append(loc.country)
    roster.city.append(d.weighted(loc.cities))
    roster.language.append(loc.code)
    roster.preferred.append(d.pick(PREFERRED))
    roster.currency.append(loc.currency)
    roster.contacts.append([])
    return len(roster.kind) - 1


def _qualifiers(loc: names.Locale) -> tuple[str, ...]:
    return names.ORG_QUALIFIERS + tuple(city for city, _ in loc.cities[:6])


def _organisation(d: names.Draws, roster: Roster, serial: int) -> int:
    loc = names.LOCALES[0] if d.random() < 0.75 else _locale(d)
    stem = d.pick(names.ORG_STEMS)
    suffix = d.pick(names.ORG_SUFFIX[loc.country])
    roster.kind.append("organisation")
    # A qualifier (or the home city) makes repeated stems read as different firms.
    label = stem if serial < len(names.ORG_STEMS) // 2 else f"{stem} {d.pick(_qualifiers(loc))}"
    roster.name.append(f"{label} {suffix}")
    domain = f"{names.ascii_slug(label, '-')}.example"
    roster.email.append(roster.unique_email(d.pick(("biuro", "kontakt", "office", "info")), domain))
    roster.phone.append(names.phone_number(d, loc.phone_prefix))
    roster.country.append(loc.country)
    roster.city.append(d.weighted(loc.cities))
    roster.language.append("pl" if loc.country == "PL" else "en")
    roster.preferred.append(d.pick(("email", "phone", "meeting")))
    roster.currency.append("PLN" if loc.country == "PL" else ("GBP" if loc.country == "GB" else "EUR"))
    people = []
    for k in range(int(d.integers(1, 4))):
        female = bool(d.random() < 0.5)
        first = d.pick(names.PL_FEMALE if female else names.PL_MALE)
        last = names.polish_surname(d.pick(names.PL_SURNAMES), female)
        people.append((
            f"{first} {last}",
            d.pick(names.JOB_TITLES),
            f"{names.ascii_slug(first + ' ' + last)}@{domain}",
            names.phone_number(d, "+48") if k == 0 or d.random() < 0.5 else "",
        ))
    roster.contacts.append(people)
    return len(roster.kind) - 1


def _assign_team(roster: Roster, i: int, d: names.Draws, *, owned: bool) -> None:
    if roster.kind[i] == "organisation":
        team = "Key Accounts"
    elif roster.city[i] in NORTH_CITIES or roster.country[i] in NORTH_COUNTRIES:
        team = "Sales North"
    else:
        team = "Sales South"
    roster.team.append(TEAMS.index(team))
    reps = users_in(team)
    roster.owner.append(reps[int(d.integers(len(reps)))] if owned else -1)


@dataclass(frozen=True)
class Composition:
    customers: int
    prospects: int
    suppliers: int
    partners: int  # organisations that are partners only
    partner_customers: int  # customer organisations that are also partners
    internal: int
    org_share: float = 0.08


def composition(parties: int) -> Composition:
    internal = max(2, round(parties * 0.004))
    suppliers = max(2, round(parties * 0.008))
    partners = max(2, round(parties * 0.006))
    partner_customers = max(1, round(parties * 0.003))
    prospects = max(5, round(parties * 0.12))
    customers = parties - internal - suppliers - partners - prospects
    return Composition(customers, prospects, suppliers, partners, partner_customers, internal)


def build_roster(rng: np.random.Generator, comp: Composition) -> tuple[Roster, np.ndarray]:
    """All parties with identities and owners; returns the roster and customer indexes.

    Order in the roster: customers, prospects, suppliers, partners, internal.
    """
    roster = Roster()
    d = names.Draws(rng)
    n_org = max(2, round(comp.customers * comp.org_share))
    is_org = np.zeros(comp.customers, dtype=bool)
    is_org[rng.choice(comp.customers, size=n_org, replace=False)] = True
    serial = 0
    for c in range(comp.customers):
        if is_org[c]:
            i = _organisation(d, roster, serial)
            serial += 1
        else:
            i = _person(d, roster)
        roster.role.append("customer")
        roster.also_partner.append(False)
        _assign_team(roster, i, d, owned=roster.kind[i] == "organisation" or d.random() < 0.35)
    org_customers = np.flatnonzero(is_org)
    for c in rng.choice(org_customers, size=min(comp.partner_customers, len(org_customers)), replace=False):
        roster.also_partner[int(c)] = True
    for _ in range(comp.prospects):
        i = _organisation(d, roster, serial) if d.random() < 0.15 else _person(d, roster)
        serial += roster.kind[i] == "organisation"
        roster.role.append("prospect")
        roster.also_partner.append(False)
        _assign_team(roster, i, d, owned=d.random() < 0.7)
    for role, count in (("supplier", comp.suppliers), ("partner", comp.partners)):
        for _ in range(count):
            i = _organisation(d, roster, serial)
            serial += 1
            roster.role.append(role)
            roster.also_partner.append(False)
            roster.team.append(TEAMS.index("Key Accounts"))
            roster.owner.append(0)
    for _ in range(comp.internal):
        i = _person(d, roster, company=True)
        roster.country[i], roster.language[i], roster.currency[i] = "PL", "pl", "PLN"
        roster.role.append("internal")
        roster.also_partner.append(False)
        roster.team.append(-1)
        roster.owner.append(-1)
    return roster, np.arange(comp.customers)


def acquisition_channels(
    rng: np.random.Generator, is_org: np.ndarray
) -> np.ndarray:
    """The channel each customer was acquired through (referrals are set later)."""
    out = np.empty(len(is_org), dtype=object)
    for mask, table in ((~is_org, PERSON_CHANNELS), (is_org, ORG_CHANNELS)):
        keys = list(table)
        w = np.array([table[k] for k in keys], dtype=float)
        out[mask] = np.array(keys, dtype=object)[rng.choice(len(keys), size=int(mask.sum()), p=w / w.sum())]
    return out
