# Merges the VOC and the CMS/funnel/affiliate branches; the operator groups get every permission of both.

from django.db import migrations


def sync(apps, schema_editor):
    from accounts.roles import sync_operator_groups

    sync_operator_groups(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('marketing', '0003_cms_funnel_affiliate_permissions'),
        ('marketing', '0003_voc_permissions_for_groups'),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
