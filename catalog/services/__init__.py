"""Every write to the catalog. Views, tasks and other apps call these, never the models."""

from .categories import create_category, move_category
from .images import (
    add_product_image,
    check_image_file,
    delete_product_image,
    generate_product_image_thumbnails,
    move_product_image,
    reorder_product_images,
)
from .products import (
    PRODUCT_STATUS_TRANSITIONS,
    OptionSpec,
    change_product_status,
    create_product,
    set_product_options,
)
from .stock import (
    ImportPreview,
    ImportRow,
    adjust_stock,
    apply_stock_import,
    new_import_reference,
    parse_stock_file,
    release_stock,
    reserve_stock,
    set_stock,
    validate_stock_rows,
)

__all__ = [
    "PRODUCT_STATUS_TRANSITIONS",
    "ImportPreview",
    "ImportRow",
    "OptionSpec",
    "add_product_image",
    "adjust_stock",
    "apply_stock_import",
    "change_product_status",
    "check_image_file",
    "create_category",
    "create_product",
    "delete_product_image",
    "generate_product_image_thumbnails",
    "move_category",
    "move_product_image",
    "new_import_reference",
    "parse_stock_file",
    "release_stock",
    "reorder_product_images",
    "reserve_stock",
    "set_product_options",
    "set_stock",
    "validate_stock_rows",
]
