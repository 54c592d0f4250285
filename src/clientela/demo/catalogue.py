"""The demo company's catalogue: categories with their margins, products with prices in PLN.

Categories that are bought together (``AFFINITY``) are planted so that product
affinity analysis has something true to find.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# category: (SKU prefix, popularity weight, gross margin range, product names with base PLN price)
CATEGORIES: dict[str, tuple[str, float, tuple[float, float], tuple[tuple[str, float], ...]]] = {
    "Electronics": ("ELE", 1.3, (0.12, 0.28), (
        ("Wireless headphones AX-200", 349), ("Bluetooth speaker Boom Mini", 199),
        ("Smartwatch Pulse 3", 899), ("USB-C charger 65 W", 129), ("Power bank 20 000 mAh", 159),
        ("E-book reader Kartka 6\"", 549), ("Action camera Tatra 4K", 1199),
        ("Mechanical keyboard K87", 429), ("Wireless mouse Ergo", 149),
        ("27\" monitor QHD", 1349), ("Noise-cancelling earbuds Cisza", 599),
        ("Smart plug (2-pack)", 89), ("Portable SSD 1 TB", 469),
    )),
    "Home & Kitchen": ("HOM", 1.2, (0.30, 0.45), (
        ("Espresso machine Barista 15 bar", 1099), ("Cast-iron pot 5 l", 329),
        ("Chef's knife 20 cm", 189), ("Linen bedding set 160x200", 279),
        ("Stand mixer Mistrz", 1499), ("Glass food containers (10)", 119),
        ("Electric kettle Stal", 159), ("Frying pan 28 cm", 149), ("Wool throw Podhale", 229),
        ("Air purifier Czyste Powietrze", 899), ("Table lamp Opal", 259),
        ("Towel set (6)", 139),
    )),
    "Garden": ("GAR", 0.8, (0.35, 0.50), (
        ("Garden hose 25 m", 119), ("Cordless hedge trimmer", 599), ("Raised bed kit", 349),
        ("Tomato seeds collection", 29), ("Patio chair Sosna (2)", 449),
        ("Solar lights (10)", 99), ("Compost bin 300 l", 189), ("Pruning shears Pro", 89),
        ("Lawn mower electric 38 cm", 799), ("Garden gloves", 35), ("Watering can 10 l", 49),
    )),
    "Books": ("BOK", 0.9, (0.25, 0.35), (
        ("The Customer Equity Playbook", 69), ("Kuchnia polska — cookbook", 79),
        ("Atlas of the Baltic", 119), ("Children's tales of Kraków", 45),
        ("Crime novel: Mgła nad Wisłą", 42), ("Data science for marketers", 99),
        ("Travel guide: Mazury", 55), ("History of the Hanseatic League", 89),
        ("Poetry collection: Jesień", 39), ("Mindful gardening", 59),
    )),
    "Beauty": ("BEA", 1.0, (0.45, 0.65), (
        ("Face cream Bursztyn 50 ml", 89), ("Shampoo natural 400 ml", 35),
        ("Perfume Mazurek 50 ml", 249), ("Hair dryer Ion 2000 W", 219),
        ("Lipstick set (3)", 79), ("Body lotion 250 ml", 45), ("Electric toothbrush Sonic", 299),
        ("Beard trimmer Pro", 189), ("Nail care kit", 59), ("Sunscreen SPF 50", 55),
        ("Gift box Spa", 179),
    )),
    "Sport & Outdoor": ("SPO", 0.9, (0.30, 0.45), (
        ("Running shoes Sprint", 449), ("Trekking poles Tatry", 189), ("Yoga mat 6 mm", 99),
        ("Bike helmet Aero", 259), ("Tent 3-person Biwak", 899), ("Dumbbells 2x10 kg", 279),
        ("Sleeping bag -5°C", 349), ("Water bottle steel 1 l", 69), ("Fitness tracker Step", 199),
        ("Cross-country skis set", 1299), ("Backpack 40 l", 329),
    )),
    "Toys": ("TOY", 0.6, (0.35, 0.50), (
        ("Wooden train set", 199), ("Building blocks 500 pcs", 149), ("Board game: Kolejka", 129),
        ("Plush bear Miś", 69), ("Puzzle 1000 pcs Kraków", 59), ("Remote-control car", 249),
        ("Art set for kids", 89), ("Science kit Mały Chemik", 119),
    )),
    "Office": ("OFF", 0.7, (0.25, 0.40), (
        ("Ergonomic office chair", 1199), ("Standing desk 140 cm", 1899), ("A4 paper (5 reams)", 99),
        ("Laser printer mono", 749), ("Notebook set (3)", 45), ("Desk organiser", 79),
        ("Whiteboard 120x90", 299), ("Fountain pen Pióro", 159), ("Label printer", 349),
        ("Shredder P-4", 459),
    )),
}

# Planted co-purchase affinity: a customer's second category is most often its partner here.
AFFINITY: dict[str, str] = {
    "Electronics": "Office",
    "Office": "Electronics",
    "Home & Kitchen": "Garden",
    "Garden": "Home & Kitchen",
    "Books": "Toys",
    "Toys": "Books",
    "Beauty": "Sport & Outdoor",
    "Sport & Outdoor": "Beauty",
}


@dataclass(frozen=True)
class Catalogue:
    sku: list[str]
    name: list[str]
    category: list[str]
    price_cents: np.ndarray  # int64, list price PLN
    cost_cents: np.ndarray  # int64, unit cost PLN
    category_index: np.ndarray  # int64 per product
    categories: list[str]

    def __len__(self) -> int:
        return len(self.sku)


def build_catalogue(rng: np.random.Generator) -> Catalogue:
    """Every product once, prices ending in ,99 and a unit cost from the category margin."""
    sku, name, category, price, cost, cat_idx = [], [], [], [], [], []
    categories = list(CATEGORIES)
    for ci, (cat, (prefix, _w, (m_lo, m_hi), products)) in enumerate(CATEGORIES.items()):
        for j, (pname, base) in enumerate(products, start=1):
            list_price = max(9, round(base * rng.uniform(0.92, 1.08))) - 0.01
            margin = rng.uniform(m_lo, m_hi)
            price_c = int(round(list_price * 100))
            sku.append(f"{prefix}-{j:04d}")
            name.append(pname)
            category.append(cat)
            price.append(price_c)
            cost.append(int(round(price_c * (1 - margin))))
            cat_idx.append(ci)
    return Catalogue(
        sku, name, category, np.array(price, dtype=np.int64), np.array(cost, dtype=np.int64),
        np.array(cat_idx, dtype=np.int64), categories,
    )


def category_weights() -> np.ndarray:
    w = np.array([spec[1] for spec in CATEGORIES.values()], dtype=float)
    return w / w.sum()
