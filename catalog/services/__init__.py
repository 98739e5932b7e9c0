"""Every write to the catalog. Views, tasks and other apps call these, never the models."""

from .categories import create_category, move_category
from .products import (
    PRODUCT_STATUS_TRANSITIONS,
    OptionSpec,
    change_product_status,
    create_product,
    set_product_options,
)

__all__ = [
    "PRODUCT_STATUS_TRANSITIONS",
    "OptionSpec",
    "change_product_status",
    "create_category",
    "create_product",
    "move_category",
    "set_product_options",
]
