from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "dateline.backup"
    label = "backup"
    verbose_name = "Backup and restore"
