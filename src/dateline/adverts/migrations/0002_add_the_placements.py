"""The four placements the templates show, and the Chief's rights over adverts.

Advertising is not an editorial act: reporters and editors do not see it; the
Chief (and superusers) manage adverts and adjust placements.
"""

from django.db import migrations

PLACEMENTS = [("header", 3), ("sidebar", 3), ("article", 3), ("home", 3)]
CODES = [
    "add_advert", "change_advert", "delete_advert", "view_advert",
    "change_placement", "view_placement",
]  # fmt: skip
ROLES = ["Chief"]


def create(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    Placement = apps.get_model("adverts", "Placement")
    for key, after in PLACEMENTS:
        Placement.objects.get_or_create(key=key, defaults={"after_paragraph": after})

    adverts = apps.get_app_config("adverts")
    adverts.models_module = True
    create_permissions(adverts, apps=apps, verbosity=0)
    adverts.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="adverts", codename__in=CODES
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(*permissions)


def remove(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="adverts", codename__in=CODES
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)
    apps.get_model("adverts", "Placement").objects.filter(
        key__in=[key for key, _ in PLACEMENTS], adverts__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("adverts", "0001_add_placements_and_adverts"),
        ("newsroom", "0001_newsroom_groups"),
    ]

    operations = [migrations.RunPython(create, remove)]
