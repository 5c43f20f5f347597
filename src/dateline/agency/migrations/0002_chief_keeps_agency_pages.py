"""The Chief keeps the agency's pages; editors and reporters get no rights
on them (the pages speak for the agency as a whole)."""

from django.db import migrations

CHIEF = ["add_agencypage", "change_agencypage", "delete_agencypage", "view_agencypage"]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="agency", codename__in=CHIEF
    )


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    agency = apps.get_app_config("agency")
    agency.models_module = True
    create_permissions(agency, apps=apps, verbosity=0)
    agency.models_module = None

    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Chief"):
        group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Chief"):
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("agency", "0001_add_agency_pages"),
        ("newsroom", "0001_newsroom_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
