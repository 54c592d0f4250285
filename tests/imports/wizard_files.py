"""Files the import wizard's tests upload: a Polish shop's orders saved by Excel in
Windows-1250 with semicolons, a Russian customer list in Windows-1251, a Shopify export."""

from __future__ import annotations

POLISH_HEADER = "Nr zamówienia;Nr klienta;Data zamówienia;Kod produktu;Ilość;Cena brutto;Waluta"
POLISH_GOOD = [
    "ZAM-1;KL-1;05.01.2026;KAWA-1;2;12,50;PLN",
    "ZAM-1;KL-1;05.01.2026;HERBATA-2;1;9,99;PLN",
    "ZAM-2;KL-2;2026-01-07 10:15;KAWA-1;3;12,50;PLN",
    "ZAM-3;KL-1;08.01.2026;CZEKOLADA-3;1;7,00;PLN",
]
# Three bad rows: a quantity in words, a date that does not exist, a currency in words.
POLISH_BAD = [
    "ZAM-1;KL-1;05.01.2026;KAWA-1;dwa;12,50;PLN",
    "ZAM-1;KL-1;05.01.2026;HERBATA-2;1;9,99;PLN",
    "ZAM-2;KL-2;31.02.2026;KAWA-1;3;12,50;PLN",
    "ZAM-3;KL-1;08.01.2026;CZEKOLADA-3;1;7,00;złoty",
]


def polish_orders(rows: list[str]) -> bytes:
    return ("\r\n".join([POLISH_HEADER, *rows]) + "\r\n").encode("cp1250")


RUSSIAN_CUSTOMERS = (
    "Код клиента,Наименование,Электронная почта,Страна\n"
    "RU-1,Иван Петров,ivan@example.test,RU\n"
    "RU-2,ООО «Ромашка»,info@romashka.test,RU\n"
).encode("cp1251")

SHOPIFY_HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,"
    "Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,"
    "Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,"
    "Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,"
    "Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Notes,Cancelled at,"
    "Payment Method,Refunded Amount,Vendor,Id,Tags,Risk Level,Source,Lineitem discount"
)


def shopify_orders() -> bytes:
    def row(name: str, email: str, fin: str, currency: str, created: str, qty: str, item: str, price: str,
            sku: str, billing: str, country: str, cancelled: str = "") -> str:
        cells = [name, email, fin, created if fin else "", "fulfilled" if fin else "", "", "no" if fin else "",
                 currency, "", "", "", "", "", "", "", created, qty, item, price, "", sku, "true", "true",
                 "fulfilled", billing, "", "", "", "", "", "", "", country, "", "", cancelled, "", "", "", "", "",
                 "", "web", "0.00"]
        return ",".join(cells)

    lines = [
        SHOPIFY_HEADER,
        row("#1001", "anna@example.test", "paid", "EUR", "2025-10-07 09:50:26 +0200", "2", "Face mask", "34.90",
            "MASK-1", "Anna Nowak", "PL"),
        # The second line item of #1001: Shopify leaves the order's fields blank.
        row("#1001", "", "", "", "", "1", "Hand cream", "12.00", "CREAM-2", "", ""),
        row("#1002", "bob@example.test", "refunded", "EUR", "2025-10-08 11:00:00 +0200", "1", "Face mask", "34.90",
            "MASK-1", "Bob Smith", "DE"),
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")
