"""Each municipality acts on the platform as an Organisation of kind municipality, verified
from the start, under the name it uses itself."""

from django.db import migrations

# municipality code -> the name the municipality's organisation goes by
NAMES = {
    "1214": "Svalövs kommun",
    "1257": "Örkelljunga kommun",
    "1260": "Bjuvs kommun",
    "1275": "Perstorps kommun",
    "1276": "Klippans kommun",
    "1277": "Åstorps kommun",
    "1278": "Båstads kommun",
    "1282": "Landskrona stad",
    "1283": "Helsingborgs stad",
    "1284": "Höganäs kommun",
    "1292": "Ängelholms kommun",
}


def add_municipal_organisations(apps, schema_editor):
    Municipality = apps.get_model("organisations", "Municipality")
    Organisation = apps.get_model("organisations", "Organisation")
    for municipality in Municipality.objects.filter(code__in=NAMES):
        Organisation.objects.update_or_create(
            municipality=municipality,
            defaults={
                "name": NAMES[municipality.code],
                "slug": municipality.slug,
                "kind": "municipality",
                "is_verified": True,
            },
        )


def remove_municipal_organisations(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    Organisation.objects.filter(kind="municipality", municipality__code__in=NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [("organisations", "0003_organisations_and_memberships")]

    operations = [
        migrations.RunPython(add_municipal_organisations, remove_municipal_organisations)
    ]
