"""Editors (and so chiefs) pick TOP STORIES for the home page and section fronts."""

from django.db import migrations

CODES = ["add_topstory", "change_topstory", "delete_topstory", "view_topstory"]
ROLES = ["Editor", "Chief"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    content = apps.get_app_config("content")
    content.models_module = True
    create_permissions(content, apps=apps, verbosity=0)
    content.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="content", codename__in=CODES
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="content", codename__in=CODES
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_newsroom_groups"),
        ("content", "0002_add_top_stories_and_recent_topic_index"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
