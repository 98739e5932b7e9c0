from django.db import migrations


def sync(apps, schema_editor):
    from accounts.roles import sync_operator_groups

    sync_operator_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_consent_dates"), ("orders", "0004_couriers")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
