from django.db import migrations


def sync(apps, schema_editor):
    from accounts.roles import sync_operator_groups

    sync_operator_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_marketing_permissions_for_groups"), ("claims", "0001_initial")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
