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
    CS: [("accounts", "view_user"), ("accounts", "view_address"), ("catalog", "view_product"),
         ("orders", "view_order"), ("orders", "handle_order_cs"), ("claims", "view_claim"),
         ("claims", "handle_claims"), ("marketing", "view_review"), ("marketing", "change_review"),
         ("marketing", "view_productquestion"), ("marketing", "change_productquestion"),
         ("marketing", "view_inquiry"), ("marketing", "change_inquiry")],
    FULFILMENT: [("catalog", "view_product"), ("catalog", "view_sku"), ("catalog", "adjust_stock"),
                 ("orders", "view_order"), ("orders", "manage_fulfilment"), ("orders", "handle_order_cs"),
                 ("claims", "view_claim"), ("claims", "handle_claims")],
    SETTLEMENT: [("partners", "view_seller"), ("partners", "change_seller"), ("orders", "view_order"), ("settlement", "view_statement"),
                 ("settlement", "manage_settlement"), ("settlement", "view_commissionrule"),
                 ("settlement", "add_commissionrule")],
    MARKETING: [("catalog", "view_product"), ("catalog", "view_category"), ("catalog", "change_product"),
                ("marketing", "view_coupon"), ("marketing", "add_coupon"), ("marketing", "change_coupon"),
                ("marketing", "add_issuedcoupon"), ("marketing", "view_pointentry"), ("marketing", "add_pointentry"),
                ("accounts", "view_user"), ("marketing", "view_review"), ("marketing", "change_review"),
                ("marketing", "view_surveyresponse"), ("marketing", "change_surveysettings"),
                # CMS, funnel reports and affiliates (issue 13; granted by marketing's migration 0003)
                *[("marketing", codename) for codename in (
                    "view_banner", "add_banner", "change_banner", "delete_banner", "view_exhibition",
                    "add_exhibition", "change_exhibition", "delete_exhibition", "view_notice", "add_notice",
                    "change_notice", "view_faq", "change_faq", "view_event", "view_visit", "view_orderattribution",
                    "view_affiliate", "change_affiliate", "view_affiliatestatement", "change_affiliatestatement")]],
}


def sync_operator_groups(apps) -> None:
    """Create the operator groups and give them GROUP_PERMISSIONS (used by data migrations)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, codename in permissions:
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission:
                group.permissions.add(permission)


def is_operator(user) -> bool:
    """Staff users who are active. Accepts None and anonymous users (both are not operators)."""
    return bool(
        getattr(user, "is_authenticated", False) and getattr(user, "is_active", False) and user.is_staff
    )
