"""Read replicas: public reads from streaming replicas, the rest from the primary.

``config`` builds the DATABASES aliases (settings.py imports it, so this
package's ``__init__`` imports nothing); ``health`` knows which replica may
be read and how far it has replayed; ``routing`` holds the router and the
middleware that choose, per request, where reads go; ``checks`` reports the
replicas to ``dateline check --deploy``. See docs/decisions/replicas.md.
"""
