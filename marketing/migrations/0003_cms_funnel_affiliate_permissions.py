"""Give the "marketing" operator group the CMS, report and affiliate permissions."""

from django.db import migrations

PERMISSIONS = [
    ("view_banner", "add_banner", "change_banner", "delete_banner"),
    ("view_exhibition", "add_exhibition", "change_exhibition", "delete_exhibition"),
    ("view_notice", "add_notice", "change_notice", "view_faq", "change_faq"),
    ("view_event", "view_visit", "view_orderattribution"),
    ("view_affiliate", "change_affiliate", "view_affiliatestatement", "change_affiliatestatement"),
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    marketing = apps.get_app_config("marketing")
    marketing.models_module = True
    create_permissions(marketing, apps=apps, verbosity=0)
    marketing.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="marketing")
    codenames = [codename for row in PERMISSIONS for codename in row]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="marketing", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("marketing", "0002_cms_funnel_affiliates"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
