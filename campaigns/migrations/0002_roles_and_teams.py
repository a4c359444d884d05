"""Create the role groups and the MARCOM teams every installation needs."""

from django.db import migrations
from django.utils.text import slugify

ROLES = ("Marketing", "IC", "Presenter", "Employee")
TEAMS = ("PR", "Content", "Design", "Events", "Social", "Media")


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    MarcomTeam = apps.get_model("campaigns", "MarcomTeam")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    for name in TEAMS:
        MarcomTeam.objects.get_or_create(slug=slugify(name), defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("campaigns", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
