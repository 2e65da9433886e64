"""History events: the chain's month (Event.chain_month) and, on PostgreSQL, the table partitioned by it
(docs/decisions/0021). Existing rows are copied into their chains' months; a big table wants a maintenance
window."""

import onevisit.history.models
from django.conf import settings
from django.db import migrations, models


def partition(apps, schema_editor):
    from onevisit.scale.partitions import convert

    convert(schema_editor, "history_event")


def unpartition(apps, schema_editor):
    from onevisit.scale.partitions import unconvert

    unconvert(schema_editor, "history_event")


class Migration(migrations.Migration):

    dependencies = [
        ('history', '0002_database_checks'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='event',
            name='history_event_chain_seq',
        ),
        migrations.AddField(
            model_name='event',
            name='chain_month',
            field=models.DateField(default=onevisit.history.models.current_chain_month, verbose_name='链所在月份'),
        ),
        migrations.AddConstraint(
            model_name='event',
            constraint=models.UniqueConstraint(fields=('object_type', 'object_id', 'seq', 'chain_month'), name='history_event_chain_seq'),
        ),
        migrations.RunPython(partition, unpartition),
    ]
