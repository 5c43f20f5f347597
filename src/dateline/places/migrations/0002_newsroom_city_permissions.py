"""Chiefs keep the list of cities readers choose from; editors may look at it
and at the stored weather."""

from django.db import migrations

CHIEF = ["add_city", "change_city", "delete_city", "view_city", "view_weatherobservation"]
EDITOR = ["view_city", "view_weatherobservation"]
ROLES = {"Chief": CHIEF, "Editor": EDITOR}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    places = apps.get_app_config("places")
    places.models_module = True
    create_permissions(places, apps=apps, verbosity=0)
    places.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        permissions = Permission.objects.filter(
            content_type__app_label="places", codename__in=codes
        )
        for group in Group.objects.filter(name=name):
            group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="places")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0001_add_city_and_weather"),
        ("newsroom", "0001_newsroom_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
