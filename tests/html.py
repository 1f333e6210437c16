"""Helpers for comparing rendered pages."""

import re

from flask.testing import FlaskClient

CSRF_TOKEN = re.compile(r'(name="csrf_token"[^>]*value=|<meta name="csrf-token" content=)"[^"]*"')


def without_csrf_tokens(html):
    """Blank out CSRF tokens: they carry a timestamp, so two renders a second apart differ."""
    return CSRF_TOKEN.sub(r'\1""', html)


WORD_GROUP = re.compile(r'<span class="tw">([^<]*)</span>')


def without_word_markup(html):
    """Undo the ``words`` filter (a span per Thai word group, ``<wbr>`` between groups), so that
    a test can look for a Thai title as the text a reader sees."""
    return WORD_GROUP.sub(r"\1", html).replace("<wbr>", "")


class ReaderClient(FlaskClient):
    """The tests' HTTP client: an HTML page comes back with the ``words`` filter's markup taken
    out (:func:`without_word_markup`), so that tests look for titles as readers see them. The
    filter itself is tested on its own, and in a browser
    (tests/browser/test_thai_line_breaks.py)."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/html" and not response.direct_passthrough:
            html = response.get_data(as_text=True)
            if 'class="tw"' in html:
                response.set_data(without_word_markup(html))
        return response
