"""Editors (and so chiefs) keep photo galleries; reporters may look at them."""

from django.db import migrations

EDITING = ["add", "change", "delete", "view"]
MODELS = ["gallery", "galleryphoto"]
ROLES = {"Editor": EDITING, "Chief": EDITING, "Reporter": ["view"]}


def _permissions(apps, actions):
    Permission = apps.get_model("auth", "Permission")
    codes = [f"{action}_{model}" for action in actions for model in MODELS]
    return Permission.objects.filter(
        content_type__app_label="content", codename__in=codes
    )


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    content = apps.get_app_config("content")
    content.models_module = True
    create_permissions(content, apps=apps, verbosity=0)
    content.models_module = None

    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(*_permissions(apps, ROLES[group.name]))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*_permissions(apps, ROLES[group.name]))


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0002_editors_pick_top_stories"),
        ("content", "0004_add_galleries"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
