"""The newsroom's content: sections, topics, persons, photos and articles.

Publication state is one ``status`` plus IPTC ``pubstatus`` and timestamps. The
one publishing rule is ``ArticleQuerySet.public()``; every public path uses it.

One module per topic, all re-exported here: importers and migrations keep
using ``dateline.content.models``.
"""

# In the order the models were written in, which is the order Django registers
# them in (and so creates their content types and permissions in).
# isort: off
from dateline.content.models.paths import (
    RESERVED_SLUGS,
    article_path,
    section_path,
    tag_path,
    validate_section_slug,
)
from dateline.content.models.taxonomy import Person, Section, Topic
from dateline.content.models.photos import Photo
from dateline.content.models.articles import (
    Article,
    ArticlePerson,
    ArticleQuerySet,
    ArticleTopic,
    Correction,
    RelatedArticle,
)
from dateline.content.models.top_stories import TopStory
from dateline.content.models.visuals import (
    Gallery,
    GalleryPhoto,
    Infographic,
    Visual,
    VisualQuerySet,
    VisualStatus,
)
# isort: on

__all__ = [
    "RESERVED_SLUGS",
    "Article",
    "ArticlePerson",
    "ArticleQuerySet",
    "ArticleTopic",
    "Correction",
    "Gallery",
    "GalleryPhoto",
    "Infographic",
    "Person",
    "Photo",
    "RelatedArticle",
    "Section",
    "TopStory",
    "Topic",
    "Visual",
    "VisualQuerySet",
    "VisualStatus",
    "article_path",
    "section_path",
    "tag_path",
    "validate_section_slug",
]
