"""Dateline: a publishing platform for news agencies and newsrooms."""
