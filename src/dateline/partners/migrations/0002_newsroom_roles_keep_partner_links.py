"""Editors keep the partner links; chiefs also manage the partners' feeds."""

from django.db import migrations

LINKS = ["add_partnerlink", "change_partnerlink", "delete_partnerlink", "view_partnerlink"]
FEEDS = ["add_partnerfeed", "change_partnerfeed", "delete_partnerfeed", "view_partnerfeed"]
ROLES = {"Editor": LINKS + ["view_partnerfeed"], "Chief": LINKS + FEEDS}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    partners = apps.get_app_config("partners")
    partners.models_module = True
    create_permissions(partners, apps=apps, verbosity=0)
    partners.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="partners", codename__in=ROLES[group.name]
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="partners", codename__in=ROLES[group.name]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_add_partner_links"),
        ("newsroom", "0001_newsroom_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
