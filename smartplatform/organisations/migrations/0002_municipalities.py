"""The 11 municipalities of Familjen Helsingborg (from data/municipalities.csv).

The rows are written here, not read from the file, so this migration means the same thing
for ever: a later correction is a new migration.
"""

from django.db import migrations

# code, name, slug, organisation number (blank where no public source confirmed it),
# population (approximate, 2022-2023), latitude, longitude (a point in the main town)
MUNICIPALITIES = [
    ("1214", "Svalöv", "svalov", "", 14544, 55.914, 13.104),
    ("1257", "Örkelljunga", "orkelljunga", "212000-0878", 10433, 56.283, 13.283),
    ("1260", "Bjuv", "bjuv", "212000-1041", 15968, 56.083, 12.917),
    ("1275", "Perstorp", "perstorp", "", 7541, 56.133, 13.383),
    ("1276", "Klippan", "klippan", "212000-0928", 17788, 56.133, 13.133),
    ("1277", "Åstorp", "astorp", "", 16458, 56.131, 12.934),
    ("1278", "Båstad", "bastad", "", 15800, 56.433, 12.833),
    ("1282", "Landskrona", "landskrona", "", 47134, 55.867, 12.833),
    ("1283", "Helsingborg", "helsingborg", "212000-1157", 151404, 56.050, 12.717),
    ("1284", "Höganäs", "hoganas", "212000-1165", 28199, 56.200, 12.567),
    ("1292", "Ängelholm", "angelholm", "", 42476, 56.250, 12.850),
]


def add_municipalities(apps, schema_editor):
    Municipality = apps.get_model("organisations", "Municipality")
    for code, name, slug, org_number, population, lat, lon in MUNICIPALITIES:
        Municipality.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "slug": slug,
                "organisation_number": org_number,
                "population": population,
                "latitude": lat,
                "longitude": lon,
            },
        )


def remove_municipalities(apps, schema_editor):
    Municipality = apps.get_model("organisations", "Municipality")
    Municipality.objects.filter(code__in=[row[0] for row in MUNICIPALITIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [migrations.RunPython(add_municipalities, remove_municipalities)]
