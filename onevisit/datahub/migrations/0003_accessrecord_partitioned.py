"""Data hub access records: on PostgreSQL, the table partitioned by month of `at` (docs/decisions/0021).
Existing rows are copied; a big table wants a maintenance window."""

from django.db import migrations


def partition(apps, schema_editor):
    from onevisit.scale.partitions import convert

    convert(schema_editor, "datahub_accessrecord")


def unpartition(apps, schema_editor):
    from onevisit.scale.partitions import unconvert

    unconvert(schema_editor, "datahub_accessrecord")


class Migration(migrations.Migration):
    dependencies = [("datahub", "0002_proofs_prefill")]

    operations = [migrations.RunPython(partition, unpartition)]
