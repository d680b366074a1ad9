from django.db import migrations

from chibo.units.kinds import DEFAULT_RULES


def seed(apps, schema_editor):
    KindRule = apps.get_model("units", "KindRule")
    for parent_kind, child_kind, basis in DEFAULT_RULES:
        KindRule.objects.get_or_create(
            parent_kind=parent_kind, child_kind=child_kind, defaults={"basis": basis}
        )


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
