"""Operator roles: Django groups with the permissions each team needs in the console."""

from django.utils.translation import gettext_lazy as _

CS = "cs"
FULFILMENT = "fulfilment"
SETTLEMENT = "settlement"
MARKETING = "marketing"

OPERATOR_GROUPS = {
    CS: _("Customer service"),
    FULFILMENT: _("Fulfilment"),
    SETTLEMENT: _("Settlement"),
    MARKETING: _("Marketing"),
}

# (app_label, codename) each group receives; later apps add their own permissions here.
GROUP_PERMISSIONS = {
    CS: [("accounts", "view_user"), ("accounts", "view_address"), ("catalog", "view_product")],
    FULFILMENT: [("catalog", "view_product"), ("catalog", "view_sku"), ("catalog", "adjust_stock")],
    SETTLEMENT: [("partners", "view_seller")],
    MARKETING: [("catalog", "view_product"), ("catalog", "view_category")],
}


def is_operator(user) -> bool:
    """Staff users who are active. Accepts None and anonymous users (both are not operators)."""
    return bool(
        getattr(user, "is_authenticated", False) and getattr(user, "is_active", False) and user.is_staff
    )
