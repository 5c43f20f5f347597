"""Writes to content: one function per act, each atomic, each taking ``actor=``.

By topic: ``articles`` (the editorial acts), ``visuals`` (galleries and
infographics); pictures and their renditions (photos, infographics' images)
live in ``content.pictures`` and are re-exported here. Import from here:
``from dateline.content import services``.
"""

from dateline.content.pictures import (
    RenditionRun,
    create_photo,
    delete_picture,
    generate_missing_renditions,
    make_renditions,
    pictures_with_renditions,
    save_photo,
    save_picture,
)
from dateline.content.services.articles import (
    TEXT_FIELDS,
    StaleArticleError,
    WorkflowError,
    publish_article,
    save_article,
    set_article_tags,
    set_read_also,
    submit_article,
    withdraw_article,
)
from dateline.content.services.visuals import (
    fill_gallery_cover,
    save_infographic,
    save_visual,
    set_gallery_photos,
)

__all__ = [
    "TEXT_FIELDS",
    "RenditionRun",
    "StaleArticleError",
    "WorkflowError",
    "create_photo",
    "delete_picture",
    "fill_gallery_cover",
    "generate_missing_renditions",
    "make_renditions",
    "pictures_with_renditions",
    "publish_article",
    "save_article",
    "save_infographic",
    "save_photo",
    "save_picture",
    "save_visual",
    "set_article_tags",
    "set_gallery_photos",
    "set_read_also",
    "submit_article",
    "withdraw_article",
]
