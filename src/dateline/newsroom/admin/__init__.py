"""The newsroom: Django's admin at /newsroom/, with the editorial workflow.

One module per area; importing this package registers them all.
"""

from dateline.newsroom.admin import articles, library, users

__all__ = ["articles", "library", "users"]
