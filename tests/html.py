"""Helpers for comparing rendered pages."""

import re

CSRF_TOKEN = re.compile(r'(name="csrf_token"[^>]*value=|<meta name="csrf-token" content=)"[^"]*"')


def without_csrf_tokens(html):
    """Blank out CSRF tokens: they carry a timestamp, so two renders a second apart differ."""
    return CSRF_TOKEN.sub(r'\1""', html)
