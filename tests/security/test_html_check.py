"""The checker the XSS tests rely on finds what it must (so a clean result means something)."""

import pytest

from tests.security.html_check import dangers


@pytest.mark.parametrize(
    "html",
    [
        "<p>x<script>alert(1)</script></p>",
        "<img src=x onerror=alert(1)>",
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href=" JAVASCRIPT:alert(1)">x</a>',
        "<iframe src=x></iframe>",
        "<svg><a xlink:href=javascript:alert(1)>x</a></svg>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<meta http-equiv=refresh content='0;url=x'>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    ],
)
def test_finds_what_could_run(html):
    assert dangers(f"<!doctype html><body>{html}</body>") != []


def test_passes_the_pages_own_scripts_and_data():
    page = ('<!doctype html><body><script src="/static/js/townhall.js"></script>'
            '<script type="application/json">{"a": "&lt;script&gt;"}</script>'
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p></body>")  # fmt: skip
    assert dangers(page) == []
