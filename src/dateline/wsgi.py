"""WSGI entry point, used by ``dateline serve``.

Kept pages are answered before Django (``dateline.pagecache.wsgi``).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")

django_application = get_wsgi_application()

from dateline.pagecache.wsgi import PageCacheApplication  # noqa: E402  (needs settings)

application = PageCacheApplication(django_application)
