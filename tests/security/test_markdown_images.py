"""Markdown's image syntax shows residents a link, never raw markup text or a foreign image."""

import pytest
import sqlalchemy as sa

from participation.core.sanitize import render_markdown
from participation.proposals.models import Contribution
from tests.security.html_check import dangers


def test_an_image_becomes_a_link_named_by_its_description():
    html = str(render_markdown("ดูแผนที่ ![แผนที่จุดน้ำท่วม](https://maps.example.org/a.png) ครับ"))
    assert html == ('<p>ดูแผนที่ <a href="https://maps.example.org/a.png" '
                    'rel="nofollow ugc noopener">แผนที่จุดน้ำท่วม</a> ครับ</p>')  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "![](https://maps.example.org/a.png)",
        '![แผนที่](https://maps.example.org/a.png "ชื่อ")',
        "![แผนที่](javascript:alert(1))",
        "[![แผนที่](https://maps.example.org/a.png) ดูเพิ่ม](https://example.org/)",
        "![แผนที่][ref]\n\n[ref]: https://maps.example.org/a.png",
    ],
)
def test_no_image_syntax_is_shown_as_markup_text_or_loads_an_image(text):
    html = str(render_markdown(text))
    assert "&lt;" not in html
    assert "<img" not in html
    assert dangers(html) == []


def test_a_proposal_with_an_image_shows_a_link_on_its_page(client, auth, resident,
                                                           create_process, in_db):  # fmt: skip
    process = create_process("reimagine")
    auth.login(resident)

    posted = client.post(f"/processes/{process.slug}/proposals/new", data={
        "title": "จุดน้ำท่วม", "body": "![แผนที่](https://maps.example.org/a.png)"})  # fmt: skip
    page = client.get(posted.headers["Location"]).get_data(as_text=True)

    assert '<a href="https://maps.example.org/a.png" rel="nofollow ugc noopener">แผนที่</a>' in page
    assert "&lt;img" not in page
    with in_db() as session:
        assert "&lt;img" not in session.scalar(sa.select(Contribution.body_html))
