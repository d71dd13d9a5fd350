"""The first themes of the catalogue. Staff may add, rename or reorder them in the admin;
reversing removes only themes no project uses."""

from django.db import migrations

THEMES = [
    ("digitalisering", "Digitalisering", "Digitalisation"),
    ("mobilitet", "Mobilitet", "Mobility"),
    ("samhallsbyggnad", "Samhällsbyggnad", "Urban development"),
    ("miljo-och-energi", "Miljö och energi", "Environment and energy"),
    ("vard-och-omsorg", "Vård och omsorg", "Health and social care"),
    ("skola", "Skola", "School"),
    ("kultur-och-fritid", "Kultur och fritid", "Culture and leisure"),
    ("delaktighet-och-demokrati", "Delaktighet och demokrati", "Participation and democracy"),
    ("trygghet", "Trygghet", "Safety"),
]


def add_themes(apps, schema_editor):
    Theme = apps.get_model("catalogue", "Theme")
    for position, (slug, name, name_en) in enumerate(THEMES, start=1):
        Theme.objects.update_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "position": position}
        )


def remove_themes(apps, schema_editor):
    Theme = apps.get_model("catalogue", "Theme")
    Theme.objects.filter(slug__in=[slug for slug, _, _ in THEMES], projects=None).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(add_themes, remove_themes)]
