"""Names, places and contact details that make the demo company look real.

Written for this project. Surnames are common ones in each country; e-mail domains are
reserved example domains (RFC 2606) or the Polish ``przyklad.pl``, and UK phone numbers
use Ofcom's range reserved for drama (07700 900000-900999), so no real person is named
or reachable.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

import numpy as np


@dataclass(frozen=True)
class Locale:
    code: str  # language
    country: str
    weight: float
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    cities: tuple[tuple[str, float], ...]
    phone_prefix: str
    currency: str


PL_MALE = (
    "Adam", "Andrzej", "Antoni", "Bartosz", "Dariusz", "Dawid", "Grzegorz", "Hubert",
    "Jakub", "Jan", "Jerzy", "Kamil", "Karol", "Krzysztof", "Łukasz", "Maciej", "Marcin",
    "Marek", "Mateusz", "Michał", "Mikołaj", "Paweł", "Piotr", "Rafał", "Robert",
    "Sebastian", "Szymon", "Tomasz", "Wojciech", "Zbigniew", "Filip", "Igor", "Oskar",
    "Aleksander", "Artur", "Bogdan", "Damian", "Daniel", "Janusz", "Kacper", "Leszek",
    "Przemysław", "Ryszard", "Stanisław", "Tadeusz", "Wiktor", "Witold", "Patryk",
)
PL_FEMALE = (
    "Agnieszka", "Aleksandra", "Alicja", "Anna", "Barbara", "Beata", "Dorota", "Ewa",
    "Hanna", "Iwona", "Joanna", "Julia", "Justyna", "Karolina", "Katarzyna", "Magdalena",
    "Małgorzata", "Maria", "Marta", "Monika", "Natalia", "Paulina", "Renata", "Teresa",
    "Weronika", "Zofia", "Zuzanna", "Emilia", "Oliwia", "Wiktoria", "Gabriela", "Lena",
    "Bożena", "Danuta", "Elżbieta", "Grażyna", "Halina", "Helena", "Izabela", "Jadwiga",
    "Kinga", "Krystyna", "Urszula", "Sylwia", "Patrycja", "Marianna", "Klaudia",
)
# Masculine forms; feminine derived by ``polish_surname``.
PL_SURNAMES = (
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
    "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur",
    "Wojciechowski", "Kwiatkowski", "Krawczyk", "Kaczmarek", "Piotrowski", "Grabowski",
    "Zając", "Pawłowski", "Michalski", "Król", "Wieczorek", "Jabłoński", "Wróbel",
    "Nowakowski", "Majewski", "Olszewski", "Stępień", "Malinowski", "Jaworski", "Adamczyk",
    "Dudek", "Nowicki", "Pawlak", "Górski", "Witkowski", "Walczak", "Sikora", "Baran",
    "Rutkowski", "Michalak", "Szewczyk", "Ostrowski", "Tomaszewski", "Pietrzak", "Zalewski",
    "Wróblewski", "Marciniak", "Jasiński", "Zawadzki", "Bąk", "Jakubowski", "Sadowski",
    "Duda", "Włodarczyk", "Wilk", "Chmielewski", "Borkowski", "Sokołowski", "Szczepański",
    "Sawicki", "Lis", "Kubiak", "Maciejewski", "Kalinowski", "Mazurek", "Wysocki",
    "Adamski", "Czarnecki", "Kołodziej", "Urban", "Sobczak", "Głowacki", "Zakrzewski",
    "Krajewski", "Sowa", "Kurek", "Błaszczyk", "Gajewski", "Szulc", "Makowski",
    "Laskowski", "Wawrzyniak", "Ziółkowski", "Czerwiński", "Kaczmarczyk", "Brzeziński",
    "Przybylski", "Sikorski", "Borowski", "Cieślak", "Kowalewski", "Szczepaniak", "Piątek",
    "Banaś", "Rogalski", "Domański", "Kucharski", "Pietrzyk", "Olejnik", "Stachowiak",
)
PL_CITIES = (
    ("Warszawa", 18), ("Kraków", 8), ("Łódź", 6), ("Wrocław", 6.5), ("Poznań", 5.5),
    ("Gdańsk", 4.5), ("Szczecin", 3.5), ("Bydgoszcz", 3), ("Lublin", 3.5), ("Białystok", 2.5),
    ("Katowice", 3), ("Gdynia", 2.2), ("Częstochowa", 1.8), ("Radom", 1.7), ("Toruń", 1.8),
    ("Rzeszów", 1.8), ("Kielce", 1.6), ("Olsztyn", 1.5), ("Opole", 1.1), ("Zielona Góra", 1.1),
    ("Gliwice", 1.4), ("Sopot", 0.6), ("Zakopane", 0.4), ("Płock", 1.0), ("Elbląg", 0.9),
)
EN_MALE = (
    "James", "Oliver", "George", "Harry", "Jack", "Thomas", "William", "Daniel", "Samuel",
    "Joseph", "Matthew", "David", "Andrew", "Richard", "Charles", "Edward",
)
EN_FEMALE = (
    "Olivia", "Amelia", "Emily", "Charlotte", "Sophie", "Jessica", "Grace", "Hannah",
    "Lucy", "Emma", "Chloe", "Sarah", "Rebecca", "Laura", "Alice", "Eleanor",
)
EN_SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke", "Hughes", "Edwards", "Turner", "Cooper", "Hill",
)
UK_CITIES = (
    ("London", 12), ("Manchester", 3), ("Birmingham", 3), ("Leeds", 2), ("Glasgow", 2),
    ("Bristol", 1.8), ("Edinburgh", 1.8), ("Liverpool", 1.6), ("Cambridge", 0.8),
    ("Oxford", 0.8), ("Cardiff", 1.0), ("Newcastle upon Tyne", 1.1),
)
DE_MALE = ("Lukas", "Jonas", "Felix", "Maximilian", "Paul", "Leon", "Stefan", "Michael",
           "Andreas", "Tobias", "Markus", "Jürgen")
DE_FEMALE = ("Anna", "Lena", "Laura", "Julia", "Sarah", "Katharina", "Sabine", "Claudia",
             "Lea", "Hannah", "Miriam", "Ursula")
DE_SURNAMES = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
               "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf",
               "Schröder", "Neumann", "Schwarz", "Braun", "Zimmermann", "Hartmann")
DE_CITIES = (("Berlin", 6), ("Hamburg", 3), ("München", 3), ("Köln", 2.2),
             ("Frankfurt am Main", 1.8), ("Leipzig", 1.3), ("Dresden", 1.2),
             ("Stuttgart", 1.5), ("Görlitz", 0.4), ("Frankfurt (Oder)", 0.4))
UA_MALE = ("Oleksandr", "Andrij", "Dmytro", "Serhij", "Wołodymyr", "Taras", "Bohdan")
UA_FEMALE = ("Olena", "Oksana", "Iryna", "Natalia", "Tetiana", "Julia", "Sofiia")
UA_SURNAMES = ("Kovalenko", "Bondarenko", "Tkachenko", "Shevchenko", "Kravchenko",
               "Melnyk", "Boyko", "Koval", "Oliynyk", "Lysenko")
CZ_MALE = ("Jiří", "Petr", "Tomáš", "Martin", "Lukáš", "Ondřej")
CZ_FEMALE = ("Jana", "Tereza", "Lucie", "Petra", "Eva", "Veronika")
CZ_SURNAMES = ("Novák", "Svoboda", "Dvořák", "Černý", "Procházka", "Kučera", "Veselý")
CZ_CITIES = (("Praha", 4), ("Brno", 2), ("Ostrava", 1.5), ("Plzeň", 1))
LT_MALE = ("Jonas", "Tomas", "Mantas", "Lukas", "Darius")
LT_FEMALE = ("Rūta", "Eglė", "Greta", "Austėja", "Ieva")
LT_SURNAMES = ("Kazlauskas", "Petrauskas", "Jankauskas", "Stankevičius", "Vasiliauskas")
LT_CITIES = (("Vilnius", 3), ("Kaunas", 2), ("Klaipėda", 1))
FR_MALE = ("Louis", "Hugo", "Lucas", "Nicolas", "Julien", "Antoine")
FR_FEMALE = ("Camille", "Léa", "Manon", "Chloé", "Claire", "Juliette")
FR_SURNAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
               "Durand", "Lefebvre", "Moreau")
FR_CITIES = (("Paris", 5), ("Lyon", 2), ("Lille", 1.5), ("Strasbourg", 1.2), ("Nantes", 1))

LOCALES: tuple[Locale, ...] = (
    Locale("pl", "PL", 0.70, PL_MALE, PL_FEMALE, PL_SURNAMES, PL_CITIES, "+48", "PLN"),
    Locale("uk", "PL", 0.05, UA_MALE, UA_FEMALE, UA_SURNAMES, PL_CITIES, "+48", "PLN"),
    Locale("en", "GB", 0.10, EN_MALE, EN_FEMALE, EN_SURNAMES, UK_CITIES, "+44", "GBP"),
    Locale("de", "DE", 0.08, DE_MALE, DE_FEMALE, DE_SURNAMES, DE_CITIES, "+49", "EUR"),
    Locale("cs", "CZ", 0.025, CZ_MALE, CZ_FEMALE, CZ_SURNAMES, CZ_CITIES, "+420", "EUR"),
    Locale("lt", "LT", 0.02, LT_MALE, LT_FEMALE, LT_SURNAMES, LT_CITIES, "+370", "EUR"),
    Locale("fr", "FR", 0.025, FR_MALE, FR_FEMALE, FR_SURNAMES, FR_CITIES, "+33", "EUR"),
)

PERSONAL_DOMAINS = {
    "pl": ("przyklad.pl", "poczta.example", "example.com", "skrzynka.example"),
    "uk": ("przyklad.pl", "example.com", "poczta.example"),
    "en": ("example.co.uk", "example.com", "mail.example"),
    "de": ("beispiel.example", "example.de", "example.com"),
    "cs": ("priklad.example", "example.com"),
    "lt": ("pavyzdys.example", "example.com"),
    "fr": ("exemple.example", "example.fr", "example.com"),
}

ORG_STEMS = (
    "Nordtech", "Baltic Trade", "Wisła Logistics", "Amber Retail", "Mazovia Office",
    "Tatra Sport", "Polmark", "Kalmar Systems", "Orbita", "Zefir Dom", "Lumen Electric",
    "Bursztyn Design", "Sokół Serwis", "Vistula Foods", "Karpaty Outdoor", "Odra Media",
    "Green Garden", "Hanza Import", "Mewa Hotels", "Delta Biuro", "Nova Beauty",
    "Piast Books", "Silesia Tools", "Warta Energy", "Kraków Studio", "Harbour Lane",
    "Thames Supply", "Northbridge", "Rheinwerk", "Elbe Handel", "Spree Digital",
    "Pomorze Meble", "Atlas Office", "Kompas Travel", "Iskra Electronics", "Drzewko Toys",
)
ORG_QUALIFIERS = ("Group", "Polska", "Handel", "Serwis", "Systems", "Partners", "Trading",
                  "Centrum", "Studio", "Hurt")
ORG_SUFFIX = {"PL": ("Sp. z o.o.", "S.A.", "Sp. j."), "GB": ("Ltd",), "DE": ("GmbH", "AG"),
              "CZ": ("s.r.o.",), "LT": ("UAB",), "FR": ("SARL", "SAS")}
JOB_TITLES = (
    "Dyrektor zakupów", "Kierownik biura", "Head of Procurement", "Office Manager",
    "Właściciel", "Prezes zarządu", "Account Manager", "Specjalista ds. zakupów",
    "Einkaufsleiter", "Key Account Manager", "Kierownik logistyki", "CFO",
)

_TRANSLIT = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "ß": "ss"})


def ascii_slug(text: str, sep: str = ".") -> str:
    """Lower-case ASCII form for e-mail local parts and domains (Łukasz → lukasz)."""
    plain = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    out = []
    for ch in plain:
        out.append(ch if ch.isalnum() else sep)
    slug = "".join(out)
    while sep + sep in slug:
        slug = slug.replace(sep + sep, sep)
    return slug.strip(sep)


def polish_surname(surname: str, female: bool) -> str:
    """Feminine form of adjectival Polish surnames (Kowalski → Kowalska)."""
    if female and surname.endswith(("ski", "cki", "dzki")):
        return surname[:-1] + "a"
    return surname


class Draws:
    """Uniform numbers taken from the generator in blocks and handed out one at a time.

    Scalar draws straight from ``numpy.random.Generator`` cost microseconds each; the
    roster needs tens of thousands. The sequence stays a pure function of the seed.
    """

    def __init__(self, rng: np.random.Generator, block: int = 65_536) -> None:
        self._rng = rng
        self._block = block
        self._buf: list[float] = []
        self._i = 0
        self._cum: dict[int, tuple[list[float], float]] = {}

    def random(self) -> float:
        if self._i >= len(self._buf):
            self._buf = self._rng.random(self._block).tolist()
            self._i = 0
        value = self._buf[self._i]
        self._i += 1
        return value

    def integers(self, low: int, high: int | None = None) -> int:
        if high is None:
            low, high = 0, low
        return low + int(self.random() * (high - low))

    def pick(self, items: tuple[str, ...]) -> str:
        return items[int(self.random() * len(items))]

    def weighted(self, pairs: tuple[tuple[str, float], ...]) -> str:
        key = id(pairs)
        if key not in self._cum:
            self._cum[key] = (list(accumulate(w for _, w in pairs)), sum(w for _, w in pairs))
        cum, total = self._cum[key]
        return pairs[min(bisect_right(cum, self.random() * total), len(pairs) - 1)][0]


_MOBILE_PL = (50, 51, 53, 57, 60, 66, 69, 72, 78, 79, 88)


def phone_number(draws: Draws, prefix: str) -> str:
    """A plausible number in the country's usual format."""
    if prefix == "+48":
        digits = f"{_MOBILE_PL[draws.integers(len(_MOBILE_PL))]}{draws.integers(10_000_000):07d}"
        return f"+48 {digits[:3]} {digits[3:6]} {digits[6:]}"
    if prefix == "+44":
        return f"+44 7700 900{draws.integers(1000):03d}"
    if prefix == "+49":
        return f"+49 15{draws.integers(1, 8)} {draws.integers(1_000_000, 10_000_000)}"
    return f"{prefix} {draws.integers(100, 1000)} {draws.integers(100_000, 1_000_000)}"
