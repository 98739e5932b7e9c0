from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from catalog.exceptions import CatalogError
from catalog.models import Category, Product
from core import cache_versions

MAX_DEPTH = 5


def _segment(pk: int) -> str:
    return f"{pk:06d}/"


@transaction.atomic
def create_category(*, name: str, slug: str, parent: Category | None = None, name_en: str = "",
                    position: int = 0, is_active: bool = True, notice_group: str = "") -> Category:
    """Create a category under ``parent`` (or at the root) with its materialised path."""
    depth = 0 if parent is None else parent.depth + 1
    if depth >= MAX_DEPTH:
        raise CatalogError(_("Categories nest at most %(max)s levels.") % {"max": MAX_DEPTH}, code="too_deep")
    category = Category.objects.create(
        name=name, slug=slug, parent=parent, name_en=name_en, position=position, is_active=is_active, depth=depth,
        notice_group=notice_group,
    )
    category.path = (parent.path if parent else "") + _segment(category.pk)
    category.save(update_fields=["path"])
    cache_versions.bump_catalog()
    return category


@transaction.atomic
def move_category(*, category: Category, new_parent: Category | None) -> Category:
    """Move a category (with its subtree and their products' paths) under ``new_parent``."""
    category = Category.objects.select_for_update().get(pk=category.pk)
    if new_parent is not None:
        # The caller's object may be stale (its path changed since it was read): use the row.
        new_parent = Category.objects.select_for_update().get(pk=new_parent.pk)
    if new_parent is not None and new_parent.path.startswith(category.path):
        raise CatalogError(_("A category cannot move under itself or one of its subcategories."), code="cycle")
    old_path = category.path
    new_path = (new_parent.path if new_parent else "") + _segment(category.pk)
    depth_change = (0 if new_parent is None else new_parent.depth + 1) - category.depth
    deepest = Category.objects.filter(path__startswith=old_path).aggregate(deepest=Max("depth"))["deepest"]
    if deepest + depth_change >= MAX_DEPTH:
        raise CatalogError(_("Categories nest at most %(max)s levels.") % {"max": MAX_DEPTH}, code="too_deep")
    tail_start = len(old_path) + 1
    for model, field in ((Category, "path"), (Product, "category_path")):
        model.objects.filter(**{f"{field}__startswith": old_path}).update(
            **{field: Concat(Value(new_path), Substr(field, tail_start))}
        )
    Category.objects.filter(path__startswith=new_path).update(depth=F("depth") + depth_change)
    Category.objects.filter(pk=category.pk).update(parent=new_parent)
    category.refresh_from_db()
    cache_versions.bump_catalog()
    return category

