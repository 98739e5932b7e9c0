"""상품정보제공고시: the product information a seller must publish, by kind of goods.

The groups and their fields follow the FTC's notice (전자상거래 등에서의 상품 등의 정보제공에 관한
고시, 별표): every product page shows the fields of its category's group. A category carries
its group (``Category.notice_group``); a category without one takes its nearest ancestor's,
and the root default is "other goods" (기타 재화). Field keys are stable (they are the keys of
``Product.notice`` and the Excel template's columns carry the labels).
"""

import functools

from django.utils.translation import gettext_lazy as _

# key → label. One vocabulary: a field means the same in every group that uses it.
FIELDS = {
    "item_name": _("Item name and model"),
    "material": _("Material"),
    "color": _("Colour"),
    "size": _("Size"),
    "kind": _("Kind"),
    "composition": _("Components"),
    "manufacturer": _("Manufacturer or importer"),
    "origin": _("Country of manufacture"),
    "place_of_origin": _("Place of origin"),
    "care": _("Washing and handling instructions"),
    "made_on": _("Date of manufacture"),
    "warranty": _("Quality guarantee"),
    "cs_phone": _("After-sales contact and phone"),
    "certification": _("KC certification"),
    "rated_power": _("Rated voltage and power consumption"),
    "energy_grade": _("Energy efficiency grade"),
    "released_on": _("Release date (year and month)"),
    "install_cost": _("Delivery and installation cost"),
    "capacity": _("Capacity or weight"),
    "specs": _("Main specifications"),
    "expiry": _("Use-by date or period after opening"),
    "usage": _("How to use"),
    "ingredients": _("All ingredients"),
    "functional_review": _("Functional cosmetics review by the MFDS"),
    "cautions": _("Cautions"),
    "weight": _("Weight"),
    "certificate": _("Certificate of guarantee provided"),
    "producer": _("Producer and location"),
    "best_before": _("Date of manufacture and best-before date"),
    "storage": _("Storage and handling"),
    "food_type": _("Food type"),
    "nutrition": _("Nutrition facts"),
    "gmo": _("Genetically modified ingredients"),
    "consumer_phone": _("Consumer counselling phone"),
}

OTHER = "other"

# code → (label, field keys in the order the notice lists them)
GROUPS = {
    "clothing": (_("Clothing"), ["material", "color", "size", "manufacturer", "origin", "care", "made_on",
                                 "warranty", "cs_phone"]),
    "shoes": (_("Shoes"), ["material", "color", "size", "manufacturer", "origin", "care", "warranty",
                           "cs_phone"]),
    "bags": (_("Bags"), ["kind", "material", "color", "size", "manufacturer", "origin", "care", "warranty",
                         "cs_phone"]),
    "fashion_goods": (_("Fashion accessories (hats, belts, accessories)"),
                      ["kind", "material", "size", "manufacturer", "origin", "care", "warranty", "cs_phone"]),
    "bedding": (_("Bedding and curtains"), ["material", "color", "size", "composition", "manufacturer", "origin",
                                            "care", "warranty", "cs_phone"]),
    "furniture": (_("Furniture"), ["item_name", "certification", "color", "composition", "material",
                                   "manufacturer", "origin", "size", "install_cost", "warranty", "cs_phone"]),
    "electronics": (_("Household electric appliances"),
                    ["item_name", "certification", "rated_power", "energy_grade", "released_on", "manufacturer",
                     "origin", "size", "warranty", "cs_phone"]),
    "cosmetics": (_("Cosmetics"), ["capacity", "specs", "expiry", "usage", "manufacturer", "origin",
                                   "ingredients", "functional_review", "cautions", "warranty", "cs_phone"]),
    "jewelry": (_("Jewellery and watches"), ["material", "weight", "manufacturer", "origin", "size", "cautions",
                                            "specs", "certificate", "warranty", "cs_phone"]),
    "food": (_("Agricultural, fishery and livestock products"),
             ["item_name", "capacity", "producer", "place_of_origin", "best_before", "storage", "consumer_phone"]),
    "processed_food": (_("Processed food"), ["item_name", "food_type", "producer", "best_before", "capacity",
                                             "ingredients", "nutrition", "gmo", "cautions", "consumer_phone"]),
    OTHER: (_("Other goods"), ["item_name", "certification", "origin", "manufacturer", "cs_phone"]),
}

GROUP_CHOICES = [(code, label) for code, (label, _fields) in GROUPS.items()]


def group_fields(code: str) -> list[tuple[str, str]]:
    """(key, label) of the fields of a group; an unknown code is "other goods"."""
    _label, keys = GROUPS.get(code) or GROUPS[OTHER]
    return [(key, FIELDS[key]) for key in keys]


def group_label(code: str):
    return (GROUPS.get(code) or GROUPS[OTHER])[0]


@functools.cache
def korean_label(key: str) -> str:
    """The legal Korean name of a field (cached: switching the language per call cost 0.1 ms,
    6 s of a 5,000-row Excel registration)."""
    from django.utils import translation

    with translation.override("ko"):
        return str(FIELDS[key])


def stored_notice(code: str, values_by_key: dict) -> dict:
    """The notice as ``Product.notice`` keeps it: the legal (Korean) field names in the group's
    order → values. The product page shows it as it is, whatever the shopper's language, as the
    notice is a Korean legal document (the demo catalogue stores it the same way)."""
    return {korean_label(key): values_by_key.get(key, "") for key, _label in group_fields(code)}


def values_by_key(notice: dict) -> dict:
    """The editor's view of a stored notice: field key → value (unknown names are dropped)."""
    by_label = {korean_label(key): key for key in FIELDS}
    return {by_label[name]: value for name, value in (notice or {}).items() if name in by_label}
