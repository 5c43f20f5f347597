from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "dateline.partners"
    label = "partners"
    verbose_name = "Partner links"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from dateline.partners import handlers
        from dateline.partners.models import PartnerFeed, PartnerLink

        # Any change to a link or a feed, from the newsroom or the importer,
        # drops the blocks' cached data once the change is committed.
        for model in (PartnerFeed, PartnerLink):
            name = model.__name__
            post_save.connect(
                handlers.on_partner_change,
                sender=model,
                dispatch_uid=f"partners-saved-{name}",
            )
            post_delete.connect(
                handlers.on_partner_change,
                sender=model,
                dispatch_uid=f"partners-deleted-{name}",
            )
