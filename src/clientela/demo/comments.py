"""The demo's survey comments, with planted themes in Polish, English and Russian.

Each comment is put together from an opening and an ending of its theme, chosen by a
number drawn for it, so that one theme's comments say the same thing in different
words, inflected forms and orders — as real comments do, and as the themes model
(``insight.themes``) must see through. Planted themes:

* ``late_delivery`` and ``damaged_parcel``: among detractors (NPS 0–6, CSAT 1–3), each in
  about 40 % of their comments;
* ``helpful_staff``: among promoters, in about 60 % of their comments.

The rest of the comments (passives, the other detractors and promoters) are general
remarks without a planted theme. Customers whose language is Polish write in Polish,
Ukrainian-speaking customers (in Poland) in Russian, everyone else in English. The
answers with a planted theme are recorded in the demo fact ``feedback_themes``
(theme → the answers' ids).
"""

from __future__ import annotations

PLANTED = ("late_delivery", "damaged_parcel", "helpful_staff")

# theme -> language -> (openings, endings)
THEMES: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "late_delivery": {
        "pl": (("Przesyłka dotarła z tygodniowym opóźnieniem", "Dostawa była spóźniona",
                "Kurier się spóźnił i dostawa była opóźniona", "Na dostawę czekałem o wiele za długo, opóźnienie",
                "Znowu opóźniona dostawa", "Opóźnienie dostawy o kilka dni"),
               ("", ", nikt nie uprzedził.", ", termin dostawy przekroczony.", ", kolejne opóźnienie.")),
        "en": (("The delivery was a week late", "Delivery delayed again",
                "The courier was late and the delivery delayed", "Waited far too long for a late delivery",
                "Late delivery, days after the promised date", "Another delayed delivery"),
               ("", " and nobody let me know.", ", delivery date missed.", ", yet another delay.")),
        "ru": (("Доставка опоздала на неделю", "Доставку снова задержали",
                "Курьер опоздал, доставка задержана", "Слишком долго ждал доставку, задержка",
                "Опоздание доставки на несколько дней", "Опять задержка доставки"),
               ("", ", никто не предупредил.", ", сроки доставки сорваны.", ", снова опоздание.")),
    },
    "damaged_parcel": {
        "pl": (("Paczka przyszła uszkodzona", "Uszkodzony karton i zniszczony towar",
                "Towar zniszczony, paczka uszkodzona", "Otrzymałem uszkodzoną paczkę",
                "Zniszczone opakowanie i uszkodzony produkt", "W uszkodzonej paczce zniszczony towar"),
               ("", ", musiałem odesłać.", ", słabo zapakowane.", ", zniszczenia w środku.")),
        "en": (("The parcel arrived damaged", "Damaged box and broken goods",
                "Goods broken, box damaged", "Received a damaged parcel",
                "Broken product in a damaged box", "The box was damaged and the item broken"),
               ("", ", had to send it back.", ", poorly packed.", ", broken inside.")),
        "ru": (("Посылка пришла повреждённой", "Повреждённая коробка и сломанный товар",
                "Товар сломан, упаковка повреждена", "Получил повреждённую посылку",
                "Коробка повреждена, товар сломанный", "Сломанный товар в повреждённой упаковке"),
               ("", ", пришлось вернуть.", ", плохо упаковано.", ", поломка внутри.")),
    },
    "helpful_staff": {
        "pl": (("Bardzo pomocna obsługa", "Pomocny konsultant świetnie doradził",
                "Miła i pomocna obsługa klienta", "Obsługa klienta pomocna i uprzejma",
                "Konsultantka była bardzo pomocna", "Uprzejmy i pomocny personel"),
               ("", ", dziękuję!", ", polecam.", ", szybko doradzili.")),
        "en": (("Very helpful and friendly staff", "The advisor was really helpful",
                "Friendly staff, helpful advice", "Helpful, friendly assistant on the phone",
                "The staff were friendly and helpful", "Thanks to the helpful staff"),
               ("", ", thank you!", ", recommended.", ", quick advice.")),
        "ru": (("Очень вежливый и отзывчивый персонал", "Консультант был очень отзывчивым",
                "Отзывчивая поддержка и вежливый консультант", "Вежливые консультанты помогли",
                "Персонал отзывчивый и вежливый", "Спасибо отзывчивому консультанту"),
               ("", ", спасибо!", ", рекомендую.", ", быстро помогли.")),
    },
}

# General remarks without a planted theme, per score band and language.
GENERAL: dict[tuple[str, str], tuple[str, ...]] = {
    ("promoter", "pl"): ("Kupuję u Was od lat i nigdy się nie zawiodłem.", "Bardzo dobre ceny, polecam.",
                         "Najlepszy sklep, w jakim kupuję.", "Wszystko zgodnie z opisem, polecam znajomym."),
    ("promoter", "en"): ("I have bought from you for years and never been let down.", "Very good prices.",
                         "The best shop I buy from.", "Everything as described, I recommend you."),
    ("promoter", "ru"): ("Покупаю у вас много лет, всё отлично.", "Очень хорошие цены.",
                         "Лучший магазин, где я покупаю.", "Всё как в описании, рекомендую."),
    ("passive", "pl"): ("Ogólnie w porządku.", "Produkty dobre, strona mogłaby być szybsza.",
                        "Nic szczególnego, ceny podobne jak u konkurencji.", "Poprawnie, bez rewelacji."),
    ("passive", "en"): ("Fine overall.", "Good products; the website could be faster.",
                        "Nothing special, prices similar to other shops.", "Decent, nothing more."),
    ("passive", "ru"): ("В целом нормально.", "Товары хорошие, сайт мог бы работать быстрее.",
                        "Ничего особенного, цены как у конкурентов.", "Неплохо, но без восторга."),
    ("detractor", "pl"): ("Zwrot pieniędzy trwał ponad miesiąc.", "Produkt niezgodny z opisem.",
                          "Trzy telefony i nadal nikt nie rozwiązał mojego problemu.", "Ceny za wysokie."),
    ("detractor", "en"): ("The refund took over a month.", "The product did not match the description.",
                          "Three calls and still nobody has solved my problem.", "Prices are too high."),
    ("detractor", "ru"): ("Возврат денег занял больше месяца.", "Товар не соответствует описанию.",
                          "Три звонка, и никто не решил мою проблему.", "Цены слишком высокие."),
}


def comment_language(party_language: str) -> str:
    """The language a customer writes comments in."""
    return {"pl": "pl", "uk": "ru"}.get(party_language, "en")


def compose(band: str, language: str, pick: int) -> tuple[str, str | None]:
    """A comment for an answer in ``band`` and the planted theme it carries (or None);
    ``pick`` is a number drawn for the answer (0 … 999,999)."""
    share = pick % 10  # the theme, from the pick's last digit
    theme: str | None = None
    if band == "detractor" and share < 8:
        theme = "late_delivery" if share < 4 else "damaged_parcel"
    elif band == "promoter" and share < 6:
        theme = "helpful_staff"
    if theme is None:
        pool = GENERAL[(band, language)]
        return pool[(pick // 10) % len(pool)], None
    openings, endings = THEMES[theme][language]
    return openings[(pick // 10) % len(openings)] + endings[(pick // 100) % len(endings)], theme
