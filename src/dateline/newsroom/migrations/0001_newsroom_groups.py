"""Create the newsroom's roles as groups: Reporter, Editor and Chief.

The permission lists are frozen here on purpose; a later change of roles is a
new migration.
"""

from django.db import migrations

REPORTER = [
    "content.add_article",
    "content.change_article",
    "content.view_article",
    "content.view_historicalarticle",
    "content.view_section",
    "content.view_topic",
    "content.view_person",
    "content.add_photo",
    "content.change_photo",
    "content.view_photo",
    "content.view_correction",
]
EDITOR = REPORTER + [
    "content.publish_article",
    "content.preview_article",
]
CHIEF = EDITOR + [
    "content.withdraw_article",
    "content.add_section",
    "content.change_section",
    "content.add_topic",
    "content.change_topic",
    "content.delete_topic",
    "content.add_person",
    "content.change_person",
    "content.delete_person",
    "content.delete_photo",
    "auth.add_user",
    "auth.change_user",
    "auth.view_user",
    "auth.view_group",
]
ROLES = {"Reporter": REPORTER, "Editor": EDITOR, "Chief": CHIEF}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            group.permissions.add(permission)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("content", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
