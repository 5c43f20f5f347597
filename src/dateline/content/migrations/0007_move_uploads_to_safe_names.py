"""Existing uploads moved to names the server makes (issue 20, defect 1).

Each stored file not already under such a name (`<folder>/YYYY/MM/<32 hex>.<ext>`
with the extension of its detected format) is written again from its pixels,
stored under a new name with its renditions copied beside it, and its row
updated; the old files are deleted once each batch of 100 rows is committed.
A missing or unusable file is logged and its row left as it was. Running it
again changes nothing (core.uploads.secure_stored_files). Not atomic, so an
interrupted run keeps the batches it finished and the next run goes on from
there. Going back leaves the files under their safe names, which the older
code serves as well.
"""

from django.db import migrations

MAX_PIXELS = 50_000_000  # content.renditions.MAX_PIXELS when this was written
PICTURE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}


def forwards(apps, schema_editor):
    from dateline.core.uploads import secure_stored_files

    for model, folder in [("Photo", "photos"), ("Infographic", "infographics")]:
        secure_stored_files(
            apps.get_model("content", model),
            folder=folder,
            max_pixels=MAX_PIXELS,
            formats=PICTURE_FORMATS,
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("content", "0006_store_uploads_under_safe_names")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
