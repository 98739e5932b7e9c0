from django.db import migrations


def sync(apps, schema_editor):
    from accounts.roles import sync_operator_groups

    sync_operator_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_claims_permissions_for_groups"), ("marketing", "0002_voice_of_the_customer")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
