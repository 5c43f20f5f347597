"""The Chief reads the audit log and lifts login lockouts (django-axes'
access attempts); reporters and editors do neither."""

from django.db import migrations

CHIEF = [
    ("audit", "view_auditentry"),
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
]


def _permissions(apps):
    from django.db.models import Q

    Permission = apps.get_model("auth", "Permission")
    wanted = Q(pk__in=[])
    for app_label, codename in CHIEF:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(wanted)


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for label in ["audit", "axes"]:
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None

    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Chief"):
        group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Chief"):
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0004_editors_keep_infographics"),
        ("audit", "0001_add_audit_entry"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
